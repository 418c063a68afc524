#!/usr/bin/env bash
# civic on Citus (docs/citus.md): until distributed DP aggregates are built,
# every query that would run a DP aggregate through Citus is refused with
# VB020 -- on the coordinator, for every plan shape that distributes it, and
# on a worker for the connections Citus opens -- while queries without DP
# aggregates and DP over the coordinator's local tables keep working.
# Shards count as their distributed table: a shard read directly on the
# coordinator is charged to its table, and DP over a Citus table or shard on
# any other node (a worker, a Citus MX node) is refused with VB020.
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

echo "1..20"
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
refused coord "DP aggregate grouped by a non-distribution column: refused (VB020)" \
  "SELECT ward, civic.dp_count(0.5), civic.dp_sum(income, 0, 100000, 0.5) FROM people GROUP BY ward"
refused coord "DP aggregate over the whole distributed table: refused" \
  "SELECT civic.dp_count(0.5) FROM people"
refused coord "DP aggregate grouped by the distribution column (pushed down whole to the workers): refused" \
  "SELECT id % 7, civic.dp_count(0.5) FROM people GROUP BY id"
refused coord "DP aggregate over a raw-row subquery (an intermediate result): refused" \
  "SELECT civic.dp_count(0.5) FROM (SELECT * FROM people OFFSET 0) s"
refused coord "DP aggregate over a join with a reference table: refused" \
  "SELECT w.ward, civic.dp_avg(p.income, 0, 100000, 1.0) FROM wards w LEFT JOIN people p USING (ward) GROUP BY w.ward"
refused coord "DP median over a distributed table: refused" \
  "SELECT civic.dp_median(income, 0, 100000, 1.0) FROM people"
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
n_ledger=$(q coord -c "SELECT count(*) FROM civic.privacy_ledger WHERE dataset = 'public.people'")
[[ $n_ledger == 0 ]]
check $? "nothing was charged for the refused distributed queries"

# A privacy-safe view over the distributed table, read by an analyst with a
# budget, rights on the (reference) table of wards only and none on people
# or its shards.  civic serves the view through civic._private_view_rows(),
# which runs it as its owner, so that Citus would connect to the workers as
# the owner (src/pv_citus.c); until distributed DP aggregates are built, the
# view's own query is refused in there as any distributed DP query is
# (VB020): nothing charged, no rows.
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
        -c "SELECT * FROM stats.people_by_ward" -c "SELECT count(*) FROM people" 2>&1)
pv_ok() { [[ $out == "Function Scan on _private_view_rows people_by_ward"*"ERROR:  VB020"*'SQL statement "SELECT * FROM stats.people_by_ward"'*"ERROR:  42501"* && $out != *W1* ]]; }
pv_ok
check $? "a privacy-safe view over a distributed table: served as its owner by civic._private_view_rows, whose query is refused (VB020); its analyst cannot read the table"
pv_ok || sed 's/^/#   /' <<<"$out$(grep -i error "$dir/view.log")" | head -n 8
[[ $(q coord -c "SELECT count(*) FROM civic.privacy_ledger WHERE dataset = 'public.people'") == 0 ]]
check $? "nothing was charged for the refused view"
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
        -c "SELECT string_agg(dataset, ',') FROM civic.privacy_ledger WHERE dataset LIKE 'public.wards%'")
[[ -n $wshard && $out == $'t\npublic.wards' ]]
check $? "on the coordinator, DP over a reference table's shard is charged to the reference table"
[[ -n $wshard && $out == $'t\npublic.wards' ]] || sed 's/^/#   /' <<<"shard=$wshard $out" | head -n 5

# ...but a table that only looks like the shard (same name, another schema)
# is itself.
out=$(q coord -c "CREATE SCHEMA lookalike" -c "CREATE TABLE lookalike.wards_$wshard AS SELECT 1 AS x" \
        -c "SELECT civic.dp_count(0.5) IS NOT NULL FROM lookalike.wards_$wshard" \
        -c "SELECT string_agg(dataset, ',' ORDER BY dataset) FROM civic.privacy_ledger WHERE dataset LIKE '%wards%'")
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
exit 0
