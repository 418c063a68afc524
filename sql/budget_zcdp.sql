SET search_path = "$user", public, civic;
-- zCDP accounting (docs/budget.md, "zCDP accounting"): a budget kept in
-- zero-concentrated DP, where each query's rho adds up and the budget is
-- the rho whose rho-zCDP implies (epsilon, delta)-DP (Canonne, Kamath,
-- Steinke 2020, Corollary 13), buys more Gaussian-noise queries than basic
-- composition.  Everything here is deterministic (no noisy value is tested).
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_zcdp_analyst;
DROP ROLE IF EXISTS regress_basic_analyst;
RESET client_min_messages;
CREATE ROLE regress_zcdp_analyst;
CREATE ROLE regress_basic_analyst;
CREATE SCHEMA zcdp_test;
GRANT USAGE ON SCHEMA zcdp_test TO PUBLIC;
CREATE TABLE zcdp_test.people AS SELECT g AS id FROM generate_series(1, 1000) g;
CREATE VIEW zcdp_test.people_v AS SELECT * FROM zcdp_test.people;
GRANT SELECT ON zcdp_test.people_v TO regress_zcdp_analyst, regress_basic_analyst;

-- The same budget, epsilon 1 and delta 1e-6, kept two ways.
SELECT civic.set_budget('regress_zcdp_analyst', 'zcdp_test.people', 1.0, 1e-6, 'zcdp');
SELECT civic.set_budget('regress_basic_analyst', 'zcdp_test.people', 1.0, 1e-6, 'basic');
SELECT role, accounting, epsilon_budget, delta_budget, rho_budget IS NOT NULL AS has_rho_budget
  FROM civic.privacy_budgets WHERE dataset = 'zcdp_test.people' ORDER BY role::text;
-- The budget's rho is at least Bun and Steinke's (TCC 2016, Prop. 1.3):
-- (sqrt(eps + log(1/delta)) - sqrt(log(1/delta)))^2, and below epsilon.
SELECT rho_budget >= (sqrt(1.0 + ln(1e6)) - sqrt(ln(1e6)))^2 AS at_least_bun_steinke,
       rho_budget < 1.0 AS below_epsilon
  FROM civic.privacy_budgets WHERE role = 'regress_zcdp_analyst'::regrole;

-- A query of the form the analysts ask: a Gaussian count, epsilon 0.4,
-- delta 1e-8.  Basic composition fits floor(1 / 0.4) = 2 of them.
CREATE FUNCTION zcdp_test.ask() RETURNS int LANGUAGE plpgsql AS $$
DECLARE n int := 0;
BEGIN
    LOOP
        BEGIN
            PERFORM civic.dp_count(0.4, 1e-8) FROM zcdp_test.people_v;
            n := n + 1;
        EXCEPTION WHEN SQLSTATE 'VB001' THEN
            RETURN n;
        END;
        IF n > 1000 THEN RETURN -1; END IF;
    END LOOP;
END $$;
SET SESSION AUTHORIZATION regress_basic_analyst;
SELECT zcdp_test.ask() AS basic_queries;
RESET SESSION AUTHORIZATION;
-- A role that may not set budgets is told so, whatever the accounting it names.
SET SESSION AUTHORIZATION regress_basic_analyst;
\set VERBOSITY sqlstate
SELECT civic.set_budget('regress_basic_analyst', 'zcdp_test.people', 1.0, 1e-6, 'no-such-accounting');
SELECT civic.set_budget('regress_basic_analyst', 'zcdp_test.people', 9.0, 1e-6, 'zcdp');
\set VERBOSITY default
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_zcdp_analyst;
SELECT zcdp_test.ask() AS zcdp_queries;
RESET SESSION AUTHORIZATION;

-- The refusal point is the formula's: floor(rho budget / rho of a query),
-- in the ledger's units of 1e-12 (each charge rounded up), and each query's
-- rho is 1 / (2 sigma^2) for the sigma of dp_count's noise (sensitivity 1).
WITH b AS (SELECT round(rho_budget * 1e12) AS budget_units, rho_spent
             FROM civic.privacy_budgets WHERE role = 'regress_zcdp_analyst'::regrole),
     q AS (SELECT count(*) AS n, max(rho) AS rho, min(rho) = max(rho) AS same
             FROM civic.privacy_ledger WHERE role = 'regress_zcdp_analyst'::regrole)
SELECT q.n = floor(b.budget_units / ceil(q.rho * 1e12)) AS refusal_matches_formula,
       q.n > 2 AS more_than_basic,
       q.same AS every_query_same_rho,
       abs(q.rho * 2 * civic.dp_count_noise_sd(0.4, 1e-8)^2 - 1) < 1e-6 AS rho_is_one_over_two_sigma2
  FROM b, q;
-- The refusal says what is left in rho.
SET SESSION AUTHORIZATION regress_zcdp_analyst;
SELECT civic.dp_count(0.4, 1e-8) FROM zcdp_test.people_v;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- A pure-DP query (Laplace) costs epsilon^2 / 2 in rho (Bun and Steinke
-- 2016, Prop. 1.4): too much for what is left here.
SELECT civic.dp_count(0.4) FROM zcdp_test.people_v;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;
-- Charges under basic accounting carry their rho too (so an account can
-- move to zCDP later with its spending known).
SELECT count(*) AS charges, bool_and(rho > 0 AND rho < 0.4 * 0.4 / 2) AS gaussian_rho_below_laplace
  FROM civic.privacy_ledger WHERE role = 'regress_basic_analyst'::regrole;

-- Bad input: zCDP needs 0 < delta < 1 and a finite epsilon; unknown accounting.
\set VERBOSITY sqlstate
SELECT civic.set_budget('regress_zcdp_analyst', 'zcdp_test.people', 1.0, 0, 'zcdp');
SELECT civic.set_budget('regress_zcdp_analyst', 'zcdp_test.people', 'infinity', 1e-6, 'zcdp');
SELECT civic.set_budget('regress_zcdp_analyst', 'zcdp_test.people', 1.0, 1e-6, 'renyi');
\set VERBOSITY default
-- (nothing half-written: the account is as it was)
SELECT accounting, epsilon_budget, delta_budget FROM civic.privacy_budgets
 WHERE role = 'regress_zcdp_analyst'::regrole;

-- Back to basic accounting: epsilon and delta add up again (3 queries of
-- 0.4 already exceed 1).
SELECT civic.set_budget('regress_zcdp_analyst', 'zcdp_test.people', 1.0, 1e-6, 'basic');
SELECT accounting, epsilon_remaining = 0 AS nothing_left FROM civic.privacy_budgets
 WHERE role = 'regress_zcdp_analyst'::regrole;

SELECT civic.reset_budget('regress_zcdp_analyst', 'zcdp_test.people');
SELECT civic.reset_budget('regress_basic_analyst', 'zcdp_test.people');
DROP SCHEMA zcdp_test CASCADE;
DROP ROLE regress_zcdp_analyst;
DROP ROLE regress_basic_analyst;
