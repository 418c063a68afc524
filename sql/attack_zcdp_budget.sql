SET search_path = "$user", public, civic;
-- Attacks on zCDP budgets themselves (docs/budget.md, "zCDP accounting").
-- Deterministic: no noisy value is tested.
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_atkz_analyst;
RESET client_min_messages;
CREATE ROLE regress_atkz_analyst;
CREATE SCHEMA atkz;
GRANT USAGE ON SCHEMA atkz TO PUBLIC;
CREATE TABLE atkz.people AS SELECT g AS id FROM generate_series(1, 100) g;
CREATE VIEW atkz.people_v AS SELECT * FROM atkz.people;
GRANT SELECT ON atkz.people_v TO regress_atkz_analyst;
CREATE FUNCTION atkz.ask(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'SET SESSION AUTHORIZATION regress_atkz_analyst';
    EXECUTE q;
    EXECUTE 'RESET SESSION AUTHORIZATION';
    RETURN 'answered';
EXCEPTION WHEN OTHERS THEN
    RETURN 'refused ' || SQLSTATE;
END $$;

-- 1. Switching accounting after spending refunds nothing: the rho of every
-- charge is kept whatever the mode, and epsilon and delta too.
SELECT civic.set_budget('regress_atkz_analyst', 'atkz.people', 1.0, 1e-6, 'basic');
SELECT atkz.ask('SELECT civic.dp_count(0.9) FROM atkz.people_v');   -- rho 0.405
SELECT civic.set_budget('regress_atkz_analyst', 'atkz.people', 1.0, 1e-6, 'zcdp');
SELECT rho_spent >= 0.405 AS rho_kept, rho_budget < 0.405 AS budget_below_it
  FROM civic.privacy_budgets WHERE role = 'regress_atkz_analyst'::regrole;
SELECT atkz.ask('SELECT civic.dp_count(0.1, 1e-8) FROM atkz.people_v') AS gaussian_after_switch;
SELECT civic.set_budget('regress_atkz_analyst', 'atkz.people', 1.0, 1e-6, 'basic');
SELECT atkz.ask('SELECT civic.dp_count(0.2) FROM atkz.people_v') AS basic_after_switch_back;

-- 2. A zCDP budget of a huge finite epsilon: its rho does not fit the
-- ledger's units.  It was stored as a negative rho (every query refused,
-- privacy_budgets showing a negative budget and millions left); it is an
-- unlimited rho, as a huge basic budget is unlimited.
SELECT civic.reset_budget('regress_atkz_analyst', 'atkz.people');
SELECT civic.set_budget('regress_atkz_analyst', 'atkz.people', 1e300, 0.5, 'zcdp');
SELECT accounting, rho_budget, rho_remaining
  FROM civic.privacy_budgets WHERE role = 'regress_atkz_analyst'::regrole;
SELECT atkz.ask('SELECT civic.dp_count(1.0, 1e-6) FROM atkz.people_v') AS under_huge_budget;
-- a large budget that fits the units stays a finite rho
SELECT civic.set_budget('regress_atkz_analyst', 'atkz.people', 1e6, 0.5, 'zcdp');
SELECT accounting, rho_budget > 0 AND rho_budget < 1e6 AS finite_positive
  FROM civic.privacy_budgets WHERE role = 'regress_atkz_analyst'::regrole;

-- 3. Extreme privacy parameters: refused before any answer (22023), and a
-- query that is refused releases nothing whatever it was charged.
SELECT civic.set_budget('regress_atkz_analyst', 'atkz.people', 10, 1e-6, 'zcdp');
SELECT atkz.ask('SELECT civic.dp_count(''NaN'') FROM atkz.people_v') AS nan_epsilon;
SELECT atkz.ask('SELECT civic.dp_count(0.1, ''NaN'') FROM atkz.people_v') AS nan_delta;
SELECT atkz.ask('SELECT civic.dp_count(''Infinity'') FROM atkz.people_v') AS inf_epsilon;
SELECT atkz.ask('SELECT civic.dp_count(-0.1) FROM atkz.people_v') AS negative_epsilon;
SELECT atkz.ask('SELECT civic.dp_count(0.1, -1e-9) FROM atkz.people_v') AS negative_delta;
SELECT atkz.ask('SELECT civic.dp_count(5e-324) FROM atkz.people_v') AS denormal_epsilon;
SELECT atkz.ask('SELECT civic.dp_count(1e-300, 1e-300) FROM atkz.people_v') AS tiny_gaussian;
-- a denormal delta is a valid, very small delta: answered and charged a rho
SELECT atkz.ask('SELECT civic.dp_count(0.1, 5e-324) FROM atkz.people_v') AS denormal_delta;
SELECT rho > 0 AS denormal_delta_charged_rho FROM civic.privacy_ledger
 WHERE role = 'regress_atkz_analyst'::regrole AND delta > 0 AND delta < 1e-300;

SELECT civic.reset_budget('regress_atkz_analyst', 'atkz.people');
DROP SCHEMA atkz CASCADE;
DROP ROLE regress_atkz_analyst;
