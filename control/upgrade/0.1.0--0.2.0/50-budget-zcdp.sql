-- zCDP accounting (control/install/50-budget.sql): set_budget with a choice
-- of accounting, and the charge in rho on the privacy_ledger and
-- privacy_budgets views (their row functions gain columns: dropped and made
-- again with the views over them).

DROP VIEW civic.privacy_ledger;
DROP FUNCTION civic.privacy_ledger_rows();
DROP VIEW civic.privacy_budgets;
DROP FUNCTION civic.privacy_budget_rows();

-- @include control/shared/50-budget-accounting.sql
