-- Privacy-safe views: an analyst with no privilege on a raw table reads it
-- only through views of differentially-private aggregates, each read charged.
SET search_path = "$user", public, civic;  -- as the database's (sql/00_install.sql), so this file runs alone
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_civic_viewer;
RESET client_min_messages;
CREATE ROLE regress_civic_viewer;
CREATE SCHEMA budget_views;
GRANT USAGE ON SCHEMA budget_views TO PUBLIC;
CREATE SCHEMA viewer_own AUTHORIZATION regress_civic_viewer;
-- raw, person-level data: one row per person
CREATE TABLE budget_views.residents AS
    SELECT g AS id, 'E0500' || (g % 5) AS ward, 18 + (g * 13) % 70 AS age
      FROM generate_series(1, 3000) g;
-- a public reference list of wards (one ward has nobody in it)
CREATE TABLE budget_views.wards (ward text PRIMARY KEY);
INSERT INTO budget_views.wards SELECT 'E0500' || i FROM generate_series(0, 5) i;
GRANT SELECT ON budget_views.wards TO regress_civic_viewer;
ANALYZE budget_views.residents;

-- The helper: a security_barrier view, every column a DP aggregate or a key
-- from the public list, granted to the analyst only.
SELECT civic.create_private_view('budget_views.residents_by_ward',
  $$SELECT w.ward, civic.dp_sum((r.id IS NOT NULL)::int::int8, 0, 1, 0.5) AS residents,
           civic.dp_avg(r.age::float8, 18, 90, 0.5) AS mean_age
      FROM budget_views.wards w LEFT JOIN budget_views.residents r ON r.ward = w.ward
     GROUP BY w.ward$$,
  'regress_civic_viewer');
SELECT relname, reloptions, relacl::text LIKE '%regress_civic_viewer=r/%' AS granted,
       relacl::text NOT LIKE '%=r/%,=%' AS not_public
  FROM pg_class WHERE oid = 'budget_views.residents_by_ward'::regclass;
SELECT civic.set_budget('regress_civic_viewer', 'budget_views.residents', 4.5);

-- Views that could leak are refused.
SELECT civic.create_private_view('budget_views.bad1',
  'SELECT r.ward, civic.dp_count(0.5) FROM budget_views.residents r GROUP BY r.ward', 'regress_civic_viewer');
SELECT civic.create_private_view('budget_views.bad2',
  'SELECT count(*), civic.dp_count(0.5) FROM budget_views.residents', 'regress_civic_viewer');
SELECT civic.create_private_view('budget_views.bad3',
  'SELECT id, age FROM budget_views.residents', 'regress_civic_viewer');
SELECT civic.create_private_view('budget_views.bad4',
  'SELECT civic.dp_count(0.5) FROM budget_views.residents HAVING count(*) > 10', 'regress_civic_viewer');
CREATE VIEW budget_views.bad5 AS SELECT civic.dp_count(0.5) FROM budget_views.residents;
SELECT civic.check_private_view('budget_views.bad5', ARRAY['regress_civic_viewer']::regrole[]);
SELECT count(*) AS bad_views_left FROM pg_class WHERE relname LIKE 'bad_' AND relname <> 'bad5';

SET SESSION AUTHORIZATION regress_civic_viewer;
-- no raw rows, directly or by replacing the view
SELECT * FROM budget_views.residents LIMIT 1;
CREATE OR REPLACE VIEW budget_views.residents_by_ward AS SELECT * FROM budget_views.residents;
-- the view works, and is charged to the analyst
SELECT ward, residents > -100 AS released, mean_age BETWEEN 18 AND 90 AS in_bounds
  FROM budget_views.residents_by_ward ORDER BY ward;
-- (the public list is charged too, without limit: the analyst can read it)
SELECT dataset, epsilon, aggregate FROM civic.privacy_ledger ORDER BY dataset, aggregate;
SELECT * FROM civic.budget_remaining('budget_views.residents');
-- a grant on some columns does not lift the limit (only reading every column
-- directly does)
RESET SESSION AUTHORIZATION;
GRANT SELECT (ward) ON budget_views.residents TO regress_civic_viewer;
SELECT * FROM civic.budget_remaining('budget_views.residents', 'regress_civic_viewer');
REVOKE SELECT (ward) ON budget_views.residents FROM regress_civic_viewer;
SET SESSION AUTHORIZATION regress_civic_viewer;

-- a leaky function or operator in WHERE sees only the view's (noisy) output
CREATE TABLE viewer_own.seen (v text);
CREATE FUNCTION viewer_own.leak(text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS $$
BEGIN
    INSERT INTO viewer_own.seen VALUES ($1);
    RAISE NOTICE 'leak saw a value';
    RETURN true;
END $$;
CREATE FUNCTION viewer_own.leak_eq(bigint, bigint) RETURNS boolean LANGUAGE sql COST 0.0000001
AS $$ SELECT viewer_own.leak($1::text) $$;
CREATE OPERATOR viewer_own.=== (LEFTARG = bigint, RIGHTARG = bigint, PROCEDURE = viewer_own.leak_eq);
SET client_min_messages = warning;
SELECT count(*) AS rows_out FROM budget_views.residents_by_ward WHERE viewer_own.leak(ward);
SELECT count(*) AS rows_out FROM budget_views.residents_by_ward WHERE residents OPERATOR(viewer_own.===) 0;
RESET client_min_messages;
-- 12 calls = 6 wards x 2 queries, never 3000 resident rows, and only ward
-- codes of the public list or noisy counts
SELECT count(*) AS calls,
       count(*) FILTER (WHERE v IN (SELECT ward FROM budget_views.wards)) AS ward_codes
  FROM viewer_own.seen;

-- (each read of the view costs its full price, 1.0, whichever of its columns
-- the query uses: the private table is read all the same)
SELECT * FROM civic.budget_remaining('budget_views.residents');
-- the budget runs out: a full read costs 1.0
SELECT count(*) AS rows_out FROM budget_views.residents_by_ward WHERE residents IS NOT NULL AND mean_age IS NOT NULL;
SELECT count(*) AS rows_out FROM budget_views.residents_by_ward WHERE residents IS NOT NULL AND mean_age IS NOT NULL;
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- EXPLAIN would show the raw table's row counts and estimates: refused, with
-- or without ANALYZE, and nothing charged.
SELECT count(*) AS charges_before FROM civic.privacy_ledger \gset
EXPLAIN SELECT * FROM budget_views.residents_by_ward;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
EXPLAIN (ANALYZE, COSTS OFF) SELECT * FROM budget_views.residents_by_ward;
EXPLAIN SELECT ward FROM budget_views.residents_by_ward WHERE ward = 'E05001';
SELECT count(*) - :charges_before AS charges_added FROM civic.privacy_ledger;

-- statistics: pg_stats shows nothing of a table the analyst cannot read
SELECT count(*) AS stats_rows FROM pg_stats WHERE schemaname = 'budget_views' AND tablename = 'residents';
SELECT * FROM pg_statistic LIMIT 1;
-- functions: only administrators create or check private views
SELECT civic.create_private_view('viewer_own.mine', 'SELECT civic.dp_count(1) FROM budget_views.residents', 'regress_civic_viewer');
SELECT civic.check_private_view('budget_views.residents_by_ward', ARRAY['regress_civic_viewer']::regrole[]);
-- error messages carry no raw value: the view's columns are the only data
RESET SESSION AUTHORIZATION;
SELECT civic.set_budget('regress_civic_viewer', 'budget_views.residents', 10);
SET SESSION AUTHORIZATION regress_civic_viewer;
SELECT ward::int FROM budget_views.residents_by_ward;
RESET SESSION AUTHORIZATION;

-- the administrator still can (and pg_stats has the table's statistics)
SELECT count(*) > 0 AS stats_rows FROM pg_stats WHERE schemaname = 'budget_views' AND tablename = 'residents';
EXPLAIN (COSTS OFF) SELECT * FROM budget_views.residents_by_ward;

-- auto_explain instruments plans for the server log, not for the user: the
-- analyst's queries run (and are charged) as usual, their plans stay off the
-- client (sql/privacy_meter_plans.sql); EXPLAIN stays refused.
SELECT civic.set_budget('regress_civic_viewer', 'budget_views.residents', 10);
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_analyze = on;
SET auto_explain.log_level = log;
SET SESSION AUTHORIZATION regress_civic_viewer;
SELECT count(*) AS rows_out FROM budget_views.residents_by_ward WHERE residents IS NOT NULL;
EXPLAIN ANALYZE SELECT * FROM budget_views.residents_by_ward;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;
RESET auto_explain.log_min_duration;
