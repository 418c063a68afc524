-- Attempts by an analyst with a small budget and SELECT on a private view
-- only to get differentially-private answers charged less than they cost.
SET search_path = "$user", public, civic;  -- as the database's (sql/00_install.sql), so this file runs alone
\set VERBOSITY default
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_civic_attacker;
RESET client_min_messages;
CREATE ROLE regress_civic_attacker;
CREATE SCHEMA budget_attack;
GRANT USAGE ON SCHEMA budget_attack TO PUBLIC;
CREATE TABLE budget_attack.people AS
    SELECT g AS id, 'W' || (g % 5) AS ward FROM generate_series(1, 1000) g;
CREATE TABLE budget_attack.wards (ward text PRIMARY KEY);
INSERT INTO budget_attack.wards SELECT 'W' || i FROM generate_series(0, 4) i;
-- a large public table the analyst may read
CREATE TABLE budget_attack.big AS
    SELECT g AS id, 'W' || (g % 5) AS ward FROM generate_series(1, 100000) g;
GRANT SELECT ON budget_attack.wards, budget_attack.big TO regress_civic_attacker;
ANALYZE budget_attack.people, budget_attack.wards, budget_attack.big;
SELECT civic.create_private_view('budget_attack.by_ward',
  $$SELECT w.ward, civic.dp_sum((p.id IS NOT NULL)::int::int8, 0, 1, 0.25) AS n
      FROM budget_attack.wards w LEFT JOIN budget_attack.people p ON p.ward = w.ward
     GROUP BY w.ward$$,
  'regress_civic_attacker') IS NOT NULL AS created;
SELECT civic.set_budget('regress_civic_attacker', 'budget_attack.people', 1.0);

-- Plans with a large public table scanned in parallel (the small private
-- tables are not).
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = '100kB';
SET enable_parallel_hash = off;
SET max_parallel_workers_per_gather = 4;

-- 1. A DP aggregate in a CTE is computed once, by the leader, even when the
-- rest of the query runs in parallel workers: one answer per ward, one
-- charge.  (The workers carry the CTE's plan without running it.)
EXPLAIN (COSTS OFF) WITH v AS MATERIALIZED (SELECT * FROM budget_attack.by_ward)
SELECT count(*) AS rows_out, count(DISTINCT ward) AS wards
  FROM (SELECT v.ward, v.n, count(*) FROM budget_attack.big b JOIN v ON v.ward = b.ward GROUP BY 1, 2) s;
SET SESSION AUTHORIZATION regress_civic_attacker;
WITH v AS MATERIALIZED (SELECT * FROM budget_attack.by_ward)
SELECT count(*) AS rows_out, count(DISTINCT ward) AS wards
  FROM (SELECT v.ward, v.n, count(*) FROM budget_attack.big b JOIN v ON v.ward = b.ward GROUP BY 1, 2) s;
SELECT * FROM civic.budget_remaining('budget_attack.people');
RESET SESSION AUTHORIZATION;

-- 2. Parallel copies.  Joined directly, the view's aggregate lands on the
-- inner side of a (non-parallel-aware) hash join below Gather: every worker
-- and the leader would build it, each with its own noise, so one charge
-- would release one answer per process.  Refused before anything runs.
EXPLAIN (COSTS OFF)
SELECT v.ward, v.n, count(*) FROM budget_attack.big b JOIN budget_attack.by_ward v ON v.ward = b.ward
 GROUP BY 1, 2;
SET SESSION AUTHORIZATION regress_civic_attacker;
SELECT count(*) AS rows_out, count(DISTINCT ward) AS wards
  FROM (SELECT v.ward, v.n, count(*) FROM budget_attack.big b
          JOIN budget_attack.by_ward v ON v.ward = b.ward GROUP BY 1, 2) s;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM civic.budget_remaining('budget_attack.people');
-- without parallel workers it is one answer per ward, charged once
SET max_parallel_workers_per_gather = 0;
SELECT count(*) AS rows_out, count(DISTINCT ward) AS wards
  FROM (SELECT v.ward, v.n, count(*) FROM budget_attack.big b
          JOIN budget_attack.by_ward v ON v.ward = b.ward GROUP BY 1, 2) s;
SELECT * FROM civic.budget_remaining('budget_attack.people');
SET max_parallel_workers_per_gather = 4;
RESET SESSION AUTHORIZATION;
-- a DP aggregate finalised above Gather, over partial aggregates, still runs
-- in parallel
EXPLAIN (COSTS OFF) SELECT civic.dp_count(1.0) FROM budget_attack.big;
SELECT abs(civic.dp_count(1.0) - 100000) < 100 AS close FROM budget_attack.big;

RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET enable_parallel_hash;
RESET max_parallel_workers_per_gather;

-- 3. A charged table that is dropped afterwards leaves its account behind;
-- the budget views still work, for the analyst and for administrators, and
-- show it readable by nobody.
CREATE TABLE budget_attack.scratch AS SELECT 1 AS x;
GRANT SELECT ON budget_attack.scratch TO regress_civic_attacker;
SELECT 'budget_attack.scratch'::regclass::oid AS scratch_oid \gset
SET SESSION AUTHORIZATION regress_civic_attacker;
SELECT civic.dp_count(1.0) > -1000 AS released FROM budget_attack.scratch;
RESET SESSION AUTHORIZATION;
DROP TABLE budget_attack.scratch;
SET SESSION AUTHORIZATION regress_civic_attacker;
SELECT count(*) AS own_accounts FROM civic.privacy_budgets;
RESET SESSION AUTHORIZATION;
SELECT epsilon_budget, epsilon_spent FROM civic.privacy_budgets
 WHERE role = 'regress_civic_attacker'::regrole AND dataset = :'scratch_oid';

-- 4. Row-level security.  The analyst may SELECT a table, but its policy
-- shows them one ward only; a view owned by the administrator aggregates
-- every ward.  The analyst cannot read those rows directly, so the view's
-- DP answers are not free: without a budget there is nothing to spend.
CREATE TABLE budget_attack.cases AS
    SELECT g AS id, 'W' || (g % 5) AS ward, g % 2 AS positive FROM generate_series(1, 1000) g;
ALTER TABLE budget_attack.cases ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_ward ON budget_attack.cases FOR SELECT TO regress_civic_attacker
    USING (ward = 'W1');
GRANT SELECT ON budget_attack.cases TO regress_civic_attacker;
CREATE VIEW budget_attack.cases_all WITH (security_barrier) AS
    SELECT civic.dp_sum(positive::int8, 0, 1, 0.5) AS positive FROM budget_attack.cases;
GRANT SELECT ON budget_attack.cases_all TO regress_civic_attacker;
SET SESSION AUTHORIZATION regress_civic_attacker;
SELECT count(*) AS rows_visible FROM budget_attack.cases;
SELECT * FROM civic.budget_remaining('budget_attack.cases');
SELECT positive > -1000 AS released FROM budget_attack.cases_all;
\echo SQLSTATE :SQLSTATE
RESET SESSION AUTHORIZATION;
-- with a budget, it is charged and limited like any private table
SELECT civic.set_budget('regress_civic_attacker', 'budget_attack.cases', 0.5);
SET SESSION AUTHORIZATION regress_civic_attacker;
SELECT positive > -1000 AS released FROM budget_attack.cases_all;
SELECT positive > -1000 AS released FROM budget_attack.cases_all;
\echo SQLSTATE :SQLSTATE
RESET SESSION AUTHORIZATION;
-- the table's owner, whom the policy does not restrict, still spends freely
SELECT * FROM civic.budget_remaining('budget_attack.cases');
-- a private view may not take its group keys from a table whose policy
-- hides rows (keys) from the analyst
SELECT civic.create_private_view('budget_attack.cases_by_ward',
  'SELECT c.ward, civic.dp_count(0.5) AS n FROM budget_attack.cases c GROUP BY c.ward',
  'regress_civic_attacker');

-- 5. A reference list the analyst can write to.  Rows the analyst adds to
-- the list of groups repeat the private rows joined to them: 99 copies of
-- ward W1 make W1's noisy count 100 times its true value, noise unchanged.
-- A private view may read no table an analyst can change.
CREATE TABLE budget_attack.my_wards (ward text PRIMARY KEY);
INSERT INTO budget_attack.my_wards SELECT 'W' || i FROM generate_series(0, 4) i;
GRANT SELECT, INSERT ON budget_attack.my_wards TO regress_civic_attacker;
SELECT civic.create_private_view('budget_attack.by_my_ward',
  $$SELECT w.ward, civic.dp_sum((p.id IS NOT NULL)::int::int8, 0, 1, 0.25) AS n
      FROM budget_attack.my_wards w LEFT JOIN budget_attack.people p ON p.ward = w.ward
     GROUP BY w.ward$$,
  'regress_civic_attacker') IS NOT NULL AS created;
SELECT count(*) AS views_left FROM pg_class WHERE relname = 'by_my_ward';
-- the same for a table the analyst may only update (renaming W0 to W1
-- repeats W1's people)
REVOKE INSERT ON budget_attack.my_wards FROM regress_civic_attacker;
GRANT UPDATE (ward) ON budget_attack.my_wards TO regress_civic_attacker;
CREATE VIEW budget_attack.by_my_ward2 WITH (security_barrier) AS
    SELECT w.ward, civic.dp_count(0.25) AS n
      FROM budget_attack.my_wards w LEFT JOIN budget_attack.people p ON p.ward = w.ward
     GROUP BY w.ward;
SELECT civic.check_private_view('budget_attack.by_my_ward2', ARRAY['regress_civic_attacker']::regrole[]);
REVOKE UPDATE (ward) ON budget_attack.my_wards FROM regress_civic_attacker;
SELECT civic.check_private_view('budget_attack.by_my_ward2', ARRAY['regress_civic_attacker']::regrole[]);
