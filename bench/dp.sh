#!/usr/bin/env bash
# Benchmark of civic's differential-privacy aggregates over 10M rows.
#   CIVIC_STAGE=/tmp/stage CIVIC_PGPORT=54420 bash bench/dp.sh
# Builds and installs civic, starts a throwaway cluster, loads a synthetic
# table (10M rows: 1M people, 640 wards), and times each DP aggregate
# against its plain counterpart ON THE SERVER (EXPLAIN (ANALYZE, TIMING OFF)
# execution time, best of $CIVIC_BENCH_RUNS, default 5), printing ratios:
#   - DP aggregate / plain aggregate, serial plans (goal <= 1.25x)
#   - twin civic._dist_<name> (dp_state state) / its original (goal ~1x)
#   - per-person-bounded count by ward / plain two-stage bounded count
#     (goal <= 2x)
#   - speed-up of each DP aggregate with 2 parallel workers.
set -euo pipefail
CIVIC_TOP=$(cd "$(dirname "$0")/.." && pwd)
export CIVIC_TOP
cd "$CIVIC_TOP"
export PATH=/usr/lib/postgresql/15/bin:$PATH
source scripts/cluster.sh
cluster_session

ROWS=${CIVIC_BENCH_ROWS:-10000000}
RUNS=${CIVIC_BENCH_RUNS:-5}
DB=civic_bench
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<SQL
CREATE EXTENSION civic CASCADE;
CREATE TABLE bench AS
    SELECT g AS id, (g * 7919) % 1000000 AS person, (g % 640)::int AS ward,
           (g % 101)::float8 AS v, (g % 101)::bigint AS vi, (g % 101)::numeric AS vn
      FROM generate_series(1::bigint, $ROWS) g;
VACUUM ANALYZE bench;
SQL

# server execution time (ms) of one run of a query, under settings $1
exec_once() {
  psql -X -A -t -d $DB -c "$1" -c "EXPLAIN (ANALYZE, TIMING OFF) $2" \
    | sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p'
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a + 0 < b + 0) ? a : b }'; }

SERIAL="SET max_parallel_workers_per_gather = 0"
PAR="SET max_parallel_workers_per_gather = 2"

# label, query A, settings A, query B, settings B: best of RUNS each, the
# runs of A and B interleaved so that a load change on the machine hits both.
compare() {
  local a="" b="" i
  exec_once "$3" "$2" >/dev/null   # warm the cache
  for ((i = 0; i < RUNS; i++)); do
    a=$(min "$(exec_once "$3" "$2")" "$a")
    b=$(min "$(exec_once "$5" "$4")" "$b")
  done
  awk -v l="$1" -v a="$a" -v b="$b" \
    'BEGIN { printf "%-36s %10.1f %10.1f %8.2fx\n", l, a, b, a / b }'
}
row() {  # label, dp query, baseline query, settings: ratio dp / baseline
  compare "$1" "$2" "$4" "$3" "$4"
}

echo "== DP aggregate vs plain counterpart ($ROWS rows, serial, best of $RUNS; ms)"
printf "%-36s %10s %10s %9s\n" "aggregate" "dp" "plain" "ratio"
row "dp_count / count(*)" \
  "SELECT civic.dp_count(1.0) FROM bench" "SELECT count(*) FROM bench" "$SERIAL"
row "dp_count gaussian / count(*)" \
  "SELECT civic.dp_count(1.0, 1e-6) FROM bench" "SELECT count(*) FROM bench" "$SERIAL"
row "dp_sum(float8) / sum" \
  "SELECT civic.dp_sum(v, 0, 100, 1.0) FROM bench" "SELECT sum(v) FROM bench" "$SERIAL"
row "dp_sum(bigint) / sum" \
  "SELECT civic.dp_sum(vi, 0, 100, 1.0) FROM bench" "SELECT sum(vi) FROM bench" "$SERIAL"
row "dp_sum(numeric) / sum" \
  "SELECT civic.dp_sum(vn, 0, 100, 1.0) FROM bench" "SELECT sum(vn) FROM bench" "$SERIAL"
row "dp_avg / avg" \
  "SELECT civic.dp_avg(v, 0, 100, 1.0) FROM bench" "SELECT avg(v) FROM bench" "$SERIAL"
row "dp_median / percentile_cont(0.5)" \
  "SELECT civic.dp_median(v, 0, 100, 1.0) FROM bench" \
  "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM bench" "$SERIAL"
row "dp_percentile(0.9) / percentile_cont" \
  "SELECT civic.dp_percentile(v, 0.9, 0, 100, 1.0) FROM bench" \
  "SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY v) FROM bench" "$SERIAL"
row "dp_count_units / count(DISTINCT)" \
  "SELECT civic.dp_count_units(person, 1.0) FROM bench" \
  "SELECT count(DISTINCT person) FROM bench" "$SERIAL"
row "dp_count by ward / count by ward" \
  "SELECT ward, civic.dp_count(1.0) FROM bench GROUP BY ward" \
  "SELECT ward, count(*) FROM bench GROUP BY ward" "$SERIAL"

echo
echo "== twin (civic.dp_state state, for Citus) vs original DP aggregate (serial)"
printf "%-36s %10s %10s %9s\n" "aggregate" "twin" "original" "ratio"
row "_dist_dp_count / dp_count" \
  "SELECT civic._dist_dp_count(1.0) FROM bench" "SELECT civic.dp_count(1.0) FROM bench" "$SERIAL"
row "_dist_dp_sum(float8) / dp_sum" \
  "SELECT civic._dist_dp_sum(v, 0, 100, 1.0) FROM bench" \
  "SELECT civic.dp_sum(v, 0, 100, 1.0) FROM bench" "$SERIAL"
row "_dist_dp_count by ward / dp_count" \
  "SELECT ward, civic._dist_dp_count(1.0) FROM bench GROUP BY ward" \
  "SELECT ward, civic.dp_count(1.0) FROM bench GROUP BY ward" "$SERIAL"
row "_dist_dp_sum by person / dp_sum" \
  "SELECT person, civic._dist_dp_sum(v, 0, 100, 1.0) FROM bench GROUP BY person" \
  "SELECT person, civic.dp_sum(v, 0, 100, 1.0) FROM bench GROUP BY person" "$SERIAL"

echo
echo "== per-person-bounded count by ward vs plain two-stage bounded count"
printf "%-36s %10s %10s %9s\n" "query" "dp" "plain" "ratio"
BOUNDED_PLAIN="SELECT ward, sum(least(c, 5)) FROM (SELECT ward, person, count(*) AS c FROM bench GROUP BY ward, person) s GROUP BY ward"
row "dp_count(person, 5) by ward" \
  "SELECT ward, civic.dp_count(person, 5, 1.0) FROM bench GROUP BY ward" "$BOUNDED_PLAIN" "$SERIAL"
row "  (2 workers each)" \
  "SELECT ward, civic.dp_count(person, 5, 1.0) FROM bench GROUP BY ward" "$BOUNDED_PLAIN" "$PAR"

echo
echo "== speed-up with 2 parallel workers (ms)"
printf "%-36s %10s %10s %9s\n" "aggregate" "serial" "2 workers" "speed-up"
speedup() { compare "$1" "$2" "$SERIAL" "$2" "$PAR"; }
speedup "dp_count" "SELECT civic.dp_count(1.0) FROM bench"
speedup "dp_sum(float8)" "SELECT civic.dp_sum(v, 0, 100, 1.0) FROM bench"
speedup "dp_sum(numeric)" "SELECT civic.dp_sum(vn, 0, 100, 1.0) FROM bench"
speedup "dp_avg" "SELECT civic.dp_avg(v, 0, 100, 1.0) FROM bench"
speedup "dp_median" "SELECT civic.dp_median(v, 0, 100, 1.0) FROM bench"
speedup "dp_count_units" "SELECT civic.dp_count_units(person, 1.0) FROM bench"
speedup "dp_count(person, 5) by ward" "SELECT ward, civic.dp_count(person, 5, 1.0) FROM bench GROUP BY ward"
speedup "dp_count by ward" "SELECT ward, civic.dp_count(1.0) FROM bench GROUP BY ward"
speedup "plain count(*) (reference)" "SELECT count(*) FROM bench"
