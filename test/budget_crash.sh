#!/usr/bin/env bash
# A charge survives what no transaction can undo: a statement cancelled from
# another session after its first row, the backend terminated, the backend
# killed with SIGKILL (the whole server crash-restarts), and an immediate
# shutdown (pg_ctl stop -m immediate).  Also: a torn record at the end of the
# ledger file is cut off at restart and the charges before it are kept.
set -u
source "$CIVIC_TOP/scripts/cluster.sh"

DB=civic_budget_crash
ROLE=regress_civic_crash
n=0 fails=0
ok() {  # ok CONDITION-STATUS DESCRIPTION
  n=$((n + 1))
  if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
is() {  # is GOT EXPECTED DESCRIPTION
  if [[ $1 == "$2" ]]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got '$1', expected '$2'"; fi
}
admin() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }
state() {  # charges, ledger epsilon, shared-memory spend
  admin "SELECT (SELECT count(*) FROM civic.privacy_ledger WHERE role = '$ROLE'::regrole)
             || ' ' || (SELECT coalesce(sum(epsilon), 0) FROM civic.privacy_ledger WHERE role = '$ROLE'::regrole)
             || ' ' || (SELECT epsilon_spent FROM civic.privacy_budgets
                         WHERE role = '$ROLE'::regrole AND dataset = 'budget_crash.raw')"
}
wait_ready() {
  local i
  for i in $(seq 1 120); do
    psql -X -At -d postgres -c 'SELECT 1' >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}
# Start the slow query as the analyst in the background; set slow_pid (its
# backend) once its first row has been produced (a pg_sleep(1) per row).
SLOW="SELECT grp, n > -1000 AS released, pg_sleep(1) FROM (SELECT grp, civic.dp_count(1.0) AS n FROM budget_crash.v GROUP BY grp) s"
start_slow() {
  psql -X -At -d "$DB" -U "$ROLE" -c "$SLOW" >"$CIVIC_RUN/slow.out" 2>&1 &
  slow_client=$!
  local i pid=
  for i in $(seq 1 100); do
    pid=$(admin "SELECT pid FROM pg_stat_activity WHERE usename = '$ROLE' AND state = 'active' AND query LIKE 'SELECT grp%'")
    [[ -n $pid ]] && break
    sleep 0.1
  done
  sleep 1.5     # the first row has gone out
  slow_pid=$pid
}

echo "1..14"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS $ROLE" >/dev/null 2>&1
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $DB" -c "CREATE ROLE $ROLE LOGIN" >/dev/null
admin "CREATE EXTENSION civic CASCADE" 2>/dev/null
admin "CREATE SCHEMA budget_crash; GRANT USAGE ON SCHEMA budget_crash TO PUBLIC;
       CREATE TABLE budget_crash.raw AS SELECT g AS id, g % 10 AS grp FROM generate_series(1, 1000) g;
       CREATE VIEW budget_crash.v AS SELECT * FROM budget_crash.raw;
       GRANT SELECT ON budget_crash.v TO $ROLE;
       SELECT civic.set_budget('$ROLE', 'budget_crash.raw', 100);" >/dev/null
is "$(state)" "0 0 0" "fresh account: nothing charged"

# 1. pg_cancel_backend from another session, after the first row
start_slow; pid=$slow_pid
admin "SELECT pg_cancel_backend($pid)" >/dev/null
wait "$slow_client"
grep -q "canceling statement due to user request" "$CIVIC_RUN/slow.out"; ok $? "statement cancelled by pg_cancel_backend"
is "$(state)" "1 1 1" "the cancelled statement stays charged"

# 2. pg_terminate_backend
start_slow; pid=$slow_pid
admin "SELECT pg_terminate_backend($pid)" >/dev/null
wait "$slow_client"
grep -q "terminating connection due to administrator command" "$CIVIC_RUN/slow.out"; ok $? "backend terminated"
is "$(state)" "2 2 2" "the terminated backend's statement stays charged"

# 3. kill -9 of the backend: the postmaster resets shared memory and replays the ledger
start_slow; pid=$slow_pid
kill -9 "$pid"
wait "$slow_client"
wait_ready; ok $? "server back after crash-restart"
is "$(state)" "3 3 3" "the killed backend's statement stays charged, in the ledger and in shared memory"

# 4. immediate shutdown right after a charge
psql -X -q -At -d "$DB" -U "$ROLE" -c "SELECT civic.dp_count(0.5) > 0 FROM budget_crash.v" >/dev/null
is "$(state)" "4 3.5 3.5" "charged before the crash"
cluster_ctl stop -m immediate >/dev/null 2>&1
cluster_ctl -w -t 60 start >/dev/null 2>&1; wait_ready; ok $? "server restarted after pg_ctl stop -m immediate"
is "$(state)" "4 3.5 3.5" "the charge survived the crash"

# 5. the budget holds across the restart: 96.5 left, so 96 more epsilon in one query passes, 1 more fails
admin "SELECT civic.set_budget('$ROLE', 'budget_crash.raw', 4)" >/dev/null
out=$(psql -X -At -d "$DB" -U "$ROLE" -v VERBOSITY=sqlstate -c "SELECT civic.dp_count(1.0) FROM budget_crash.v" 2>&1)
is "$out" "ERROR:  VB001" "after restart, spending beyond the budget fails with VB001"

# 6. a torn record at the end of the file (a crash during a write) is cut off
cluster_ctl -w -t 60 stop -m fast >/dev/null 2>&1
size=$(stat -c %s "$CIVIC_PGDATA/pg_civic/ledger")
head -c 100 "$CIVIC_PGDATA/pg_civic/ledger" >>"$CIVIC_PGDATA/pg_civic/ledger"
cluster_ctl -w -t 60 start >/dev/null 2>&1; wait_ready; ok $? "server starts with a torn record at the end of the ledger"
is "$(stat -c %s "$CIVIC_PGDATA/pg_civic/ledger")" "$size" "the torn record was cut off"
is "$(state)" "4 3.5 3.5" "the charges before it are all there"

admin "SELECT 1" >/dev/null
psql -X -q -d postgres -c "DROP DATABASE $DB" >/dev/null 2>&1
((fails == 0))
