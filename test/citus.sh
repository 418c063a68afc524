#!/usr/bin/env bash
# civic on Citus (docs/citus.md): every DP aggregate runs over distributed
# and reference tables with partial states on the workers, combined and
# noised once on the coordinator and charged once, there, to the logical
# tables; no plan shape finalises one on a worker (Citus's connections and
# shard queries Citus runs locally refuse them, VB020).  Shards count as
# their distributed table: a shard read directly on the coordinator is
# charged to its table, and DP over a Citus table or shard on any other node
# (a worker, a Citus MX node) is refused with VB020.
# Starts a coordinator and two workers of its own on loopback ports, with
# the PostgreSQL the suite uses; skips when that PostgreSQL has no Citus.
set -uo pipefail
: "${CIVIC_TOP:?}"
pgbin=$(pg_config --bindir)
libdir=$(pg_config --pkglibdir)
if [[ -n ${CIVIC_STAGE:-} ]]; then pgbin=$CIVIC_STAGE$pgbin libdir=$CIVIC_STAGE$libdir; fi
if [[ ! -f $libdir/citus.so ]]; then
  echo "1..0 # SKIP Citus is not installed in this PostgreSQL (docs/citus.md: how to build it)"
  exit 0
fi

base=$((${CIVIC_PGPORT:-54329} + 1100))
dir=$(mktemp -d /tmp/civic-citus.XXXXXX)
chmod 755 "$dir"
mkdir -p "$dir/sock"
chown -R postgres: "$dir"
nodes=(coord w1 w2)
declare -A port=([coord]=$base [w1]=$((base + 1)) [w2]=$((base + 2)))
as_pg() { runuser -u postgres -- "$@"; }
cleanup() {
  local n
  for n in "${nodes[@]}"; do
    [[ -f $dir/$n/postmaster.pid ]] && as_pg "$pgbin/pg_ctl" -D "$dir/$n" stop -m immediate >/dev/null 2>&1
  done
  rm -rf "$dir"
}
trap cleanup EXIT

t=0
check() { t=$((t + 1)); if [[ $1 == 0 ]]; then echo "ok $t - $2"; else echo "not ok $t - $2"; fi; }
# q NODE SQL...: run as superuser on a node; errors to stdout, verbose (SQLSTATE shown)
q() {
  local n=$1; shift
  psql -X -q -At -h 127.0.0.1 -p "${port[$n]}" -U postgres -d civic_citus \
    -v VERBOSITY=verbose "$@" 2>&1
}

for n in "${nodes[@]}"; do
  as_pg "$pgbin/initdb" -D "$dir/$n" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    >"$dir/$n.initdb.log" 2>&1 || { echo "Bail out! initdb failed"; cat "$dir/$n.initdb.log"; exit 1; }
  cat >>"$dir/$n/postgresql.conf" <<CONF
port = ${port[$n]}
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/sock'
shared_preload_libraries = 'citus,civic'
max_connections = 60
shared_buffers = 32MB
citus.node_conninfo = 'sslmode=disable'
log_min_messages = warning
CONF
  as_pg "$pgbin/pg_ctl" -D "$dir/$n" -l "$dir/$n.log" -w -t 60 start >/dev/null \
    || { echo "Bail out! $n did not start"; cat "$dir/$n.log"; exit 1; }
  psql -X -q -h 127.0.0.1 -p "${port[$n]}" -U postgres -d postgres -c 'CREATE DATABASE civic_citus' >/dev/null
  q "$n" -c 'CREATE EXTENSION citus' -c 'CREATE EXTENSION civic CASCADE' >"$dir/$n.ext.log"
  grep -i error "$dir/$n.ext.log" | sed "s/^/#   $n: /"
done
q coord -c "SELECT citus_set_coordinator_host('127.0.0.1', ${port[coord]})" \
  -c "SELECT citus_add_node('127.0.0.1', ${port[w1]})" -c "SELECT citus_add_node('127.0.0.1', ${port[w2]})" \
  >"$dir/nodes.log"
[[ $(q coord -c 'SELECT count(*) FROM pg_dist_node') == 3 ]]
check $? "a Citus cluster of a coordinator and two workers with civic on every node"
sed 's/^/#   /' "$dir/nodes.log" | grep -i error

q coord <<'SQL' >"$dir/setup.log"
CREATE TABLE people (id int PRIMARY KEY, ward text NOT NULL, income int NOT NULL);
SELECT create_distributed_table('people', 'id');
INSERT INTO people SELECT i, 'W' || (i % 20), (i * 37) % 100000 FROM generate_series(1, 5000) i;
CREATE TABLE wards (ward text PRIMARY KEY);
SELECT create_reference_table('wards');
INSERT INTO wards SELECT 'W' || i FROM generate_series(0, 19) i;
CREATE TABLE local_people AS SELECT * FROM generate_series(1, 100) i;
SQL
grep -i error "$dir/setup.log" | sed 's/^/#   /'
[[ $(q coord -c 'SELECT count(*) FROM people') == 5000 ]]
check $? "a distributed table reads as usual (plain aggregates are not affected)"

refused() {  # refused NODE DESCRIPTION SQL: the query fails with VB020 and returns nothing
  local out
  out=$(q "$1" -c "$3")
  [[ $out == *"ERROR:  VB020"* ]]
  check $? "$2"
  [[ $out == *"ERROR:  VB020"* ]] || sed 's/^/#   /' <<<"$out" | head -n 5
}
spent() {  # spent DATASET: total epsilon charged to it on the coordinator
  q coord -c "SELECT coalesce(sum(epsilon), 0) FROM civic.privacy_ledger WHERE dataset = '$1'"
}
# runs DESCRIPTION SQL TEST...: the query runs on the coordinator, its output
# (one line per row) passes the awk program TEST, and it is charged exactly
# EPS (in $eps) to public.people, once, on the coordinator's ledger
runs() {
  local before after out
  before=$(spent public.people)
  out=$(q coord -c "$2")
  after=$(spent public.people)
  awk -v b="$before" -v a="$after" -v e="$eps" 'BEGIN { exit !((a - b - e)^2 < 1e-18) }' &&
    [[ $out != *ERROR* ]] && awk -F'|' "$3" <<<"$out"
  local rc=$?
  check $rc "$1"
  ((rc == 0)) || { echo "#   spent $before -> $after"; sed 's/^/#   /' <<<"$out" | head -n 5; }
}

# Distributed: partial states on the workers, combined and noised once on
# the coordinator, charged once to the logical table.  True counts per ward
# are 250, sums of income 11.56 to 11.72 million.
# The fast path (docs/citus.md): dp_count and dp_sum of integers go to the
# workers as PostgreSQL's count(*) and sum of the clamped values, and only
# the noise is added, by civic's release functions, on the coordinator.
out=$(q coord -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT ward, civic.dp_count(0.5), civic.dp_sum(income, 0, 100000, 0.5) FROM people GROUP BY ward")
fast_ok() { [[ $out == "HashAggregate"*"civic._dp_count_release("*"civic._dp_sum_release("*"Custom Scan (Citus Adaptive)"*"Query: SELECT ward, count(*) AS dp_count, sum(int4smaller(int4larger(income, 0), 100000)) AS dp_sum FROM"* && $out != *worker_partial_agg* ]]; }
fast_ok
check $? "the issue's query takes the fast path: count(*) and sum of the clamped values on the workers, noise added on the coordinator"
fast_ok || sed 's/^/#   /' <<<"$out" | head -n 14
out=$(q coord -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT ward, civic.dp_count(0.5), civic.dp_median(income, 0, 100000, 0.5) FROM people GROUP BY ward")
[[ $out == *"coord_combine_agg("*"Custom Scan (Citus Adaptive)"*"worker_partial_agg('civic._dist_dp_count(double precision)'"*"worker_partial_agg('civic._dist_dp_median("* ]]
check $? "any other DP aggregate is split: partial states on the workers, combined on the coordinator"
[[ $out == *"coord_combine_agg("* ]] || sed 's/^/#   /' <<<"$out" | head -n 12
eps=1.0 runs "DP count and sum grouped by a non-distribution column: 20 wards, near the truth, charged once (epsilon 1.0)" \
  "SELECT ward, civic.dp_count(0.5), civic.dp_sum(income, 0, 100000, 0.5) FROM people GROUP BY ward" \
  'NF == 3 && ($2 - 250)^2 < 60^2 && ($3 - 12500000)^2 < 4000000^2 { n++ } END { exit n != 20 }'
eps=0.5 runs "DP count over the whole distributed table" \
  "SELECT civic.dp_count(0.5) FROM people" '($1 - 5000)^2 < 60^2 { n++ } END { exit n != 1 }'
eps=0.5 runs "DP count grouped by the distribution column: combined on the coordinator, not pushed down whole" \
  "SELECT id % 7, civic.dp_count(0.5) FROM people GROUP BY id HAVING id <= 70" \
  '{ n++ } END { exit n != 70 }'
eps=0.5 runs "DP count of one shard's rows (a query Citus would route whole to a worker)" \
  "SELECT civic.dp_count(0.5) FROM people WHERE id = 7" '($1 - 1)^2 < 60^2 { n++ } END { exit n != 1 }'
wards_before=$(spent public.wards)
eps=1.0 runs "DP average over an inner join with a reference table (charged to both tables)" \
  "SELECT w.ward, civic.dp_avg(p.income, 0, 100000, 1.0) FROM people p JOIN wards w USING (ward) GROUP BY w.ward" \
  '$2 > 0 && $2 < 100000 { n++ } END { exit n != 20 }'
awk -v b="$wards_before" -v a="$(spent public.wards)" 'BEGIN { exit !((a - b - 1.0)^2 < 1e-18) }'
check $? "... and the reference table was charged once too"
eps=0.5 runs "DP count over the distributed table LEFT JOIN the reference table" \
  "SELECT civic.dp_count(0.5) FROM people p LEFT JOIN wards w USING (ward)" '($1 - 5000)^2 < 60^2 { n++ } END { exit n != 1 }'
q coord -c "CREATE TABLE ward_names AS SELECT 'W' || i AS ward, 'Ward ' || i AS name FROM generate_series(0, 19) i" >/dev/null
eps=0.5 runs "DP count over a join with a table local to the coordinator" \
  "SELECT n.name, civic.dp_count(0.5) FROM people p JOIN ward_names n USING (ward) GROUP BY n.name" \
  '($2 - 250)^2 < 60^2 { n++ } END { exit n != 20 }'
# The reference table on the outer side of a LEFT JOIN (the shape of a
# privacy-safe view): Citus reads the distributed table as an intermediate
# result and runs the rest, with the DP aggregate, as one task that it
# executes locally on the coordinator: finalised there, charged once.
wards_before=$(spent public.wards)
eps=0.5 runs "the reference table LEFT JOIN the distributed table: one row per ward, finalised on the coordinator, charged once" \
  "SELECT w.ward, civic.dp_count(0.5) FROM wards w LEFT JOIN people p USING (ward) GROUP BY w.ward" \
  '($2 - 250)^2 < 60^2 { n++ } END { exit n != 20 }'
awk -v b="$wards_before" -v a="$(spent public.wards)" 'BEGIN { exit !((a - b - 0.5)^2 < 1e-18) }'
check $? "... and the reference table was charged once too"
eps=0.5 runs "a raw-row subquery of the distributed table (an intermediate result)" \
  "SELECT civic.dp_count(0.5) FROM (SELECT * FROM people OFFSET 0) s" '($1 - 5000)^2 < 60^2 { n++ } END { exit n != 1 }'
eps=0.5 runs "a DP aggregate in a CTE joined to a reference table: charged once, in the CTE's own plan" \
  "WITH c AS MATERIALIZED (SELECT ward, civic.dp_count(0.5) AS n FROM people GROUP BY ward)
   SELECT count(*) FROM c JOIN wards USING (ward)" '$1 == 20 { n++ } END { exit n != 1 }'
out=$(q coord -c "SELECT query FROM civic.privacy_ledger WHERE dataset = 'public.people' ORDER BY \"time\" DESC LIMIT 1")
[[ $out == "WITH c AS MATERIALIZED (SELECT ward, civic.dp_count(0.5)"* ]]
check $? "... and its ledger row carries the client's statement (Citus ran the CTE as a subplan with no text of its own)"
[[ $out == "WITH c"* ]] || sed 's/^/#   /' <<<"$out" | head -n 3
# The task may finalise only the aggregates its query was charged for, over
# the query's own tables: a function in it running another DP query (over
# another table) is refused.
q coord >/dev/null <<'SQL'
CREATE FUNCTION other_dp() RETURNS bigint LANGUAGE plpgsql AS
$$BEGIN RETURN (SELECT civic._dist_dp_count(0.5) FROM local_people); END$$;
SQL
out=$(q coord -c "SELECT w.ward, civic.dp_count(0.5), other_dp() FROM wards w LEFT JOIN people p USING (ward) GROUP BY w.ward")
[[ $out == *"ERROR:  VB020"* && $out != *"|"* ]]
check $? "a DP query run inside the locally finalised task, over another table: refused (VB020)"
[[ $out == *"ERROR:  VB020"* ]] || sed 's/^/#   /' <<<"$out" | head -n 5

# Every DP aggregate of civic, distributed (values near the truth, the
# exact sum and mean of the same group: a sum's noise has scale 200000 at
# epsilon 0.5 (Laplace) and sigma about 1.06e6 at (0.5, 1e-6), so 4e6 and
# 8e6 are 20 scales and 7.5 sigmas away).
eps=9.5 runs "every DP aggregate over the distributed table, grouped by ward" \
  "SELECT ward, civic.dp_count(0.5), civic.dp_count(0.5, 1e-6), civic.dp_sum(income, 0, 100000, 0.5),
          civic.dp_sum(income::int8, 0, 100000, 0.5), civic.dp_sum(income::numeric, 0, 100000, 0.5),
          civic.dp_avg(income, 0, 100000, 1.0), civic.dp_percentile(income, 0.25, 0, 100000, 1.0),
          civic.dp_median(income, 0, 100000, 1.0), civic.dp_count_units(id % 100, 0.5),
          civic.dp_count(id % 100, 5, 0.5), civic.dp_sum_per_unit(id % 100, income, 0, 100000, 1.0),
          civic.dp_avg_per_unit(id % 100, income, 0, 100000, 1.0),
          civic.dp_count(id % 100, 3, 0.5, 1e-6), civic.dp_sum(income, 0, 100000, 0.5, 1e-6),
          sum(income), avg(income)
     FROM people GROUP BY ward" \
  'NF == 17 && ($2-250)^2 < 60^2 && ($3-250)^2 < 60^2 && ($4-$16)^2 < 4e6^2 && ($5-$16)^2 < 4e6^2 &&
   ($6-$16)^2 < 4e6^2 && ($7 - $17)^2 < 20000^2 && $8 >= 0 && $8 <= 100000 && $9 >= 0 && $9 <= 100000 &&
   ($10 - 5)^2 < 60^2 && ($11 - 25)^2 < 150^2 && ($14 - 15)^2 < 400^2 && ($15 - $16)^2 < 8e6^2 { n++ }
   END { exit n != 20 }'

# The fast path releases what the aggregates release: at epsilon 1e6 the
# noise of a count is 0 and that of a sum below 5 (the sum's grid step is
# 2^-4, its noise's scale 0.05), for a float8, bigint and smallint column,
# grouped by the distribution column too (combined on the coordinator).
eps=4000000 runs "the fast path's counts and sums equal the exact count and clamped sums (epsilon 1e6)" \
  "SELECT id % 3, civic.dp_count(1e6), count(*), civic.dp_sum(income, 10, 50000, 1e6),
          sum(least(greatest(income, 10), 50000)), civic.dp_sum(income::int8, 10, 50000, 1e6),
          civic.dp_sum((income % 30000)::int2, -5, 20000, 1e6), sum(least(greatest(income % 30000, -5), 20000))
     FROM people WHERE id <= 300 GROUP BY id" \
  'NF == 8 && $2 == $3 && ($4 - $5)^2 < 25 && $6 == $5 && ($7 - $8)^2 < 25 { n++ } END { exit n != 300 }'
out=$(q coord -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT ward, civic.dp_avg(income, 0, 100000, 0.5) FROM people GROUP BY ward")
[[ $out == *"civic._dp_avg_release("*"Query: SELECT ward, sum(int4smaller(int4larger(income, 0), 100000)) AS"*"count(income) AS"* && $out != *worker_partial_agg* ]]
check $? "dp_avg of an integer column takes the fast path too: sum of the clamped values and count on the workers"
[[ $out == *"_dp_avg_release("* ]] || sed 's/^/#   /' <<<"$out" | head -n 14
eps=2000000 runs "the fast path's averages equal the exact means of the clamped values, NULLs not counted (epsilon 1e6)" \
  "SELECT ward, civic.dp_avg(income, 10, 50000, 1e6), avg(least(greatest(income, 10), 50000)),
          civic.dp_avg(CASE WHEN id % 3 = 0 THEN income END, 0, 100000, 1e6), avg(CASE WHEN id % 3 = 0 THEN income END)
     FROM people GROUP BY ward" \
  'NF == 5 && ($2 - $3)^2 < 0.1^2 && ($4 - $5)^2 < 0.1^2 { n++ } END { exit n != 20 }'
eps=3000000 runs "the fast path skips NULL values as the aggregates do, with a lower bound far from 0 (epsilon 1e6)" \
  "SELECT ward, civic.dp_sum(CASE WHEN id % 3 = 0 THEN income END, 20000, 60000, 1e6),
          sum(least(greatest(income, 20000), 60000)) FILTER (WHERE id % 3 = 0),
          civic.dp_avg(CASE WHEN id % 3 = 0 THEN income END, 20000, 60000, 1e6),
          avg(least(greatest(income, 20000), 60000)) FILTER (WHERE id % 3 = 0),
          civic.dp_sum(CASE WHEN id % 3 = 0 THEN -income::int8 END, -60000, -20000, 1e6),
          sum(least(greatest(-income::int8, -60000), -20000)) FILTER (WHERE id % 3 = 0)
     FROM people GROUP BY ward" \
  'NF == 7 && ($2 - $3)^2 < 25 && ($4 - $5)^2 < 0.1^2 && ($6 - $7)^2 < 4 { n++ } END { exit n != 20 }'
eps=1.5 runs "the fast path over no rows: noise around 0, not NULL" \
  "SELECT civic.dp_count(0.5), civic.dp_sum(income, 0, 100, 0.5), civic.dp_sum(income::int8, 0, 100, 0.5) FROM people WHERE id < 0" \
  'NF == 3 && $1 != "" && $2 != "" && $3 != "" && $1^2 < 60^2 && $2^2 < 6000^2 && $3^2 < 6000^2 { n++ } END { exit n != 1 }'

# The noise is drawn once, on the coordinator: 30 counts at epsilon 1 vary
# as one discrete Laplace draw (variance 1.84), not as 32 of them (59).
vals=$(for i in $(seq 30); do q coord -c "SELECT civic.dp_count(1.0) FROM people"; done)
awk '{ s += $1; ss += $1 * $1; n++ } END { v = (ss - s * s / n) / (n - 1); exit !(n == 30 && v < 12) }' <<<"$vals"
check $? "the noise is drawn once per group, on the coordinator (variance of 30 draws)"

refused coord "Citus's coord_combine_agg written by hand over a DP aggregate: refused (VB020)" \
  "SELECT coord_combine_agg('civic._dist_dp_count(float8)'::regprocedure, NULL::cstring, NULL::bigint) FROM people"
refused coord "... and worker_partial_agg too" \
  "SELECT worker_partial_agg('civic._dist_dp_count(float8)'::regprocedure, 0.5::float8) FROM people"
[[ $(q coord -c 'SELECT civic.dp_count(1.0) > 0 FROM local_people') == t ]]
check $? "DP over a table local to the coordinator still works"
q w1 -c 'CREATE TABLE w1_local AS SELECT * FROM generate_series(1, 100) i' >/dev/null
out=$(PGAPPNAME="citus_internal gpid=10000000001" q w1 -c "SELECT civic.dp_count(0.5) FROM w1_local")
[[ $out == *"ERROR:  VB020"* ]]
check $? "on a worker, a DP aggregate in a connection Citus opens is refused"
[[ $out == *"ERROR:  VB020"* ]] || sed 's/^/#   /' <<<"$out" | head -n 5
out=$(q w1 -c "SELECT civic.dp_count(1.0) IS NOT NULL FROM w1_local")
[[ $out == t ]]
check $? "on a worker, an ordinary session's DP query over a table local to it runs (metered there)"
[[ $out == t ]] || sed 's/^/#   /' <<<"$out" | head -n 5
n_ledger=$(for n in w1 w2; do q "$n" -c "SELECT count(*) FROM civic.privacy_ledger WHERE dataset LIKE 'public.people%'"; done | paste -sd+ | bc)
[[ $n_ledger == 0 ]]
check $? "the workers charged nothing for the distributed queries (one budget, on the coordinator)"

# A privacy-safe view over the distributed table, read by an analyst with a
# budget, rights on the (reference) table of wards only and none on people
# or its shards.  civic serves the view through civic._private_view_rows(),
# which runs it as its owner, so that Citus connects to the workers as the
# owner (src/pv_citus.c): the analyst gets one row per ward and is charged
# the view's price once, on the coordinator, to its own budget.
q coord >"$dir/view.log" <<'SQL'
CREATE ROLE citus_analyst LOGIN;
CREATE SCHEMA stats;
GRANT USAGE ON SCHEMA stats TO citus_analyst;
REVOKE ALL ON people FROM PUBLIC;
SELECT civic.set_budget('citus_analyst', 'public.people', 5.0);
GRANT SELECT ON wards TO citus_analyst;
SELECT civic.create_private_view('stats.people_by_ward',
  $$SELECT w.ward, civic.dp_sum((p.id IS NOT NULL)::int::int8, 0, 1, 0.5) AS residents
      FROM wards w LEFT JOIN people p ON p.ward = w.ward GROUP BY w.ward$$, 'citus_analyst');
SQL
out=$(q coord -c "EXPLAIN (COSTS OFF) SELECT * FROM stats.people_by_ward"
     psql -X -q -At -h 127.0.0.1 -p "${port[coord]}" -U citus_analyst -d civic_citus -v VERBOSITY=verbose \
        -c "SELECT count(*), count(DISTINCT ward), count(residents) FROM stats.people_by_ward" \
        -c "SELECT count(*) FROM people" 2>&1)
pv_ok() { [[ $out == "Function Scan on _private_view_rows people_by_ward"$'\n'"20|20|20"$'\n'"ERROR:  42501"* ]]; }
pv_ok
check $? "a privacy-safe view over a distributed table: its analyst, with no rights on people or its shards, reads one row per ward (served as the view's owner); people itself stays unreadable"
pv_ok || sed 's/^/#   /' <<<"$out$(grep -i error "$dir/view.log")" | head -n 8
out=$(q coord -c "SELECT count(*), sum(epsilon) FROM civic.privacy_ledger
                  WHERE role = 'citus_analyst'::regrole AND dataset = 'public.people'"
      for n in w1 w2; do q "$n" -c "SELECT count(*) FROM civic.privacy_ledger WHERE role::text = 'citus_analyst'"; done)
[[ $out == $'1|0.5\n0\n0' ]]
check $? "the analyst was charged the view's price exactly once, on the coordinator's ledger (nothing on the workers')"
[[ $out == $'1|0.5\n0\n0' ]] || sed 's/^/#   /' <<<"$out
$(q coord -c "SELECT * FROM civic.privacy_ledger WHERE role = 'citus_analyst'::regrole")" | head -n 12
# Each reference costs once: a self-join of the view, twice.
out=$(psql -X -q -At -h 127.0.0.1 -p "${port[coord]}" -U citus_analyst -d civic_citus \
        -c "SELECT count(*) FROM stats.people_by_ward a JOIN stats.people_by_ward b USING (ward)" 2>&1
      q coord -c "SELECT count(*), sum(epsilon) FROM civic.privacy_ledger
                  WHERE role = 'citus_analyst'::regrole AND dataset = 'public.people'")
[[ $out == $'20\n3|1.5' ]]
check $? "a self-join of the view costs its analyst twice"
[[ $out == $'20\n3|1.5' ]] || sed 's/^/#   /' <<<"$out" | head -n 5
# The analyst has no rights on the shards on the workers either.
vshard=$(q w1 -c "SELECT min(s.shardid) FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid)
                  WHERE s.logicalrelid = 'people'::regclass
                    AND p.groupid = (SELECT groupid FROM pg_dist_local_group)")
out=$(psql -X -q -At -h 127.0.0.1 -p "${port[w1]}" -U citus_analyst -d civic_citus -v VERBOSITY=verbose \
        -c "SET citus.override_table_visibility = off" -c "SELECT count(*) FROM public.people_$vshard" 2>&1)
[[ -n $vshard && $out == *"ERROR:  42501"*"people_$vshard"* ]]
check $? "on a worker, the view's analyst cannot read people's shards (42501)"
[[ -n $vshard && $out == *"ERROR:  42501"*"people_$vshard"* ]] || sed 's/^/#   /' <<<"shard=$vshard $out" | head -n 5

# Shards are their distributed table.  The coordinator holds a placement of
# every reference table: a DP query reading that shard directly (as a
# superuser may) is charged to public.wards, not to the shard.
wshard=$(q coord -c "SELECT s.shardid FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid)
                     WHERE s.logicalrelid = 'wards'::regclass AND p.groupid = 0")
out=$(q coord -c "SELECT civic.dp_count(0.5) IS NOT NULL FROM public.wards_$wshard" \
        -c "SELECT string_agg(DISTINCT dataset, ',') FROM civic.privacy_ledger WHERE dataset LIKE 'public.wards%'")
[[ -n $wshard && $out == $'t\npublic.wards' ]]
check $? "on the coordinator, DP over a reference table's shard is charged to the reference table"
[[ -n $wshard && $out == $'t\npublic.wards' ]] || sed 's/^/#   /' <<<"shard=$wshard $out" | head -n 5

# ...but a table that only looks like the shard (same name, another schema)
# is itself.
out=$(q coord -c "CREATE SCHEMA lookalike" -c "CREATE TABLE lookalike.wards_$wshard AS SELECT 1 AS x" \
        -c "SELECT civic.dp_count(0.5) IS NOT NULL FROM lookalike.wards_$wshard" \
        -c "SELECT string_agg(DISTINCT dataset, ',' ORDER BY dataset) FROM civic.privacy_ledger WHERE dataset LIKE '%wards%'")
[[ $out == $'t\nlookalike.wards_'"$wshard"',public.wards' ]]
check $? "a table named like a shard in another schema is charged as itself"
[[ $out == $'t\nlookalike.wards_'"$wshard"',public.wards' ]] || sed 's/^/#   /' <<<"$out" | head -n 5

# On a worker, even an ordinary session (not Citus's) is refused DP over a
# shard of a distributed table: its budget is the coordinator's.
pshard=$(q w1 -c "SELECT min(s.shardid) FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid)
                  WHERE s.logicalrelid = 'people'::regclass
                    AND p.groupid = (SELECT groupid FROM pg_dist_local_group)")
out=$(q w1 -c "SET citus.override_table_visibility = off" -c "SELECT count(*) > 0 FROM public.people_$pshard" \
        -c "SELECT civic.dp_count(0.5) FROM public.people_$pshard")
[[ -n $pshard && $out == t*"ERROR:  VB020"*"coordinator only"* ]]
check $? "on a worker, DP over a shard read directly is refused (VB020); the shard itself reads as usual"
[[ -n $pshard && $out == t*"ERROR:  VB020"* ]] || sed 's/^/#   /' <<<"shard=$pshard $out" | head -n 5

# Citus MX: a worker has the metadata and can run distributed queries
# itself; DP through it is refused, as it would be charged on that node.
refused w1 "on a worker (Citus MX), a distributed DP query is refused (VB020)" \
  "SELECT civic.dp_count(0.5) FROM people"
[[ $(q w1 -c "SELECT count(*) FROM civic.privacy_ledger WHERE dataset LIKE 'public.people%'") == 0 ]]
check $? "nothing of people's was charged on the worker's ledger"

# ---------------------------------------------------------------------
# attacks: an analyst with SQL and time, a DBA making mistakes
# ---------------------------------------------------------------------
# refused_any DESCRIPTION SQL: fails with VB020 or VB002, nothing charged to people
refused_any() {
  local before out
  before=$(spent public.people)
  out=$(q coord -c "$2")
  [[ $out == *"ERROR:  VB0"[02][02]* && $out != *"|"* && $(spent public.people) == "$before" ]]
  check $? "$1"
  [[ $out == *"ERROR:  VB0"* ]] || sed 's/^/#   /' <<<"$out" | head -n 5
}
# Several DP aggregates of one kind with different parameters: a scalar
# subquery in WHERE (planned by Citus on its own) sits between the select
# list and HAVING; each coord_combine_agg must keep its own parameters
# (0.1 + 2.0 + 0.3, not the subquery's 2.0 for the HAVING one).
eps=2.4 runs "attack: DP counts with different epsilons in the select list, a WHERE subquery and HAVING: each charged its own" \
  "SELECT civic.dp_count(0.1) FROM people WHERE (SELECT civic.dp_count(2.0) FROM people) IS NOT NULL
   HAVING civic.dp_count(0.3) > -1e9" 'NF == 1 { n++ } END { exit n != 1 }'
out=$(q coord -c "SELECT civic.dp_sum(income, 0, 100000, 0.5) FROM people
                  WHERE (SELECT civic.dp_sum(income, 0, 1, 0.5) FROM people) IS NOT NULL
                  HAVING civic.dp_sum(income, 0, 2, 0.5) > -1e12")
[[ $out != *ERROR* && $out != "" ]]
check $? "attack: DP sums with different bounds in the select list, a WHERE subquery and HAVING: each combined with its own bounds"
[[ $out != *ERROR* ]] || sed 's/^/#   /' <<<"$out" | head -n 3
eps=1.0 runs "attack: UNION ALL of two DP queries: charged for both" \
  "SELECT count(*) FROM (SELECT civic.dp_count(0.5) FROM people UNION ALL SELECT civic.dp_count(0.5) FROM people) s" \
  '$1 == 2 { n++ } END { exit n != 1 }'
eps=0.5 runs "attack: a window function over DP results: charged once" \
  "SELECT ward, n, sum(n) OVER () FROM (SELECT ward, civic.dp_count(0.5) n FROM people GROUP BY ward) s" \
  '{ n++ } END { exit n != 20 }'
eps=0.5 runs "attack: ORDER BY the DP aggregate LIMIT 2: charged once" \
  "SELECT ward, civic.dp_count(0.5) FROM people GROUP BY ward ORDER BY civic.dp_count(0.5) LIMIT 2" \
  '{ n++ } END { exit n != 2 }'
# (Citus computes the HAVING aggregate as a coord_combine_agg of its own:
# two draws, each charged -- unlike a local query, where they are one)
eps=1.0 runs "attack: HAVING on the DP aggregate in the select list: two draws, each charged" \
  "SELECT ward, civic.dp_count(0.5) FROM people GROUP BY ward HAVING civic.dp_count(0.5) > 0" \
  '{ n++ } END { exit n != 20 }'
eps=0.5 runs "attack: DISTINCT over DP results: charged once" \
  "SELECT DISTINCT ward, civic.dp_count(0.5) FROM people GROUP BY ward" '{ n++ } END { exit n != 20 }'
eps=0.5 runs "attack: the twin called by its own name: charged as the DP aggregate" \
  "SELECT civic._dist_dp_count(0.5) FROM people" '($1 - 5000)^2 < 60^2 { n++ } END { exit n != 1 }'
before=$(spent public.people)
out=$(q coord -c "SELECT civic.dp_count(0.5) OVER () FROM people LIMIT 1")
[[ $out == *"ERROR:  0A000"*"window function"* && $(spent public.people) == "$before" ]]
check $? "attack: a DP aggregate as a window function over the distributed table: refused (0A000), nothing charged"
refused_any "attack: a prepared statement under force_generic_plan: refused, nothing charged" \
  "SET plan_cache_mode = force_generic_plan; PREPARE g(int) AS SELECT ward, civic.dp_count(0.5) FROM people WHERE id > \$1 GROUP BY ward; EXECUTE g(0)"
refused_any "attack: a prepared statement's cached plan (a copy without civic's notes): refused, nothing charged" \
  "PREPARE c AS SELECT civic.dp_count(0.5) FROM people; EXECUTE c; EXECUTE c; EXECUTE c; EXECUTE c; EXECUTE c; EXECUTE c"
q coord >/dev/null <<'SQL'
CREATE FUNCTION dp_in_plpgsql() RETURNS bigint LANGUAGE plpgsql AS
$$BEGIN RETURN (SELECT civic.dp_count(0.5) FROM people); END$$;
SQL
refused_any "attack: a DP query over the distributed table in a plpgsql function (a saved plan): refused" \
  "SELECT dp_in_plpgsql() FROM generate_series(1, 3)"
refused_any "attack: a cursor over a distributed DP query: refused, nothing charged" \
  "BEGIN; DECLARE dc CURSOR FOR SELECT ward, civic.dp_count(0.5) FROM people GROUP BY ward; FETCH 2 FROM dc; FETCH 2 FROM dc; COMMIT"
q coord -c "CREATE AGGREGATE my_count_state(float8) (SFUNC = civic._dist_dp_count_trans, STYPE = civic.dp_state,
                                                     COMBINEFUNC = civic._dist_dp_count_combine)" >/dev/null
state=$(q coord -c "SELECT my_count_state(0.5)::text FROM local_people")
refused_any "attack: a state computed by hand, combined and finalised by coord_combine_agg over VALUES: refused" \
  "SELECT coord_combine_agg('civic._dist_dp_count(float8)'::regprocedure, s::cstring, NULL::bigint) FROM (VALUES ('$state')) v(s)"
refused_any "... and as a scalar subquery beside a distributed DP query: refused" \
  "SELECT civic.dp_count(0.5), (SELECT coord_combine_agg('civic._dist_dp_count(float8)'::regprocedure, '$state'::cstring, NULL::bigint)) FROM people"
refused_any "... and with the aggregate named by an expression: refused" \
  "SELECT coord_combine_agg(('civic._dist_dp_count(float8)'::text)::regprocedure, s::cstring, NULL::bigint) FROM (VALUES ('$state')) v(s)"
# The local-task claim: a function run in a CTE that Citus executes
# locally before the task must not take the task's charge for a DP query
# of its own (over other data), released through a NOTICE.
q coord >/dev/null <<'SQL'
CREATE FUNCTION claim_leak() RETURNS int LANGUAGE plpgsql AS
$$DECLARE v bigint;
BEGIN SELECT civic._dist_dp_count(0.5) INTO v FROM generate_series(1, 1000); RAISE NOTICE 'leaked %', v; RETURN 1; END$$;
SQL
out=$(q coord -c "WITH x AS MATERIALIZED (SELECT claim_leak() FROM wards LIMIT 1)
                  SELECT w.ward, civic.dp_count(0.5) FROM wards w LEFT JOIN people p USING (ward) CROSS JOIN x GROUP BY w.ward")
[[ $out != *leaked* ]]
check $? "attack: a DP query in a function run by a CTE cannot finalise with the local task's charge"
[[ $out != *leaked* ]] || sed 's/^/#   /' <<<"$out" | head -n 3
# The release functions add noise to any number they are given: a call
# civic's planner did not write is refused, however it is written.
refused_any "attack: the fast path's release function written by hand over a distributed count: refused, nothing charged" \
  "SELECT ward, civic._dp_count_release(count(*), 0.5, 0, 0) FROM people GROUP BY ward"
refused_any "... over a sum of unclamped values: refused, nothing charged" \
  "SELECT civic._dp_sum_release(sum(income)::bigint, 0::float8, 1::float8, 0.5, 0, 0) FROM people"
q coord >/dev/null <<'SQL'
CREATE FUNCTION noisy(bigint, bigint) RETURNS bigint LANGUAGE sql VOLATILE
    AS $f$SELECT civic._dp_count_release($1, 0.5, 0, $2)$f$;
SQL
refused_any "... inlined from a SQL function beside a DP count: refused, nothing charged" \
  "SELECT ward, civic.dp_count(0.5), noisy(sum(income), 0) FROM people GROUP BY ward"
refused_any "... with the DP count's own release folded away in HAVING: refused, nothing charged" \
  "SELECT ward, noisy(sum(income), 0) FROM people GROUP BY ward HAVING civic.dp_count(0.5) > 0 OR true"
refused_any "... with a slot read off EXPLAIN of an earlier planning: refused, nothing charged" \
  "SELECT ward, civic.dp_count(0.5), noisy(sum(income), $(q coord -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT ward, civic.dp_count(0.5) FROM people GROUP BY ward" | sed -n "s/.*'\(-\?[0-9]*\)'::bigint).*/\1/p" | head -n 1)) FROM people GROUP BY ward"
# Citus writes PostgreSQL's own functions unqualified in the queries it
# sends to the workers (count(*), sum(...), worker_partial_agg(...)), and
# the workers resolve them with the connection's search path, which a role
# sets (ALTER ROLE ... SET, or SET LOCAL replayed by Citus under
# citus.propagate_set_commands = 'local').  A role's own count(*) before
# pg_catalog would have the workers count a million per row, released with
# the noise of a count (src/citus_names.c): refused on the workers.
q coord >/dev/null <<'SQL'
CREATE ROLE citus_shadow LOGIN;
GRANT SELECT ON people TO citus_shadow;
SELECT civic.set_budget('citus_shadow', 'public.people', 50.0);
CREATE SCHEMA shadow AUTHORIZATION citus_shadow;
SQL
as_shadow() { psql -X -q -At -h 127.0.0.1 -p "${port[coord]}" -U citus_shadow -d civic_citus -v VERBOSITY=verbose "$@" 2>&1; }
as_shadow >/dev/null <<'SQL'
CREATE FUNCTION shadow.inc(bigint) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT AS 'SELECT $1 + 1000000';
CREATE AGGREGATE shadow.count(*) (sfunc = shadow.inc, stype = bigint, initcond = '0');
CREATE FUNCTION shadow.times(bigint, int) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT AS 'SELECT $1 + $2::bigint * 1000000000';
CREATE AGGREGATE shadow.sum(int) (sfunc = shadow.times, stype = bigint, initcond = '0');
SQL
out=$(as_shadow -c "BEGIN" -c "SET LOCAL citus.propagate_set_commands = 'local'" -c "SET LOCAL search_path = shadow, pg_catalog, public" \
        -c "SELECT ward, civic.dp_count(0.5) FROM people GROUP BY ward" -c "ROLLBACK")
[[ $out == *"ERROR:  VB020"*"shadow.count"* && $out != *"|"* ]]
check $? "attack: a role's own count(*) before pg_catalog, through SET LOCAL replayed on the workers: refused there (VB020), nothing released"
[[ $out == *"ERROR:  VB020"* ]] || sed 's/^/#   /' <<<"$out" | head -n 5
out=$(q coord -c "ALTER ROLE citus_shadow SET search_path = shadow, pg_catalog, public"
      as_shadow -c "SELECT id, civic.dp_sum(income, 0, 100000, 0.5) FROM people GROUP BY id")
[[ $out == *"ERROR:  VB020"*"shadow.sum"* && $out != *"|"* ]]
check $? "attack: ... a role's own sum(int), through its default search path: refused on the workers (VB020), nothing released"
[[ $out == *"ERROR:  VB020"* ]] || sed 's/^/#   /' <<<"$out" | head -n 5
out=$(q coord -c "ALTER ROLE citus_shadow RESET search_path"
      as_shadow -c "SELECT count(*) FROM (SELECT ward, civic.dp_count(0.5) FROM people GROUP BY ward) s")
[[ $out == 20 ]]
check $? "... with pg_catalog first again, the same role's DP query runs"
[[ $out == 20 ]] || sed 's/^/#   /' <<<"$out" | head -n 5
# The same role, able to create objects on the workers too, through the
# other names Citus writes unqualified or a role can redirect: an operator
# (IS DISTINCT FROM in a privacy-safe view, run as the view's owner), a
# cast to its own type named like PostgreSQL's, and a trusted extension it
# installs and adds its count(*) to.  A spy function raises SPY if it runs.
as_shadow_on() { psql -X -q -At -h 127.0.0.1 -p "${port[$1]}" -U citus_shadow -d civic_citus -v VERBOSITY=verbose 2>&1; }
q coord >/dev/null <<'SQL'
GRANT USAGE ON SCHEMA stats TO citus_shadow;
GRANT SELECT ON wards TO citus_shadow;
SELECT civic.create_private_view('stats.people_spied',
  $$SELECT w.ward, civic.dp_sum((p.id IS NOT NULL)::int::int8, 0, 1, 0.5) AS residents
      FROM wards w LEFT JOIN people p ON p.ward = w.ward AND p.income IS DISTINCT FROM 0 GROUP BY w.ward$$,
  'citus_shadow');
GRANT CREATE ON DATABASE civic_citus TO citus_shadow;
SQL
for n in coord w1 w2; do as_shadow_on "$n" >/dev/null <<'SQL'
CREATE FUNCTION shadow.spy_eq(a int, b int) RETURNS bool LANGUAGE plpgsql AS
  $f$BEGIN RAISE EXCEPTION 'SPY ran as %', current_user; END$f$;
CREATE OPERATOR shadow.= (leftarg = int, rightarg = int, function = shadow.spy_eq);
CREATE TYPE shadow.text AS ENUM ('x');
CREATE FUNCTION shadow.spy_text(int) RETURNS shadow.text LANGUAGE plpgsql AS
  $f$BEGIN RAISE EXCEPTION 'SPY ran as %', current_user; END$f$;
CREATE CAST (int AS shadow.text) WITH FUNCTION shadow.spy_text(int);
SQL
done
out=$(as_shadow -c "BEGIN" -c "SET LOCAL citus.propagate_set_commands = 'local'" -c "SET LOCAL search_path = shadow, pg_catalog, public" \
        -c "SELECT count(*) FROM stats.people_spied" -c "ROLLBACK")
[[ $out == *"ERROR:  VB020"* && $out != *SPY* ]]
check $? "attack: a role's own = operator under IS DISTINCT FROM in a privacy-safe view's shard query (run as the view's owner): refused (VB020), never run"
[[ $out == *"ERROR:  VB020"* && $out != *SPY* ]] || sed 's/^/#   /' <<<"$out" | head -n 5
# Citus replays the SET LOCAL commands it recorded on the connections it
# opens as the view's owner, even after propagation is switched off again:
# a privacy-safe view over a Citus table is not read in such a transaction
# (the owner's shard queries would resolve names, e.g. in a domain's CHECK,
# through the reader's path); in any other transaction it is.
out=$(as_shadow -c "BEGIN" -c "SET LOCAL citus.propagate_set_commands = 'local'" -c "SET LOCAL search_path = shadow, pg_catalog, public" \
        -c "SET LOCAL citus.propagate_set_commands = 'none'" -c "SELECT count(*) FROM stats.people_spied" -c "ROLLBACK"
      as_shadow -c "BEGIN" -c "SELECT count(*) FROM stats.people_spied" -c "COMMIT")
[[ $out == *"ERROR:  VB020"*"propagates SET LOCAL"*$'\n'20 && $out != *SPY* ]]
check $? "attack: a privacy-safe view read after SET LOCAL that Citus replays as its owner: refused (VB020); in a plain transaction it reads"
[[ $out == *"ERROR:  VB020"*$'\n'20 ]] || sed 's/^/#   /' <<<"$out" | head -n 6
out=$(as_shadow -c "BEGIN" -c "SET LOCAL citus.propagate_set_commands = 'local'" \
        -c "SET LOCAL search_path = shadow, pg_catalog, public" -c "SET LOCAL citus.propagate_set_commands = 'none'" \
        -c "SAVEPOINT s" -c "SELECT count(*) FROM stats.people_spied" -c "ROLLBACK"
      as_shadow -c "BEGIN" -c "SAVEPOINT a" -c "SET LOCAL citus.propagate_set_commands = 'local'" \
        -c "SET LOCAL search_path = shadow, pg_catalog, public" -c "RELEASE SAVEPOINT a" -c "SELECT count(*) FROM stats.people_spied" -c "ROLLBACK")
[[ $out == "ERROR:  VB020"*"propagates SET LOCAL"*"ERROR:  VB020"*"propagates SET LOCAL"* && $out != *SPY* && $out != *$'\n'20* ]]
check $? "attack: ... the same inside a SAVEPOINT, or after RELEASE SAVEPOINT (Citus forgets the commands, the owner's sessions keep them): refused (VB020)"
[[ $out == "ERROR:  VB020"*"ERROR:  VB020"* ]] || sed 's/^/#   /' <<<"$out" | head -n 10
# After a read of the view, the owner's connections are in the reader's
# transaction, and Citus sends the whole query string of a propagated SET
# or RESET to each: a statement after it would run as the owner.
q w1 -c "CREATE TABLE shadow.loot (who text)" -c "GRANT ALL ON shadow.loot TO PUBLIC" >/dev/null
out=$(as_shadow -c "BEGIN" -c "SELECT count(*) FROM stats.people_spied" -c "SET LOCAL citus.propagate_set_commands = 'local'" \
        -c "RESET DateStyle; DO \$\$BEGIN IF current_user <> 'citus_shadow' THEN
              BEGIN INSERT INTO shadow.loot VALUES (current_user); EXCEPTION WHEN OTHERS THEN NULL; END; END IF; END\$\$" \
        -c "COMMIT"
      q w1 -c "SELECT count(*) FROM shadow.loot")
[[ $out == 20$'\n'"ERROR:  VB020"*"cannot be propagated"*$'\n'0 ]]
check $? "attack: a propagated SET or RESET (with statements after it) once the view was read in the transaction: refused (VB020), nothing run as the owner"
[[ $out == 20$'\n'"ERROR:  VB020"*$'\n'0 ]] || sed 's/^/#   /' <<<"$out" | head -n 8
# Citus's limit on intermediate results would fail the view's query when
# the private rows it ships exceed the reader's setting: one exact bit per
# read about the size of the data.  The view runs without the reader's limit.
out=$(as_shadow -c "SET citus.max_intermediate_result_size = '1kB'" -c "SELECT count(*) FROM stats.people_spied")
[[ $out == 20 ]]
check $? "attack: citus.max_intermediate_result_size set low by the reader does not fail a privacy-safe view's read"
[[ $out == 20 ]] || sed 's/^/#   /' <<<"$out" | head -n 5
out=$(as_shadow -c "BEGIN" -c "SET LOCAL citus.propagate_set_commands = 'local'" -c "SET LOCAL search_path = shadow, pg_catalog, public" \
        -c "SELECT ward, civic.dp_median(income, 0, 100000, 0.5) FROM people WHERE income::text IS NOT NULL GROUP BY ward" -c "ROLLBACK")
[[ $out == *"ERROR:  VB020"*"shadow.text"* && $out != *SPY* ]]
check $? "attack: a cast to a role's own type named text: refused on the workers (VB020), never run"
[[ $out == *"ERROR:  VB020"*"shadow.text"* && $out != *SPY* ]] || sed "s/^/#   /" <<<"$out" | head -n 8
out=$(as_shadow -c "CREATE EXTENSION tcn SCHEMA shadow" 2>&1
      for n in coord w1 w2; do as_shadow_on "$n" <<<"ALTER EXTENSION tcn ADD AGGREGATE shadow.count(*)" 2>&1; done
      as_shadow -c "BEGIN" -c "SET LOCAL citus.propagate_set_commands = 'local'" -c "SET LOCAL search_path = shadow, pg_catalog, public" \
        -c "SELECT civic.dp_count(0.5) FROM people" -c "ROLLBACK")
member=$(q w1 -c "SELECT count(*) FROM pg_depend WHERE classid = 'pg_proc'::regclass AND objid = (SELECT p.oid FROM pg_proc p WHERE p.proname = 'count' AND p.pronamespace = 'shadow'::regnamespace) AND deptype = 'e'")
[[ $member == 1 && $out == *"ERROR:  VB020"*"shadow.count"* && $out != *"|"* && $out != *$'\n'[0-9]* ]]
check $? "attack: ... its count(*) added to a trusted extension it installed: still refused (VB020)"
[[ $member == 1 && $out == *"ERROR:  VB020"* ]] || echo "#   member=$member"
[[ $out == *"ERROR:  VB020"* ]] || sed 's/^/#   /' <<<"member=$member $out" | head -n 8
# Not a false alarm for an extension's own objects named like PostgreSQL's:
# citext's = and max, installed by a role that is not a superuser (citext
# is a trusted extension: its script runs as the bootstrap superuser).
out=$(as_shadow -c "CREATE EXTENSION citext SCHEMA shadow" 2>&1
      q coord -c "CREATE TABLE emails (id int PRIMARY KEY, e shadow.citext)" -c "SELECT create_distributed_table('emails', 'id')" \
        -c "INSERT INTO emails SELECT i, 'User' || i || '@X.org' FROM generate_series(1, 100) i" >/dev/null
      q coord -c "SET search_path = public, shadow" -c "SELECT count(*), max(e) FROM emails WHERE e = 'user5@x.org'")
[[ $out == *"1|User5@X.org" ]]
check $? "citext's = and max over a distributed table work (an extension's own objects)"
[[ $out == *"1|User5@X.org" ]] || sed 's/^/#   /' <<<"$out" | head -n 6
# ... and renaming the workers' connections first: a set_config() in WHERE,
# which Citus runs on the workers, gives the connection Citus then reuses
# another application_name and search path.  The name Citus connected with
# still counts.
for n in w1 w2 coord; do as_shadow_on "$n" <<<"DROP TYPE shadow.text CASCADE" >/dev/null 2>&1; done
out=$(as_shadow -c "BEGIN" -c "SET LOCAL citus.max_adaptive_executor_pool_size = 1" \
        -c "SELECT count(*) FROM people WHERE set_config('application_name', 'x', false) IS NOT NULL
              AND set_config('search_path', 'shadow, pg_catalog, public', false) IS NOT NULL" \
        -c "SELECT civic.dp_count(0.5) FROM people" -c "COMMIT")
[[ $out == *"ERROR:  VB020"*"shadow."* && $out != *$'\n'[0-9]* ]]
check $? "attack: ... after renaming the workers' connections with set_config() in WHERE: still refused (VB020)"
[[ $out == *"ERROR:  VB020"*"shadow."* ]] || sed 's/^/#   /' <<<"$out" | head -n 6
[[ $(q coord -c 'SELECT 1') == 1 && $(q w1 -c 'SELECT 1') == 1 && $(q w2 -c 'SELECT 1') == 1 ]]
check $? "attack: every node is still up (no backend crashed)"
echo "1..$t"
exit 0
