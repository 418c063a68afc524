#!/usr/bin/env bash
# DP aggregates over a Citus-distributed table against plain aggregates on
# the same cluster (docs/citus.md, "Benchmark"): a coordinator and two
# workers on this machine, a table `people` of N rows (default 1000000)
# distributed on id over 32 shards, and the query of issue 13
#     SELECT ward, dp_count(0.5), dp_sum(income, 0, 100000, 0.5) FROM people GROUP BY ward
# against the same query with count(*), sum(income); and each aggregate
# alone.  dp_count and dp_sum of integers take civic's fast path (built-in
# count and sum on the workers, noise on the coordinator); dp_avg, shown for
# reference, takes the general path of every other DP aggregate (partial
# states through Citus's worker_partial_agg / coord_combine_agg).  Times are server-side (clock_timestamp() around EXECUTE in a
# PL/pgSQL function on the coordinator); plain and DP runs alternate, and
# each side's best of 7 is kept; the ratio is DP time / plain time (target
# <= 1.25).  The same pairs over a copy local to the coordinator are
# printed for reference, and a pair of combinable custom aggregates of no
# extension (in the "dp" column) against count and sum: the cost of
# Citus's path for any custom aggregate, which DP aggregates take.
# Usage: bash bench/citus.sh [rows]
set -uo pipefail
CIVIC_TOP=$(cd "$(dirname "$0")/.." && pwd)
export PGOPTIONS='-c client_min_messages=warning'
nrows=${1:-1000000}
pgbin=$(pg_config --bindir)
libdir=$(pg_config --pkglibdir)
if [[ -n ${CIVIC_STAGE:-} ]]; then pgbin=$CIVIC_STAGE$pgbin libdir=$CIVIC_STAGE$libdir; fi
if [[ ! -f $libdir/citus.so ]]; then
  echo "Citus is not installed in this PostgreSQL (docs/citus.md: how to build it)" >&2
  exit 1
fi
base=$((${CIVIC_PGPORT:-54329} + 1100))
dir=$(mktemp -d /tmp/civic-citus-bench.XXXXXX)
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
q() {
  local n=$1; shift
  psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${port[$n]}" -U postgres -d civic_bench "$@"
}
for n in "${nodes[@]}"; do
  as_pg "$pgbin/initdb" -D "$dir/$n" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    >"$dir/$n.initdb.log" 2>&1 || { cat "$dir/$n.initdb.log"; exit 1; }
  cat >>"$dir/$n/postgresql.conf" <<CONF
port = ${port[$n]}
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/sock'
shared_preload_libraries = 'citus,civic'
max_connections = 60
shared_buffers = 128MB
jit = off
citus.node_conninfo = 'sslmode=disable'
log_min_messages = warning
CONF
  as_pg "$pgbin/pg_ctl" -D "$dir/$n" -l "$dir/$n.log" -w -t 60 start >/dev/null || { cat "$dir/$n.log"; exit 1; }
  psql -X -q -h 127.0.0.1 -p "${port[$n]}" -U postgres -d postgres -c 'CREATE DATABASE civic_bench' >/dev/null
  q "$n" -c 'CREATE EXTENSION citus' -c 'CREATE EXTENSION civic CASCADE' >/dev/null || exit 1
done
q coord -c "SELECT citus_set_coordinator_host('127.0.0.1', ${port[coord]})" \
  -c "SELECT citus_add_node('127.0.0.1', ${port[w1]})" -c "SELECT citus_add_node('127.0.0.1', ${port[w2]})" >/dev/null || exit 1
q coord -v n="$nrows" >/dev/null <<'SQL' || exit 1
CREATE TABLE people (id int PRIMARY KEY, ward text NOT NULL, income int NOT NULL);
SELECT create_distributed_table('people', 'id', shard_count => 32);
INSERT INTO people SELECT i, 'W' || (i % 20), (i * 37) % 100000 FROM generate_series(1, :n) i;
CREATE TABLE local_people AS SELECT * FROM people;
ANALYZE people; ANALYZE local_people;
-- Combinable aggregates of no extension, for the cost of Citus's path for
-- any custom aggregate (worker_partial_agg / coord_combine_agg).
CREATE AGGREGATE custom_count(int4) (SFUNC = int8inc_any, STYPE = int8, COMBINEFUNC = int8pl, INITCOND = '0');
CREATE AGGREGATE custom_sum(int4) (SFUNC = int4_sum, STYPE = int8, COMBINEFUNC = int8pl);
-- Plain and DP statements run alternately n times; the best time of each, in ms.
CREATE FUNCTION pair_ms(plain text, dp text, n int DEFAULT 7, OUT plain_ms float8, OUT dp_ms float8)
LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz;
BEGIN
  plain_ms := 'Infinity'; dp_ms := 'Infinity';
  FOR i IN 1..n LOOP
    t0 := clock_timestamp();
    EXECUTE plain;
    plain_ms := least(plain_ms, extract(epoch FROM clock_timestamp() - t0) * 1000);
    t0 := clock_timestamp();
    EXECUTE dp;
    dp_ms := least(dp_ms, extract(epoch FROM clock_timestamp() - t0) * 1000);
  END LOOP;
END $$;
SQL
echo "civic on Citus: $nrows rows, 32 shards on 2 workers; server-side ms, best of 7 (alternating)"
printf '%-28s %-24s %10s %10s %8s\n' "table" "query" "plain" "dp" "dp/plain"
declare -A plain_q=([count+sum]="count(*), sum(income)" [count]="count(*)" [sum]="sum(income)"
                    [avg]="avg(income)" [custom]="count(*), sum(income)")
declare -A dp_q=([count+sum]="civic.dp_count(0.5), civic.dp_sum(income, 0, 100000, 0.5)"
                 [count]="civic.dp_count(0.5)" [sum]="civic.dp_sum(income, 0, 100000, 0.5)"
                 [avg]="civic.dp_avg(income, 0, 100000, 0.5)" [custom]="custom_count(income), custom_sum(income)")
for t in people local_people; do
  for k in count+sum count sum avg custom; do
    read -r plain dp < <(q coord -F ' ' -c "SELECT round(plain_ms::numeric, 1), round(dp_ms::numeric, 1)
      FROM pair_ms('SELECT ward, ${plain_q[$k]} FROM $t GROUP BY ward',
                   'SELECT ward, ${dp_q[$k]} FROM $t GROUP BY ward')")
    ratio=$(awk -v a="$dp" -v b="$plain" 'BEGIN { printf "%.2fx", a / b }')
    label=$t; [[ $t == people ]] && label="people (distributed)" || label="local_people (coordinator)"
    what="ward, $k"; [[ $k == custom ]] && what="custom count+sum (no DP)"
    printf '%-28s %-24s %10s %10s %8s\n' "$label" "$what" "$plain" "$dp" "$ratio"
  done
done
