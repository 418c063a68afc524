#!/usr/bin/env bash
# Without civic in shared_preload_libraries there is no ledger: the DP
# aggregates refuse to run (SQLSTATE VB002) rather than run unmetered, and the
# budget functions say why.  The server is restarted without the preload and
# then restarted again as configured.
set -u
source "$CIVIC_TOP/scripts/cluster.sh"

n=0 fails=0
is() {
  n=$((n + 1))
  if [[ $1 == "$2" ]]; then echo "ok $n - $3"; else echo "not ok $n - $3"; echo "#   got '$1', expected '$2'"; fails=$((fails + 1)); fi
}
wait_ready() {
  local i
  for i in $(seq 1 120); do
    psql -X -At -d postgres -c 'SELECT 1' >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}
DB=civic_budget_preload

echo "1..5"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $DB" >/dev/null
psql -X -q -d "$DB" -c "CREATE EXTENSION civic CASCADE" >/dev/null 2>&1
psql -X -q -d "$DB" -c "CREATE TABLE t AS SELECT g FROM generate_series(1, 100) g" >/dev/null

cluster_ctl -w -t 60 restart -o "-c shared_preload_libraries=''" >/dev/null 2>&1; wait_ready
is "$(psql -X -At -d "$DB" -c 'SHOW shared_preload_libraries')" "" "server runs without the preload"
is "$(psql -X -At -d "$DB" -v VERBOSITY=sqlstate -c 'SELECT civic.dp_count(1.0) FROM t' 2>&1)" \
   "ERROR:  VB002" "dp_count refuses to run unmetered"
is "$(psql -X -At -d "$DB" -c 'SELECT civic.dp_count(1.0) FROM t' 2>&1 | grep -c 'shared_preload_libraries')" \
   "2" "the error says to add civic to shared_preload_libraries"
is "$(psql -X -At -d "$DB" -v VERBOSITY=sqlstate -c "SELECT * FROM civic.budget_remaining('t')" 2>&1)" \
   "ERROR:  VB002" "budget functions need the preload too"

# (pg_ctl restart would reuse the -o options: stop and start instead)
cluster_ctl -w -t 60 stop -m fast >/dev/null 2>&1
cluster_ctl -w -t 60 start >/dev/null 2>&1; wait_ready
is "$(psql -X -At -d "$DB" -c 'SELECT civic.dp_count(1.0) > 0 FROM t' 2>&1)" "t" "with the preload back, dp_count runs"
psql -X -q -d postgres -c "DROP DATABASE $DB" >/dev/null 2>&1
((fails == 0))
