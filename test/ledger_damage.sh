#!/usr/bin/env bash
# Damage to the ledger fails closed.  A byte flipped in the middle of a
# ledger of many records is not a torn tail: after a restart nothing is
# refunded or cut, every DP query and budget change refuses with SQLSTATE
# VB010 naming the file and the offset, civic.ledger_verify() reports the
# offset, what is wrong and the good records after it; only a superuser's
# civic.ledger_accept_damage(offset) lifts it, keeping every readable record.
# A torn tail (an incomplete last record) is still cut silently.  A record of
# an unknown format version is damage too.  Runs its own small cluster.
set -u
source "$CIVIC_TOP/scripts/cluster.sh"

n=0 fails=0
ok() { n=$((n + 1)); if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi; }
is() { if [[ $1 == "$2" ]]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got '$1', expected '$2'"; fi; }
DATA=$CIVIC_RUN/damage_pgdata
SOCK=$CIVIC_RUN/damage_sock
LOG=$CIVIC_RUN/damage.log
LEDGER=$DATA/pg_civic/ledger
ROLE=regress_civic_damage
ctl() { as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 "$@" >/dev/null 2>&1; }
trap 'ctl stop -m immediate' EXIT
q() { psql -X -q -At -d postgres "$@"; }
spent() { q -c "SELECT round(epsilon_spent::numeric, 6) FROM civic.privacy_budgets WHERE role = '$ROLE'::regrole AND dataset IN ('t', 'public.t')"; }
dp() { psql -X -q -At -d postgres -U "$ROLE" -v VERBOSITY=sqlstate -c "SELECT civic.dp_count(0.01) > -1000 FROM v" 2>&1; }
flip() { perl -e 'open(F, "+<", $ARGV[0]) or die; binmode F; seek(F, $ARGV[1], 0); read(F, $b, 1); seek(F, $ARGV[1], 0); print F chr(ord($b) ^ 0x5A); close F' "$1" "$2"; }

echo "1..22"
rm -rf "$DATA" "$SOCK"; mkdir -p "$SOCK"; chown postgres: "$SOCK"
as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$CIVIC_RUN/damage_initdb.log" 2>&1
cat >>"$DATA/postgresql.conf" <<CONF
port = $((CIVIC_PGPORT + 3))
listen_addresses = ''
unix_socket_directories = '$SOCK'
shared_preload_libraries = 'civic'
shared_buffers = 16MB
max_connections = 20
CONF
ctl start
export PGHOST=$SOCK PGPORT=$((CIVIC_PGPORT + 3))
q -c 'CREATE EXTENSION civic CASCADE' >/dev/null 2>&1
q -c "CREATE ROLE $ROLE LOGIN" -c "CREATE ROLE regress_civic_damage_admin LOGIN IN ROLE civic_budget_admin" \
  -c 'CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 100) g' \
  -c 'CREATE VIEW v AS SELECT * FROM t' -c "GRANT SELECT ON v TO $ROLE" \
  -c "SELECT civic.set_budget('$ROLE', 'public.t', 1000)" >/dev/null
# 40 queries of 25 distinct aggregates (0.01 each): 1,000 charge records
aggs=$(for i in $(seq 1 25); do printf 'civic.dp_count(0.01) FILTER (WHERE id > %d),' "$i"; done)
for i in $(seq 1 40); do echo "SELECT ${aggs%,} FROM v;"; done \
  | psql -X -q -d postgres -U "$ROLE" >/dev/null 2>"$CIVIC_RUN/damage_fill.err"
is "$(spent)" "10.000000" "1,000 charges of 0.01 recorded"
before=$(spent)

# 1. flip one byte half-way through the file
ctl stop -m fast
size=$(stat -c %s "$LEDGER")
flip "$LEDGER" $((size / 2))
ctl start; ok $? "the server starts with a damaged ledger"
is "$(stat -c %s "$LEDGER")" "$size" "nothing was cut off the damaged ledger"
grep -q 'privacy ledger "pg_civic/ledger" is damaged at offset' "$LOG"; ok $? "the server log names the damage"
IFS='|' read -r status fsize recs off problem after resync <<<"$(q -c 'SELECT status, file_bytes, records, damage_offset, problem, records_after_damage, resync_offset FROM civic.ledger_verify()')"
is "$status" "damaged" "ledger_verify reports the damage"
ok $(( off <= size / 2 && off > size / 2 - 1500 ? 0 : 1 )) "ledger_verify gives the offset of the damaged record ($off, byte flipped at $((size / 2)))"
is "$problem" "record checksum mismatch" "ledger_verify says what is wrong"
ok $(( recs > 400 && after > 400 && recs + after >= 997 ? 0 : 1 )) "ledger_verify counts good records before ($recs) and after ($after) the damage"
out=$(dp)
is "$out" "ERROR:  VB010" "a DP query refuses with SQLSTATE VB010"
psql -X -q -At -d postgres -U "$ROLE" -c "SELECT civic.dp_count(0.01) FROM v" 2>&1 | grep -q "privacy ledger \"pg_civic/ledger\" is damaged at offset $off"
ok $? "the error names the file and the offset"
is "$(q -v VERBOSITY=sqlstate -c "SELECT civic.set_budget('$ROLE', 'public.t', 2000)" 2>&1)" "ERROR:  VB010" "budget changes refuse too"
now=$(spent)
ok "$(perl -e "print(($now >= $before - 0.02) ? 0 : 1)")" "spending is not refunded (was $before, now $now)"

# 2. accepting the damage: superusers only, at the offset verify reported
is "$(psql -X -q -At -d postgres -U regress_civic_damage_admin -v VERBOSITY=sqlstate -c "SELECT civic.ledger_accept_damage($off)" 2>&1)" \
   "ERROR:  42501" "a budget administrator who is not a superuser cannot accept damage"
is "$(q -v VERBOSITY=sqlstate -c "SELECT civic.ledger_accept_damage($((off + 1)))" 2>&1)" "ERROR:  22023" "accepting another offset is refused"
q -c "SELECT civic.ledger_accept_damage($off)" 2>/dev/null | grep -q "damage accepted by postgres"; ok $? "a superuser accepts the damage"
is "$(q -c 'SELECT status FROM civic.ledger_verify()')" "ok" "the rewritten ledger verifies"
is "$(dp)" "t" "DP queries run again"
after_accept=$(spent)
ok "$(perl -e "print(($after_accept >= $before - 0.02 + 0.01 - 1e-9) ? 0 : 1)")" "only the damaged record is lost (was $before, now $after_accept after one more 0.01)"
ctl restart -m fast
is "$(spent)" "$after_accept" "the accepted ledger replays to the same spending after a restart"

# 3. a torn tail is cut silently and everything before it kept
ctl stop -m fast
size=$(stat -c %s "$LEDGER")
head -c 150 "$LEDGER" >>"$LEDGER"
ctl start
is "$(stat -c %s "$LEDGER")/$(spent)/$(dp)" "$size/$after_accept/t" "a torn tail is cut, nothing else is, and DP works"

# 4. an unknown format version (the first record's magic) is damage
ctl stop -m fast
printf 'CLV9' | dd of="$LEDGER" bs=1 seek=0 count=4 conv=notrunc status=none
ctl start
is "$(q -c 'SELECT status, damage_offset, problem FROM civic.ledger_verify()')" "damaged|0|unknown record format version" "a record of an unknown version is damage at offset 0"
is "$(dp)" "ERROR:  VB010" "and DP refuses"
((fails == 0))
