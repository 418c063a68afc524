#!/usr/bin/env bash
# Records missing from the ledger file fail closed, however they went.
# The file's records are numbered consecutively, and pg_civic/ledger.mark
# holds the number of the last record the file held durably.  A file that
# ends before the mark once recovery is over (its tail zeroed or cut after a
# clean stop, the file deleted, an older copy put back), or WAL replay that
# resumes after a gap (an older copy, completed by the WAL since a later
# checkpoint), is damage: DP queries refuse with VB010, civic.ledger_verify()
# says how many records are missing, and a superuser's
# civic.ledger_accept_damage(offset) lifts it.  A torn tail (records never
# made durable) is still cut silently.  Runs its own small cluster.
set -u
source "$CIVIC_TOP/scripts/cluster.sh"

n=0 fails=0
ok() { n=$((n + 1)); if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi; }
is() { if [[ $1 == "$2" ]]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got '$1', expected '$2'"; fi; }
DATA=$CIVIC_RUN/gaps_pgdata
SOCK=$CIVIC_RUN/gaps_sock
LOG=$CIVIC_RUN/gaps.log
LEDGER=$DATA/pg_civic/ledger
ROLE=regress_civic_gaps
ctl() { as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 "$@" >/dev/null 2>&1; }
trap 'ctl stop -m immediate' EXIT
q() { psql -X -q -At -d postgres "$@"; }
spent() { q -c "SELECT round(epsilon_spent::numeric, 6) FROM civic.privacy_budgets WHERE role = '$ROLE'::regrole AND dataset = 'public.t'"; }
dp() { psql -X -q -At -d postgres -U "$ROLE" -v VERBOSITY=sqlstate -c "SELECT civic.dp_count(0.1) > -1000 FROM v" 2>&1; }
charge() { local i; for i in $(seq 1 "$1"); do dp >/dev/null; done; }
verify() { q -c "SELECT status || '|' || coalesce(damage_offset::text, '') || '|' || coalesce(problem, '') FROM civic.ledger_verify()"; }
# accept the damage ledger_verify reports; prints the offset
accept() {
  local off
  off=$(q -c 'SELECT damage_offset FROM civic.ledger_verify()')
  q -c "SELECT civic.ledger_accept_damage($off)" >/dev/null 2>&1
}

echo "1..17"
rm -rf "$DATA" "$SOCK"; mkdir -p "$SOCK"; chown postgres: "$SOCK"
as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$CIVIC_RUN/gaps_initdb.log" 2>&1
cat >>"$DATA/postgresql.conf" <<CONF
port = $((CIVIC_PGPORT + 8))
listen_addresses = ''
unix_socket_directories = '$SOCK'
shared_preload_libraries = 'civic'
shared_buffers = 16MB
max_connections = 20
CONF
ctl start
export PGHOST=$SOCK PGPORT=$((CIVIC_PGPORT + 8))
q -c 'CREATE EXTENSION civic CASCADE' >/dev/null 2>&1
q -c "CREATE ROLE $ROLE LOGIN" -c 'CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 100) g' \
  -c 'CREATE VIEW v AS SELECT * FROM t' -c "GRANT SELECT ON v TO $ROLE" \
  -c "SELECT civic.set_budget('$ROLE', 'public.t', 1000)" >/dev/null
charge 4
ctl stop -m fast
s4=$(stat -c %s "$LEDGER")
ctl start
charge 1
is "$(spent)" "0.500000" "5 charges of 0.1"
[[ -f $DATA/pg_civic/ledger.mark ]]; ok $? "the mark is written beside the ledger"

# 1. the last three records zeroed after a clean stop: not a torn tail
ctl stop -m fast
size=$(stat -c %s "$LEDGER")
len=$((size - s4))   # one charge record (each query's records carry its text)
dd if=/dev/zero of="$LEDGER" bs=1 seek=$((size - 3 * len)) count=$((3 * len)) conv=notrunc status=none
ctl start
is "$(dp)" "ERROR:  VB010" "zeroed records that were durable: DP refuses (VB010)"
IFS='|' read -r status off problem <<<"$(verify)"
is "$status" "damaged" "ledger_verify reports the damage"
[[ $problem == *"3 records are missing"* ]]; ok $? "and says 3 records are missing ($problem)"
accept; is "$(dp)" "t" "a superuser accepts it; DP runs again"
is "$(spent)" "0.300000" "what the accepted file holds is spent (the loss is accepted, not silent)"

# 2. an older copy of the file put back after a clean stop
cp -p "$LEDGER" "$CIVIC_RUN/gaps_old_ledger"
charge 4
ctl stop -m fast
cp -p "$CIVIC_RUN/gaps_old_ledger" "$LEDGER"
ctl start
is "$(dp)" "ERROR:  VB010" "an older copy of the file: DP refuses"
[[ $(verify) == *"records are missing"* ]]; ok $? "ledger_verify says records are missing"
accept; is "$(dp)" "t" "accepted, DP runs again"

# 3. the file deleted
ctl stop -m fast
rm -f "$LEDGER"
ctl start
is "$(dp)" "ERROR:  VB010" "the file deleted: DP refuses, nothing is refunded in silence"
accept
is "$(dp)" "ERROR:  VB001" "accepted: the budget went with the file, so the role may spend nothing"
q -c "SELECT civic.set_budget('$ROLE', 'public.t', 1000)" >/dev/null
is "$(dp)" "t" "a budget set again: DP runs"

# 4. an older copy completed by WAL: replay resumes after a gap
charge 2
cp -p "$LEDGER" "$CIVIC_RUN/gaps_old_ledger"
charge 4
q -c 'CHECKPOINT' >/dev/null
charge 2
before=$(spent)
ctl stop -m immediate
cp -p "$CIVIC_RUN/gaps_old_ledger" "$LEDGER"
ctl start
is "$(dp)" "ERROR:  VB010" "an older copy that WAL replay completes past a gap: DP refuses"
[[ $(verify) == *"WAL holds ledger record"*"records are missing"* ]]; ok $? "ledger_verify names the gap before WAL's records"
accept; is "$(dp)" "t" "accepted (the records WAL replayed are kept), DP runs again"

# 5. a clean restart with nothing missing stays clean
ctl restart -m fast
is "$(verify | cut -d'|' -f1)/$(dp)" "ok/t" "after a clean restart the ledger verifies and DP runs"
((fails == 0))
