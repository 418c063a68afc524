#!/usr/bin/env bash
# Failover does not refund the privacy budget.  Every ledger record also
# goes to WAL (civic's resource manager), so a streaming standby made with
# pg_basebackup -R replays the primary's charges, budget changes and dataset
# declarations into its own shared memory and ledger file; it refuses to
# charge (VB012) while in recovery; promoted, it has exactly what was spent
# on the primary.  Crash recovery replays WAL too: charges that the ledger
# file lost since the last checkpoint come back from WAL after an immediate
# stop.  With synchronous replication a charge waits for the synchronous
# standbys.  Runs its own primary and standby (unix sockets, ports
# CIVIC_PGPORT+5 and +6).
set -u
source "$CIVIC_TOP/scripts/cluster.sh"

n=0 fails=0
ok() { n=$((n + 1)); if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi; }
is() { if [[ $1 == "$2" ]]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got '$1', expected '$2'"; fi; }
P=$CIVIC_RUN/fo_primary S=$CIVIC_RUN/fo_standby SOCK=$CIVIC_RUN/fo_sock
PPORT=$((CIVIC_PGPORT + 5)) SPORT=$((CIVIC_PGPORT + 6))
ROLE=regress_civic_failover
ctl() { local d=$1; shift; as_pg "$PGBIN/pg_ctl" -D "$d" -l "$d.log" -w -t 60 "$@" >/dev/null 2>&1; }
trap 'ctl "$S" stop -m immediate; ctl "$P" stop -m immediate' EXIT
qp() { psql -X -q -At -h "$SOCK" -p "$PPORT" -d postgres "$@"; }
qs() { psql -X -q -At -h "$SOCK" -p "$SPORT" -d postgres "$@"; }
STATE="SELECT count(*) || ' ' || round(coalesce(sum(epsilon), 0)::numeric, 6) FROM civic.privacy_ledger WHERE role = '$ROLE'::regrole"
BUDGET="SELECT dataset || ' ' || epsilon_budget || ' ' || round(epsilon_spent::numeric, 6) FROM civic.privacy_budgets WHERE role = '$ROLE'::regrole ORDER BY 1"
charge() {  # charge PORT COUNT: COUNT queries of two aggregates (0.01 + 0.02) as the analyst
  local i
  for i in $(seq 1 "$2"); do
    echo "SELECT civic.dp_count(0.01) > -1000, civic.dp_count(0.02) > -1000 FROM v;"
  done | psql -X -q -At -h "$SOCK" -p "$1" -d postgres -U "$ROLE" >/dev/null
}
caught_up() {
  local i lsn
  lsn=$(qp -c 'SELECT pg_current_wal_lsn()')
  for i in $(seq 1 120); do
    [[ $(qs -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'") == t ]] && return 0
    sleep 0.5
  done
  return 1
}

echo "1..20"
rm -rf "$P" "$S" "$SOCK"; mkdir -p "$SOCK"; chown postgres: "$SOCK" "$CIVIC_RUN"
as_pg "$PGBIN/initdb" -D "$P" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$CIVIC_RUN/fo_initdb.log" 2>&1
cat >>"$P/postgresql.conf" <<CONF
port = $PPORT
listen_addresses = ''
unix_socket_directories = '$SOCK'
shared_preload_libraries = 'civic'
shared_buffers = 16MB
max_connections = 20
wal_level = replica
max_wal_senders = 4
CONF
ctl "$P" start
qp -c 'CREATE EXTENSION civic CASCADE' >/dev/null 2>&1
qp -c "CREATE ROLE $ROLE LOGIN" \
   -c 'CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 100) g' \
   -c 'CREATE TABLE u AS SELECT g AS id FROM generate_series(1, 100) g' \
   -c 'CREATE VIEW v AS SELECT * FROM t' -c "GRANT SELECT ON v TO $ROLE" \
   -c "SELECT civic.set_budget('$ROLE', 'public.t', 10)" >/dev/null
charge "$PPORT" 10
is "$(qp -c "$STATE")" "20 0.300000" "primary: 10 queries charged before the base backup"

# the standby: a base backup of the running primary
as_pg "$PGBIN/pg_basebackup" -h "$SOCK" -p "$PPORT" -U postgres -D "$S" -R -X stream -c fast >"$CIVIC_RUN/fo_basebackup.log" 2>&1
ok $? "pg_basebackup -R makes a standby"
cat >>"$S/postgresql.conf" <<CONF
port = $SPORT
CONF
ctl "$S" start; ok $? "the standby starts"
is "$(qs -c 'SELECT pg_is_in_recovery()')" "t" "it is a streaming standby"
# as a synchronous standby it confirms each charge, and answers return
qp -c "ALTER SYSTEM SET synchronous_standby_names = '*'" -c 'SELECT pg_reload_conf()' >/dev/null
for i in $(seq 1 60); do
  [[ $(qp -c 'SELECT sync_state FROM pg_stat_replication') == sync ]] && break
  sleep 0.5
done
is "$(qp -c 'SET synchronous_commit = local' -c 'SET statement_timeout = 20000' -c 'SELECT civic.dp_count(0.01) > -1000 FROM t' 2>&1)" \
   "t" "with a synchronous standby streaming, a charge waits for its confirmation and the answer returns"
qp -c 'ALTER SYSTEM RESET synchronous_standby_names' -c 'SELECT pg_reload_conf()' >/dev/null

# after the backup: charges, a budget change and a dataset declaration
charge "$PPORT" 25
qp -c "SELECT civic.set_budget('$ROLE', 'public.t', 7.5)" -c "SELECT civic.declare_dataset('fo_other', ARRAY['u']::regclass[])" \
   -c "SELECT civic.set_budget('$ROLE', 'fo_other', 3)" >/dev/null
primary_state=$(qp -c "$STATE"); primary_budget=$(qp -c "$BUDGET")
is "$primary_state" "70 1.050000" "primary: 35 queries charged in all"
caught_up; ok $? "the standby replays the primary's WAL"
is "$(qs -c "$STATE")" "$primary_state" "standby: the same charges in its ledger"
is "$(qs -c "$BUDGET")" "$primary_budget" "standby: the same budgets and spending in shared memory"
is "$(psql -X -q -At -h "$SOCK" -p "$SPORT" -d postgres -U "$ROLE" -v VERBOSITY=sqlstate -c 'SELECT civic.dp_count(0.01) FROM v' 2>&1)" \
   "ERROR:  VB012" "a DP query on the standby is refused (it cannot charge)"

# failover: the primary dies, the standby is promoted
ctl "$P" stop -m immediate
ctl "$S" promote; ok $? "the standby is promoted"
is "$(qs -c 'SELECT pg_is_in_recovery()')/$(qs -c "$STATE")/$(qs -c "$BUDGET")" "f/$primary_state/$primary_budget" \
   "promoted: exactly what was spent on the primary, with its budgets"
# 7.5 - 1.05 = 6.45 left: 215 queries of 0.03 fit, the 216th does not
charge "$SPORT" 215
is "$(psql -X -q -At -h "$SOCK" -p "$SPORT" -d postgres -U "$ROLE" -v VERBOSITY=sqlstate -c 'SELECT civic.dp_count(0.01), civic.dp_count(0.02) FROM v' 2>&1)" \
   "ERROR:  VB001" "the new primary enforces the budget from where the old one left it"
is "$(qs -c "$STATE")" "500 7.500000" "and its ledger holds the whole budget, spent once"

# crash recovery replays WAL into the ledger: lose the file's newest records
qs -c "SELECT civic.set_budget('$ROLE', 'public.t', 100)" -c 'CHECKPOINT' >/dev/null
ctl "$S" stop -m fast
size=$(stat -c %s "$S/pg_civic/ledger")
ctl "$S" start
charge "$SPORT" 20
before=$(qs -c "$STATE")
ctl "$S" stop -m immediate
truncate -s "$size" "$S/pg_civic/ledger"
ctl "$S" start
is "$(qs -c "$STATE")" "$before" "after an immediate stop, charges missing from the file come back from WAL"
ctl "$S" restart -m fast
is "$(qs -c "$STATE")" "$before" "and they are in the file again"
# with synchronous replication a charge waits for the synchronous standbys
# before any row leaves (here there is none: the wait is cut by a timeout)
qs -c "ALTER SYSTEM SET synchronous_standby_names = '*'" -c 'SELECT pg_reload_conf()' >/dev/null
sleep 1
out=$(psql -X -q -At -h "$SOCK" -p "$SPORT" -d postgres -U "$ROLE" -c 'SET statement_timeout = 2000' -c 'SELECT civic.dp_count(0.01) > -1000 FROM v' 2>&1)
echo "$out" | grep -q 'canceling wait for synchronous replication'; ok $? "with synchronous_standby_names set, a charge waits for a synchronous standby"
! grep -qx 't' <<<"$out" && grep -q 'did not confirm the privacy charge' <<<"$out"
ok $? "... and when the wait is cut, the query returns no answer (the charge stands, unconfirmed)"
# the session's synchronous_commit cannot skip the wait
out=$(psql -X -q -At -h "$SOCK" -p "$SPORT" -d postgres -U "$ROLE" -c 'SET synchronous_commit = local' -c 'SET statement_timeout = 2000' -c 'SELECT civic.dp_count(0.01) > -1000 FROM v' 2>&1)
grep -q 'canceling wait for synchronous replication' <<<"$out" && ! grep -qx 't' <<<"$out"
ok $? "a role's synchronous_commit = local does not skip the wait, nor release an answer"
[[ $out == *"canceling wait"* ]] || sed 's/^/#   /' <<<"$out" | head -n 4
qs -c 'ALTER SYSTEM RESET synchronous_standby_names' -c 'SELECT pg_reload_conf()' >/dev/null
is "$(qs -c 'SELECT status FROM civic.ledger_verify()')" "ok" "the ledger verifies"
((fails == 0))
