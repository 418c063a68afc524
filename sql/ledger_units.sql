-- Charges are whole accounting units (epsilon 1e-9, delta 1e-18), rounded
-- up: a non-zero cost below one unit costs one unit, never nothing.
\set VERBOSITY sqlstate
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_civic_units;
RESET client_min_messages;
CREATE ROLE regress_civic_units;
CREATE SCHEMA ledger_units;
GRANT USAGE ON SCHEMA ledger_units TO PUBLIC;
CREATE TABLE ledger_units.t AS SELECT g AS id FROM generate_series(1, 100) g;
CREATE VIEW ledger_units.v AS SELECT * FROM ledger_units.t;
GRANT SELECT ON ledger_units.v TO regress_civic_units;

-- 1. epsilon 5e-13 is half a thousandth of a unit: it still costs one unit.
-- A budget of exactly one unit allows one such query, not a second.
SELECT civic.set_budget('regress_civic_units', 'ledger_units.t', 1e-9, 0);
SET SESSION AUTHORIZATION regress_civic_units;
SELECT civic.dp_count(5e-13) IS NOT NULL AS released FROM ledger_units.v;
SELECT civic.dp_count(5e-13) IS NOT NULL AS released FROM ledger_units.v;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT epsilon = 0 AS nothing_left FROM civic.budget_remaining('ledger_units.t');
RESET SESSION AUTHORIZATION;
SELECT epsilon_spent = 1e-9 AS one_unit_spent FROM civic.privacy_budgets
 WHERE role = 'regress_civic_units'::regrole AND dataset = 'ledger_units.t';

-- 2. delta 1e-22 under a delta budget of 0: refused, not free.
SELECT civic.reset_budget('regress_civic_units', 'ledger_units.t');
SELECT civic.set_budget('regress_civic_units', 'ledger_units.t', 1, 0);
SET SESSION AUTHORIZATION regress_civic_units;
SELECT civic.dp_count(0.1, 1e-22) IS NOT NULL AS released FROM ledger_units.v;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- with room for one delta unit it passes, and spends exactly that unit
RESET SESSION AUTHORIZATION;
SELECT civic.set_budget('regress_civic_units', 'ledger_units.t', 1, 1e-18);
SET SESSION AUTHORIZATION regress_civic_units;
SELECT civic.dp_count(0.1, 1e-22) IS NOT NULL AS released FROM ledger_units.v;
SELECT civic.dp_count(0.1, 1e-22) IS NOT NULL AS released FROM ledger_units.v;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;
SELECT epsilon_spent = 0.1 AS eps_spent, delta_spent = 1e-18 AS one_delta_unit_spent
  FROM civic.privacy_budgets
 WHERE role = 'regress_civic_units'::regrole AND dataset = 'ledger_units.t';

-- 3. costs that are whole units are not rounded up further
SELECT civic.reset_budget('regress_civic_units', 'ledger_units.t');
SELECT civic.set_budget('regress_civic_units', 'ledger_units.t', 0.3, 0);
SET SESSION AUTHORIZATION regress_civic_units;
SELECT civic.dp_count(0.1) IS NOT NULL AS released FROM ledger_units.v;
SELECT civic.dp_count(0.1) IS NOT NULL AS released FROM ledger_units.v;
SELECT civic.dp_count(0.1) IS NOT NULL AS released FROM ledger_units.v;
SELECT epsilon = 0 AS nothing_left FROM civic.budget_remaining('ledger_units.t');
RESET SESSION AUTHORIZATION;

SET client_min_messages = warning;
DROP SCHEMA ledger_units CASCADE;
DROP ROLE regress_civic_units;
RESET client_min_messages;
