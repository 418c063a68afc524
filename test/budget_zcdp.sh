#!/usr/bin/env bash
# zCDP accounting survives a crash, a restart and compaction exactly: the
# rho spent is the sum of the charges' rho in the ledger's integer units,
# before and after.  (docs/budget.md, "zCDP accounting")
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
DB=civic_budget_zcdp
q() { psql -X -q -At -d "$DB" "$@"; }

echo "1..6"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $DB" >/dev/null
q -c "CREATE EXTENSION civic CASCADE" >/dev/null 2>&1
psql -X -q -d postgres -c "DROP ROLE IF EXISTS zcdp_crash_analyst" >/dev/null 2>&1
q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE ROLE zcdp_crash_analyst LOGIN;
CREATE TABLE t AS SELECT g FROM generate_series(1, 100) g;
CREATE VIEW v AS SELECT * FROM t;
GRANT SELECT ON v TO zcdp_crash_analyst;
SELECT civic.set_budget('zcdp_crash_analyst', 'public.t', 1.0, 1e-6, 'zcdp');
SQL
state() {  # rho spent (12 decimals), accounting, and the sum of the charges' rho in units
  q -c "SELECT round(rho_spent::numeric, 12) || ' ' || accounting FROM civic.privacy_budgets
          WHERE role = 'zcdp_crash_analyst'::regrole"
}
for i in 1 2 3; do q -U zcdp_crash_analyst -c "SELECT civic.dp_count(0.4, 1e-8) FROM v" >/dev/null; done
before=$(state)
units=$(q -c "SELECT sum(ceil(rho * 1e12)) FROM civic.privacy_ledger WHERE role = 'zcdp_crash_analyst'::regrole")
is "$(q -c "SELECT round(rho_spent * 1e12) FROM civic.privacy_budgets WHERE role = 'zcdp_crash_analyst'::regrole")" \
   "$units" "rho spent is the sum of the charges, in units"

cluster_ctl -w -t 60 stop -m immediate >/dev/null 2>&1
cluster_ctl -w -t 60 start >/dev/null 2>&1; wait_ready
is "$(state)" "$before" "a crash keeps rho spent and the zCDP accounting exactly"
cluster_ctl -w -t 60 restart >/dev/null 2>&1; wait_ready
is "$(state)" "$before" "so does a restart"
q -c "SELECT civic.ledger_compact()" >/dev/null
cluster_ctl -w -t 60 restart >/dev/null 2>&1; wait_ready
is "$(state)" "$before" "and compaction (one state record per account)"
# the budget left after the crash is the one enforced: 8 queries fit in all
ok_runs=0
for i in $(seq 1 10); do
  q -U zcdp_crash_analyst -c "SELECT civic.dp_count(0.4, 1e-8) FROM v" >/dev/null 2>&1 && ok_runs=$((ok_runs + 1))
done
is "$ok_runs" "5" "the rest of the budget (5 more of the 8 queries) is enforced"
is "$(q -U zcdp_crash_analyst -v VERBOSITY=sqlstate -c "SELECT civic.dp_count(0.4, 1e-8) FROM v" 2>&1)" \
   "ERROR:  VB001" "then refused"

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
psql -X -q -d postgres -c "DROP ROLE IF EXISTS zcdp_crash_analyst" >/dev/null 2>&1
exit $((fails > 0))
