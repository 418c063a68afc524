#!/usr/bin/env bash
# Attack: a ledger record with negative spending, crafted by someone who can
# write $PGDATA (a correct checksum is easy to make), must not read as a
# refund.  No version of civic writes one, so it is damage: the ledger is
# marked damaged at its offset, every DP query refuses with VB010 and
# civic.ledger_verify() says what is wrong -- also when the record is the
# last one, where a bad record followed by nothing would pass for a torn
# tail.  Accepting the damage drops the record.  Both formats: a 0.1.0
# record ("CLV1") and a current one ("CLV2", a real charge with its cost
# edited; an account's state after compaction).  Records are crafted by test/lib/ledger.sh; the cluster's own
# ledger is put back at the end.
set -u
source "$CIVIC_TOP/scripts/cluster.sh"
source "$CIVIC_TOP/test/lib/ledger.sh"

n=0 fails=0
is() {
  n=$((n + 1))
  if [[ $1 == "$2" ]]; then echo "ok $n - $3"; else echo "not ok $n - $3"; echo "#   got '$1', expected '$2'"; fails=$((fails + 1)); fi
}
DB=civic_ledger_negative
ROLE=ledger_negative_analyst
SAVED=$CIVIC_RUN/ledger.before-negative-test
q() { psql -X -q -At -d "$DB" "$@"; }
trap 'ledger_restore "$SAVED"' EXIT
spent() { q -c "SELECT round(epsilon_spent::numeric, 6) FROM civic.privacy_budgets WHERE role = '$ROLE'::regrole AND dataset = 'public.t'"; }
dp() { q -U "$ROLE" -v VERBOSITY=sqlstate -c "SELECT civic.dp_count(0.25) > -1000 FROM v" 2>&1; }
verify() { q -c "SELECT concat_ws('|', status, damage_offset, problem) FROM civic.ledger_verify()"; }
restart() { cluster_ctl -w -t 60 stop >/dev/null; "$@"; cluster_ctl -w -t 60 start >/dev/null; ledger_wait_ready; }

echo "1..13"
ledger_test_db "$DB" "$ROLE"

# 1. 0.1.0 records: a budget of 1, a charge of 0.25 and, last, one of -0.5
text1='SELECT civic.dp_count(0.25) FROM v'
ledger_v1_records "$dbid" "$roleid" "$relid" \
  'B|1.0|1000000000|||' \
  "C|0.25|250000000|dp_count|discrete_laplace|$text1" \
  'C|-0.5|-500000000|dp_count|discrete_laplace|SELECT 1' \
  | ledger_install "$SAVED"
is "$(verify)" "damaged|$((264 + 264 + ${#text1}))|record with negative spending" \
   "a 0.1.0 charge of negative epsilon is damage at its offset"
is "$(dp)" "ERROR:  VB010" "DP refuses while it is there"
is "$(spent)" "0.250000" "it refunds nothing"

# 2. the current format: a real charge, its cost edited
printf '' | ledger_install "$SAVED"
q -c "SELECT civic.set_budget('$ROLE', 'public.t', 1)" >/dev/null
is "$(dp)/$(spent)" "t/0.250000" "a fresh ledger charges 0.25"
restart ledger_patch_record C 250000000 500000000
is "$(verify | cut -d'|' -f1)/$(spent)" "ok/0.500000" \
   "an edited positive cost reads as written (the crafting is sound)"
restart ledger_patch_record C 500000000 -500000000
off=$(q -c "SELECT damage_offset FROM civic.ledger_verify()")
is "$(verify)" "damaged|$off|record with negative spending" \
   "a charge of negative epsilon is damage, though it is the last record"
is "$(dp)" "ERROR:  VB010" "DP refuses"
is "$(q -v VERBOSITY=sqlstate -c "SELECT civic.set_budget('$ROLE', 'public.t', 2)" 2>&1)" "ERROR:  VB010" \
   "budget changes refuse"
grep -q "privacy ledger \"pg_civic/ledger\" is damaged at offset $off: record with negative spending" "$CIVIC_LOG"
is "$?" "0" "the server log names the damage"
q -c "SELECT civic.ledger_accept_damage($off)" >/dev/null 2>&1
is "$(verify | cut -d'|' -f1)/$(spent)" "ok/0.000000" \
   "accepting the damage drops the record: no negative spending"
is "$(dp)" "t" "DP runs again"

# 3. compaction's record of an account's state, its spending edited
q -c "SELECT civic.ledger_compact()" >/dev/null
restart ledger_patch_record S 250000000 -250000000
off=$(q -c "SELECT damage_offset FROM civic.ledger_verify()")
is "$(verify)" "damaged|$off|record with negative spending" \
   "an account state of negative spending is damage"
is "$(dp)" "ERROR:  VB010" "DP refuses"

ledger_restore "$SAVED"
trap - EXIT
ledger_test_drop "$DB" "$ROLE"
exit $((fails > 0))
