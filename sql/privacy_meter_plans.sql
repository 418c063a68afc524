-- Plans of queries over private data never reach an analyst: not through
-- EXPLAIN in any form (VB004), nor through auto_explain's messages; and
-- DP aggregates are refused in distributed (Citus) queries (VB020).
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_meter_planner;
RESET client_min_messages;
CREATE ROLE regress_meter_planner;
CREATE SCHEMA meter_plans;
GRANT USAGE ON SCHEMA meter_plans TO PUBLIC;
CREATE SCHEMA meter_planner_own AUTHORIZATION regress_meter_planner;
CREATE TABLE meter_plans.wards (ward_code text PRIMARY KEY);
INSERT INTO meter_plans.wards VALUES ('W01'), ('W02'), ('WSOLO'), ('WEMPTY');
CREATE TABLE meter_plans.people (id int PRIMARY KEY, ward_code text, age int);
INSERT INTO meter_plans.people
    SELECT g, CASE WHEN g = 1 THEN 'WSOLO' ELSE 'W0' || (1 + g % 2) END, 18 + g % 70
      FROM generate_series(1, 1000) g;
REVOKE ALL ON meter_plans.people FROM PUBLIC;
GRANT SELECT ON meter_plans.wards TO regress_meter_planner;
ANALYZE meter_plans.people, meter_plans.wards;
SELECT civic.set_budget('regress_meter_planner', 'meter_plans.people', 100);
SET client_min_messages = warning;
SELECT civic.create_private_view('meter_plans.people_by_ward',
  $$SELECT w.ward_code, civic.dp_sum((p.id IS NOT NULL)::int::int8, 0, 1, 0.5) AS residents
      FROM meter_plans.wards w LEFT JOIN meter_plans.people p ON p.ward_code = w.ward_code
     GROUP BY w.ward_code$$,
  'regress_meter_planner');
RESET client_min_messages;

-- 1. auto_explain.  A role that is not a superuser can neither load it nor
-- change its settings (all PGC_SUSET)...
SET SESSION AUTHORIZATION regress_meter_planner;
LOAD 'auto_explain';
RESET SESSION AUTHORIZATION;
LOAD 'auto_explain';
SET SESSION AUTHORIZATION regress_meter_planner;
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_analyze = off;
RESET SESSION AUTHORIZATION;
-- ... but a DBA may run it for every session, with actual row counts, and
-- the analyst may ask for LOG messages.  The plans of the analyst's queries
-- over the private table (actual rows=1 for WSOLO) go to the server log only.
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_analyze = on;
SET auto_explain.log_timing = off;
SET auto_explain.log_nested_statements = on;
SET SESSION AUTHORIZATION regress_meter_planner;
SET client_min_messages = log;
SELECT ward_code, residents IS NOT NULL AS released
  FROM meter_plans.people_by_ward WHERE ward_code = 'WSOLO';
SELECT count(*) FROM meter_plans.people_by_ward WHERE ward_code = 'WSOLO';
CREATE FUNCTION meter_planner_own.probe() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT count(*) FROM meter_plans.people_by_ward WHERE ward_code = 'WSOLO');
END $$;
SELECT meter_planner_own.probe() FROM meter_plans.people_by_ward WHERE ward_code = 'W01';
RESET client_min_messages;
RESET SESSION AUTHORIZATION;
-- the same with auto_explain reporting at WARNING (to the server log and
-- the client): the server log only
SET auto_explain.log_level = warning;
SET SESSION AUTHORIZATION regress_meter_planner;
SELECT count(*) FROM meter_plans.people_by_ward WHERE ward_code = 'WSOLO';
-- (the analyst's own warnings and notices still arrive)
DO $$ BEGIN RAISE WARNING 'own warning'; RAISE NOTICE 'own notice'; END $$;
RESET SESSION AUTHORIZATION;
-- at NOTICE or INFO auto_explain reports to the client alone, out of civic's
-- reach: queries that read private tables are refused (VB004), not charged
RESET auto_explain.log_level;
SELECT epsilon AS left_before
  FROM civic.budget_remaining('meter_plans.people', 'regress_meter_planner') \gset
SET auto_explain.log_level = notice;
SET SESSION AUTHORIZATION regress_meter_planner;
SELECT count(*) FROM meter_plans.people_by_ward WHERE ward_code = 'WSOLO';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;
RESET auto_explain.log_min_duration;
RESET auto_explain.log_analyze;
RESET auto_explain.log_timing;
RESET auto_explain.log_nested_statements;
RESET auto_explain.log_level;
SELECT :left_before - epsilon AS spent
  FROM civic.budget_remaining('meter_plans.people', 'regress_meter_planner');

-- 2. EXPLAIN in every form is refused over tables the analyst cannot read
-- (VB004), and charges nothing.
SET SESSION AUTHORIZATION regress_meter_planner;
SELECT epsilon AS left_before FROM civic.budget_remaining('meter_plans.people') \gset
PREPARE q AS SELECT * FROM meter_plans.people_by_ward WHERE ward_code = $1;
EXPLAIN (COSTS OFF) EXECUTE q('WSOLO');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE q('WSOLO');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
EXPLAIN (ANALYZE, COSTS OFF) CREATE TABLE meter_planner_own.copy AS
    SELECT * FROM meter_plans.people_by_ward;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
CREATE FUNCTION meter_planner_own.plan(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q;
END $$;
SELECT meter_planner_own.plan('SELECT count(*) FROM meter_plans.people_by_ward WHERE ward_code = ''WSOLO''');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- (an EXPLAIN through a cursor of a function)
CREATE FUNCTION meter_planner_own.plan_cursor() RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    c refcursor;
    line text;
BEGIN
    OPEN c FOR EXECUTE 'EXPLAIN SELECT * FROM meter_plans.people_by_ward';
    LOOP
        FETCH c INTO line;
        EXIT WHEN NOT FOUND;
        RETURN NEXT line;
    END LOOP;
END $$;
SELECT meter_planner_own.plan_cursor();
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT :left_before - epsilon AS spent FROM civic.budget_remaining('meter_plans.people');
-- EXPLAIN of the analyst's own tables works as usual
EXPLAIN (COSTS OFF) SELECT * FROM meter_plans.wards WHERE ward_code = 'W01';
DEALLOCATE q;
RESET SESSION AUTHORIZATION;

-- 3. Citus.  Until civic meters distributed plans, a DP aggregate is refused
-- in a session that Citus opened between its nodes (found by its
-- application_name, as Citus itself does), and in a plan that reads a Citus
-- intermediate result (read_intermediate_result, matched by name: the check
-- does not need Citus installed).  Plans with a Citus custom scan are
-- refused the same way (not testable without Citus).
SET SESSION AUTHORIZATION regress_meter_planner;
SET application_name = 'citus_internal gpid=10000000001';
SELECT count(*) FROM meter_plans.people_by_ward;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT civic.dp_count(0.5) > -1000 FROM meter_plans.wards;
SET application_name = 'citus';
SELECT civic.dp_count(0.5) > -1000 FROM meter_plans.wards;
-- (queries without DP aggregates are not affected)
SELECT count(*) FROM meter_plans.wards;
RESET application_name;
CREATE FUNCTION meter_planner_own.read_intermediate_result(result_id text, format text)
RETURNS SETOF record LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY SELECT 'W01'::text;
END $$;
SELECT civic.dp_count(0.5) > -1000
  FROM meter_planner_own.read_intermediate_result('1_1', 'binary') AS r(ward_code text);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT w.ward_code, civic.dp_count(0.5) > -1000
  FROM meter_plans.wards w
  JOIN (SELECT * FROM meter_planner_own.read_intermediate_result('1_1', 'binary') AS r(ward_code text) OFFSET 0) s
       USING (ward_code)
 GROUP BY 1;
SELECT count(*) FROM meter_planner_own.read_intermediate_result('1_1', 'binary') AS r(ward_code text);
-- nothing was charged by the refusals
SELECT :left_before - epsilon AS spent FROM civic.budget_remaining('meter_plans.people');
SELECT count(*) AS charges FROM civic.privacy_ledger WHERE dataset = '(no table)';
RESET SESSION AUTHORIZATION;

DROP SCHEMA meter_planner_own CASCADE;
DROP SCHEMA meter_plans CASCADE;
DROP ROLE regress_meter_planner;
