SET search_path = "$user", public, civic;
-- A default budget in zCDP (docs/budget.md, "zCDP accounting"):
-- set_default_budget(role, epsilon, delta, accounting) gives a role a budget
-- on every dataset without one of its own, kept as set_budget(..., 'zcdp')
-- keeps it (each dataset spent separately), with set_budget's checks and
-- SQLSTATEs.  Deterministic: no noisy value is tested.
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_zdef_zcdp;
DROP ROLE IF EXISTS regress_zdef_basic;
RESET client_min_messages;
CREATE ROLE regress_zdef_zcdp;
CREATE ROLE regress_zdef_basic;
CREATE SCHEMA zdef_test;
GRANT USAGE ON SCHEMA zdef_test TO PUBLIC;
CREATE TABLE zdef_test.a AS SELECT g AS id FROM generate_series(1, 1000) g;
CREATE TABLE zdef_test.b AS SELECT g AS id FROM generate_series(1, 1000) g;
CREATE VIEW zdef_test.a_v AS SELECT * FROM zdef_test.a;
CREATE VIEW zdef_test.b_v AS SELECT * FROM zdef_test.b;
GRANT SELECT ON zdef_test.a_v, zdef_test.b_v TO regress_zdef_zcdp, regress_zdef_basic;

-- The same default, epsilon 1 and delta 1e-6, kept two ways; 'basic' named
-- is the three-argument form.
SELECT civic.set_default_budget('regress_zdef_zcdp', 1.0, 1e-6, 'zcdp');
SELECT civic.set_default_budget('regress_zdef_basic', 1.0, 1e-6, 'basic');
SELECT role, dataset, accounting, epsilon_budget, delta_budget,
       rho_budget >= (sqrt(1.0 + ln(1e6)) - sqrt(ln(1e6)))^2 AND rho_budget < 1.0 AS rho_budget_in_range
  FROM civic.privacy_budgets WHERE role IN ('regress_zdef_zcdp'::regrole, 'regress_zdef_basic'::regrole)
 ORDER BY role::text;
-- the zCDP default's rho is set_budget's for the same epsilon and delta
SELECT civic.set_budget('regress_zdef_zcdp', 'zdef_test.b', 1.0, 1e-6, 'zcdp');
SELECT count(DISTINCT rho_budget) = 1 AS same_rho_as_set_budget
  FROM civic.privacy_budgets WHERE role = 'regress_zdef_zcdp'::regrole;
SELECT civic.reset_budget('regress_zdef_zcdp', 'zdef_test.b');
-- (the dataset keeps a budget of its own; the test below uses dataset a)

-- Gaussian counts, epsilon 0.4 and delta 1e-8, on a dataset with no budget
-- of its own: basic composition fits 2, zCDP the formula's number.
CREATE FUNCTION zdef_test.ask() RETURNS int LANGUAGE plpgsql AS $$
DECLARE n int := 0;
BEGIN
    LOOP
        BEGIN
            PERFORM civic.dp_count(0.4, 1e-8) FROM zdef_test.a_v;
            n := n + 1;
        EXCEPTION WHEN SQLSTATE 'VB001' THEN
            RETURN n;
        END;
        IF n > 1000 THEN RETURN -1; END IF;
    END LOOP;
END $$;
SET SESSION AUTHORIZATION regress_zdef_basic;
SELECT zdef_test.ask() AS basic_queries;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_zdef_zcdp;
SELECT zdef_test.ask() AS zcdp_queries;
RESET SESSION AUTHORIZATION;
WITH b AS (SELECT round(rho_budget * 1e12) AS budget_units
             FROM civic.privacy_budgets
            WHERE role = 'regress_zdef_zcdp'::regrole AND dataset = '(default)'),
     q AS (SELECT count(*) AS n, max(rho) AS rho
             FROM civic.privacy_ledger
            WHERE role = 'regress_zdef_zcdp'::regrole AND dataset = 'zdef_test.a')
SELECT q.n = floor(b.budget_units / ceil(q.rho * 1e12)) AS refusal_matches_formula,
       q.n > 2 AS more_than_basic
  FROM b, q;

-- Bad input, as set_budget: a role that may not set budgets is told so
-- first (42501, whatever the accounting it names); then unknown
-- accounting, and zCDP without 0 < delta < 1 or with an infinite epsilon
-- (22023), negative epsilon (22023).
SET SESSION AUTHORIZATION regress_zdef_basic;
\set VERBOSITY sqlstate
SELECT civic.set_default_budget('regress_zdef_basic', 1.0, 1e-6, 'no-such-accounting');
SELECT civic.set_default_budget('regress_zdef_basic', 9.0, 1e-6, 'zcdp');
RESET SESSION AUTHORIZATION;
SELECT civic.set_default_budget('regress_zdef_zcdp', 1.0, 1e-6, 'renyi');
SELECT civic.set_default_budget('regress_zdef_zcdp', 1.0, 0, 'zcdp');
SELECT civic.set_default_budget('regress_zdef_zcdp', 'infinity', 1e-6, 'zcdp');
SELECT civic.set_default_budget('regress_zdef_zcdp', -1.0, 1e-6, 'zcdp');
\set VERBOSITY default
SELECT civic.set_default_budget('regress_zdef_zcdp', 1.0, 1e-6, 'renyi');
-- (nothing half-written: the defaults are as they were)
SELECT role, accounting, epsilon_budget, delta_budget
  FROM civic.privacy_budgets
 WHERE role IN ('regress_zdef_zcdp'::regrole, 'regress_zdef_basic'::regrole) AND dataset = '(default)'
 ORDER BY role::text;

-- Back to basic: the zCDP role's spending on dataset a (epsilon 0.4 a
-- query) is then far beyond its epsilon of 1.
SELECT civic.set_default_budget('regress_zdef_zcdp', 1.0, 1e-6, 'basic');
SET SESSION AUTHORIZATION regress_zdef_zcdp;
\set VERBOSITY sqlstate
SELECT civic.dp_count(0.4, 1e-8) FROM zdef_test.a_v;
\set VERBOSITY default
RESET SESSION AUTHORIZATION;

SELECT civic.reset_budget(r, d)
  FROM (VALUES ('regress_zdef_zcdp'::regrole), ('regress_zdef_basic'::regrole)) AS r(r),
       (VALUES ('zdef_test.a'), ('zdef_test.b')) AS d(d);
DROP SCHEMA zdef_test CASCADE;
DROP ROLE regress_zdef_zcdp;
DROP ROLE regress_zdef_basic;
