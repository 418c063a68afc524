-- Budget accounting (new in 0.2.0: control/install/50-budget.sql and, for
-- upgrades, control/upgrade/0.1.0--0.2.0/50-budget-zcdp.sql): set_budget
-- and set_default_budget with a choice of accounting, and the
-- privacy_ledger and privacy_budgets views with the charge and budget in
-- zCDP rho.

-- set_budget with a choice of accounting: 'basic' (epsilon and delta add up,
-- as without one) or 'zcdp' (zero-concentrated DP: each query's rho adds up, and
-- the budget is the rho whose rho-zCDP implies (epsilon, delta)-DP; needs
-- 0 < delta < 1).  Gaussian-noise queries (delta > 0) cost much less under
-- zCDP.  See docs/budget.md, "zCDP accounting".
CREATE FUNCTION civic.set_budget(role pg_catalog.regrole, dataset pg_catalog.text,
                                 epsilon pg_catalog.float8, delta pg_catalog.float8,
                                 accounting pg_catalog.text)
RETURNS void
AS 'MODULE_PATHNAME', 'civic_set_budget'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION civic.set_budget(pg_catalog.regrole, pg_catalog.text, pg_catalog.float8, pg_catalog.float8, pg_catalog.text) IS
'set the budget a role may spend on a dataset, with accounting ''basic'' (epsilon and delta add up) or ''zcdp'' (each query''s zCDP rho adds up to the rho that converts to epsilon and delta); takes effect at once and is not undone by ROLLBACK; budget administrators only';

-- The same for a role's default budget: each dataset without a budget of
-- its own is spent separately, under this accounting.
CREATE FUNCTION civic.set_default_budget(role pg_catalog.regrole,
                                         epsilon pg_catalog.float8, delta pg_catalog.float8,
                                         accounting pg_catalog.text)
RETURNS void
AS 'MODULE_PATHNAME', 'civic_set_default_budget'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION civic.set_default_budget(pg_catalog.regrole, pg_catalog.float8, pg_catalog.float8, pg_catalog.text) IS
'set the budget a role has on each dataset of this database that has no budget of its own (each dataset is spent separately), with accounting ''basic'' (epsilon and delta add up) or ''zcdp'' (each query''s zCDP rho adds up to the rho that converts to epsilon and delta); budget administrators only';

CREATE FUNCTION civic.privacy_ledger_rows(
    OUT role pg_catalog.regrole, OUT dataset pg_catalog.text,
    OUT "time" pg_catalog.timestamptz, OUT epsilon pg_catalog.float8,
    OUT delta pg_catalog.float8, OUT mechanism pg_catalog.text,
    OUT aggregate pg_catalog.text, OUT query_id pg_catalog.int8,
    OUT query pg_catalog.text, OUT rho pg_catalog.float8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'civic_privacy_ledger'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION civic.privacy_ledger_rows() IS
'charges of the privacy ledger of this database: the session role''s own, or everyone''s for a budget administrator';

CREATE VIEW civic.privacy_ledger AS
    SELECT role, dataset, "time", epsilon, delta, mechanism, aggregate, query_id, query, rho
      FROM civic.privacy_ledger_rows();
GRANT SELECT ON civic.privacy_ledger TO PUBLIC;
COMMENT ON VIEW civic.privacy_ledger IS
'one row per charge: role, dataset, time, epsilon and delta charged, mechanism, aggregate, query identifier and text, and the charge in zCDP rho; each role sees its own, budget administrators everyone''s';

CREATE FUNCTION civic.privacy_budget_rows(
    OUT role pg_catalog.regrole, OUT dataset pg_catalog.text,
    OUT epsilon_budget pg_catalog.float8, OUT delta_budget pg_catalog.float8,
    OUT epsilon_spent pg_catalog.float8, OUT delta_spent pg_catalog.float8,
    OUT epsilon_remaining pg_catalog.float8, OUT delta_remaining pg_catalog.float8,
    OUT accounting pg_catalog.text, OUT rho_budget pg_catalog.float8,
    OUT rho_spent pg_catalog.float8, OUT rho_remaining pg_catalog.float8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'civic_privacy_budgets'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION civic.privacy_budget_rows() IS
'budget accounts of this database: the session role''s own, or everyone''s for a budget administrator';

CREATE VIEW civic.privacy_budgets AS
    SELECT role, dataset, epsilon_budget, delta_budget, epsilon_spent, delta_spent,
           epsilon_remaining, delta_remaining, accounting, rho_budget, rho_spent, rho_remaining
      FROM civic.privacy_budget_rows();
GRANT SELECT ON civic.privacy_budgets TO PUBLIC;
COMMENT ON VIEW civic.privacy_budgets IS
'budget, spending and remainder per role and dataset ("(default)" rows are a role''s default budget), with the accounting (basic or zcdp) and, in zCDP rho, the budget, spending and remainder; each role sees its own, budget administrators everyone''s';
