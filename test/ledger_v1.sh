#!/usr/bin/env bash
# A ledger written by civic 0.1.0 -- what an upgrade to 0.2.0 meets in
# $PGDATA/pg_civic/ledger -- is read by this version: its budgets and
# charges count, the privacy_ledger view shows them, new records are
# appended in the current format after them, and the mixed file is read
# back the same after a restart and after compaction (which rewrites it in
# the current format).  The 0.1.0 records are written byte for byte in
# their fixed on-disk layout ("CLV1" records, src/ledger.c), with their
# CRC-32C (test/lib/ledger.sh).  The cluster's own ledger is put back at
# the end.
set -u
source "$CIVIC_TOP/scripts/cluster.sh"
source "$CIVIC_TOP/test/lib/ledger.sh"

n=0 fails=0
is() {
  n=$((n + 1))
  if [[ $1 == "$2" ]]; then echo "ok $n - $3"; else echo "not ok $n - $3"; echo "#   got '$1', expected '$2'"; fails=$((fails + 1)); fi
}
DB=civic_ledger_v1
SAVED=$CIVIC_RUN/ledger.before-v1-test
q() { psql -X -q -At -d "$DB" "$@"; }
trap 'ledger_restore "$SAVED"' EXIT

echo "1..9"
ledger_test_db "$DB" ledger_v1_analyst

# two 0.1.0 records: a budget of epsilon 1 on table t, and a charge of 0.25
ledger_v1_records "$dbid" "$roleid" "$relid" \
  'B|1.0|1000000000|||' \
  'C|0.25|250000000|dp_count|discrete_laplace|SELECT civic.dp_count(0.25) FROM v' \
  | ledger_install "$SAVED"

remaining() { q -c "SELECT round(epsilon::numeric, 6) FROM civic.budget_remaining('public.t', 'ledger_v1_analyst')"; }
is "$(remaining)" "0.750000" "the 0.1.0 budget and charge count: 0.75 of 1 left"
is "$(q -c "SELECT aggregate || ' ' || mechanism || ' ' || round(epsilon::numeric, 2) || ' ' || query FROM civic.privacy_ledger WHERE role = 'ledger_v1_analyst'::regrole")" \
   "dp_count discrete_laplace 0.25 SELECT civic.dp_count(0.25) FROM v" "the privacy_ledger view shows the 0.1.0 charge"
q -U ledger_v1_analyst -c "SELECT civic.dp_count(0.5) FROM v" >/dev/null 2>&1
is "$(remaining)" "0.250000" "a new charge is appended after them"
is "$(q -U ledger_v1_analyst -v VERBOSITY=sqlstate -c "SELECT civic.dp_count(0.5) FROM v" 2>&1)" \
   "ERROR:  VB001" "the budget they leave is enforced"
cluster_ctl -w -t 60 restart >/dev/null; ledger_wait_ready
is "$(remaining)" "0.250000" "the mixed file reads back the same after a restart"
is "$(q -c "SELECT status FROM civic.ledger_verify()")" "ok" "ledger_verify finds the mixed file sound"
q -c "SELECT civic.ledger_compact()" >/dev/null
is "$(od -An -tx4 -N4 "$LEDGER" | tr -d ' ')" "32564c43" "compaction rewrites the file in the current format (CLV2)"
cluster_ctl -w -t 60 restart >/dev/null; ledger_wait_ready
is "$(remaining)" "0.250000" "and it reads back the same"
is "$(q -c "SELECT count(*) FROM civic.privacy_ledger WHERE role = 'ledger_v1_analyst'::regrole")" \
   "1" "the charges folded by compaction show as one row"

ledger_restore "$SAVED"
trap - EXIT
ledger_test_drop "$DB" ledger_v1_analyst
exit $((fails > 0))
