#!/usr/bin/env bash
# Attack: charges made under civic 0.1.0 must count when an account moves
# to zCDP accounting after the upgrade.  0.1.0's ledger records ("CLV1")
# carry epsilon and delta but no rho; read as rho 0, an account that spent
# almost all of its budget under 0.1.0 would get the whole rho budget back
# by set_budget(..., accounting => 'zcdp').  A 0.1.0 charge of pure DP at
# epsilon is epsilon^2/2-zCDP (Bun and Steinke 2016, Prop. 1.4), and so
# is, at most, a 0.1.0 Gaussian charge (see src/ledger.c).  The 0.1.0
# records are written byte for byte by test/lib/ledger.sh.
set -u
source "$CIVIC_TOP/scripts/cluster.sh"
source "$CIVIC_TOP/test/lib/ledger.sh"

n=0 fails=0
is() {
  n=$((n + 1))
  if [[ $1 == "$2" ]]; then echo "ok $n - $3"; else echo "not ok $n - $3"; echo "#   got '$1', expected '$2'"; fails=$((fails + 1)); fi
}
DB=civic_attack_v1
SAVED=$CIVIC_RUN/ledger.before-attack-v1-test
q() { psql -X -q -At -d "$DB" "$@"; }
trap 'ledger_restore "$SAVED"' EXIT

echo "1..5"
ledger_test_db "$DB" attack_v1_analyst

# 0.1.0 records: a budget of epsilon 1 on table t, and charges of 0.9
# (Laplace) and of 0.05 with delta 1e-7 (Gaussian)
ledger_v1_records "$dbid" "$roleid" "$relid" \
  'B|1.0|1000000000|||' \
  'C|0.9|900000000|dp_count|discrete_laplace|SELECT civic.dp_count(0.9) FROM v' \
  'C|0.05|50000000|dp_count|discrete_gaussian|SELECT civic.dp_count(0.05, 1e-7) FROM v|1e-7|100000000000' \
  | ledger_install "$SAVED"

rho_spent() { q -c "SELECT round(rho_spent::numeric, 6) FROM civic.privacy_budgets WHERE role = 'attack_v1_analyst'::regrole AND dataset = 'public.t'"; }
is "$(q -c "SELECT count(*) FROM civic.privacy_ledger WHERE role = 'attack_v1_analyst'::regrole AND rho > 0")" "2" \
   "the 0.1.0 charges carry a rho"
# 0.9^2/2 + 0.05^2/2 = 0.40625
is "$(rho_spent)" "0.406250" "their rho is epsilon^2/2 each"
q -c "SELECT civic.set_budget('attack_v1_analyst', 'public.t', 1.0, 1e-6, 'zcdp')" >/dev/null
# the zCDP budget of (1, 1e-6) is a rho of about 0.02, long spent
is "$(q -U attack_v1_analyst -v VERBOSITY=sqlstate -c "SELECT civic.dp_count(0.1, 1e-8) FROM v" 2>&1)" \
   "ERROR:  VB001" "moving to zCDP refunds nothing: a Gaussian query is refused"
cluster_ctl -w -t 60 restart >/dev/null; ledger_wait_ready
is "$(rho_spent)" "0.406250" "the same after a restart"
q -c "SELECT civic.ledger_compact()" >/dev/null
cluster_ctl -w -t 60 restart >/dev/null; ledger_wait_ready
is "$(rho_spent)" "0.406250" "and after compaction and a restart"

ledger_restore "$SAVED"
trap - EXIT
ledger_test_drop "$DB" attack_v1_analyst
exit $((fails > 0))
