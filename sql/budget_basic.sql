-- Privacy budget: accounts, composition, refusals, who pays, who may see.
\set VERBOSITY default
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_civic_analyst;
DROP ROLE IF EXISTS regress_civic_other;
DROP ROLE IF EXISTS regress_civic_boss;
RESET client_min_messages;
CREATE ROLE regress_civic_analyst;
CREATE ROLE regress_civic_other;
CREATE ROLE regress_civic_boss IN ROLE civic_budget_admin;
GRANT regress_civic_other TO regress_civic_analyst;

CREATE SCHEMA budget_test;
GRANT USAGE ON SCHEMA budget_test TO PUBLIC;
CREATE TABLE budget_test.people AS
    SELECT g AS id, g % 4 AS borough, (g * 7) % 90 AS age
      FROM generate_series(1, 2000) g;
CREATE TABLE budget_test.visits AS
    SELECT g AS id, g % 2000 + 1 AS person FROM generate_series(1, 3000) g;

-- How many charges and how much epsilon a role has on the ledger.
CREATE FUNCTION budget_test.spent(r text, OUT n bigint, OUT eps numeric, OUT delta numeric)
LANGUAGE sql AS $$
    SELECT count(*), round(coalesce(sum(epsilon), 0)::numeric, 9),
           round(coalesce(sum(delta), 0)::numeric, 15)
      FROM civic.privacy_ledger WHERE role::text = r $$;

-- 1. A role that cannot read a table directly has no budget on it until one
-- is set; it reaches the table through a view.
CREATE VIEW budget_test.people_v AS SELECT * FROM budget_test.people;
GRANT SELECT ON budget_test.people_v TO regress_civic_analyst, regress_civic_other;
SET SESSION AUTHORIZATION regress_civic_analyst;
SELECT civic.dp_count(0.5) FROM budget_test.people_v;
SELECT * FROM civic.budget_remaining('budget_test.people');
RESET SESSION AUTHORIZATION;
SELECT * FROM budget_test.spent('regress_civic_analyst');

-- 2. A budget of 1: four queries of 0.25 pass, the fifth fails with VB001
-- and a message giving spent, requested and remaining; it charges nothing.
SELECT civic.set_budget('regress_civic_analyst', 'budget_test.people', 1.0, 1e-6);
SET SESSION AUTHORIZATION regress_civic_analyst;
SELECT civic.dp_count(0.25) > 0 AS released FROM budget_test.people_v;
SELECT civic.dp_count(0.25) > 0 AS released FROM budget_test.people_v;
SELECT * FROM civic.budget_remaining('budget_test.people');
SELECT civic.dp_count(0.25) > 0 AS released FROM budget_test.people_v;
SELECT civic.dp_count(0.25) > 0 AS released FROM budget_test.people_v;
SELECT civic.dp_count(0.25) > 0 AS released FROM budget_test.people_v;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM civic.budget_remaining('budget_test.people');
RESET SESSION AUTHORIZATION;
SELECT * FROM budget_test.spent('regress_civic_analyst');

-- 3. Composition.  Budget reset to a fresh 10.
SELECT civic.reset_budget('regress_civic_analyst', 'budget_test.people');
SELECT civic.set_budget('regress_civic_analyst', 'budget_test.people', 10, 1e-6);
SET SESSION AUTHORIZATION regress_civic_analyst;
-- GROUP BY over disjoint groups: epsilon once, not once per group
SELECT count(*) AS groups, bool_and(n > 0) AS released
  FROM (SELECT borough, civic.dp_count(0.5) AS n FROM budget_test.people_v GROUP BY borough) s;
-- (a query that does not use the aggregate's result releases nothing: no charge)
SELECT count(*) AS groups FROM (SELECT borough, civic.dp_count(0.5) FROM budget_test.people_v GROUP BY borough) s;
SELECT 10 - epsilon AS spent FROM civic.budget_remaining('budget_test.people');
-- two aggregates: basic composition adds them
SELECT civic.dp_count(0.5) > 0, civic.dp_sum(age::float8, 0, 90, 0.25) > 0 FROM budget_test.people_v;
SELECT 10 - epsilon AS spent FROM civic.budget_remaining('budget_test.people');
-- the same aggregate written twice is evaluated and released once
SELECT a = b AS same FROM (SELECT civic.dp_count(0.5) a, civic.dp_count(0.5) b FROM budget_test.people_v) s;
SELECT 10 - epsilon AS spent FROM civic.budget_remaining('budget_test.people');
-- grouping sets: each set is a separate release (3 sets x 0.5)
SELECT count(*), bool_and(n > -1000) FROM (SELECT borough, age, civic.dp_count(0.5) AS n FROM budget_test.people_v
                       GROUP BY GROUPING SETS ((borough), (age), ())) s;
SELECT 10 - epsilon AS spent FROM civic.budget_remaining('budget_test.people');
-- delta adds up too
SELECT civic.dp_count(0.5, 1e-7) > 0 FROM budget_test.people_v;
SELECT 10 - epsilon AS eps_spent, round((1e-6 - delta)::numeric, 15) AS delta_spent
  FROM civic.budget_remaining('budget_test.people');
-- EXPLAIN without ANALYZE (by a role allowed to) charges nothing
RESET SESSION AUTHORIZATION;
SELECT n AS before FROM budget_test.spent('postgres') \gset
EXPLAIN (COSTS OFF) SELECT civic.dp_count(0.5) FROM budget_test.people;
SELECT n - :before AS charges_added FROM budget_test.spent('postgres');
SELECT civic.dp_count(0.5) > 0 FROM budget_test.people;
SELECT n - :before AS charges_added FROM budget_test.spent('postgres');
-- EXPLAIN ANALYZE runs the query: it is charged
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT civic.dp_count(0.5) FROM budget_test.people;
SELECT n - :before AS charges_added FROM budget_test.spent('postgres');

-- 4. A declared dataset groups tables under one budget; one person may reach
-- up to max_groups_per_unit groups, which multiplies a GROUP BY's cost.
SELECT civic.declare_dataset('health', ARRAY['budget_test.people', 'budget_test.visits']::regclass[], 3);
SELECT civic.set_budget('regress_civic_analyst', 'health', 6);
-- a table of a dataset names the dataset
SELECT * FROM civic.budget_remaining('budget_test.visits', 'regress_civic_analyst');
CREATE VIEW budget_test.visits_v AS SELECT * FROM budget_test.visits;
GRANT SELECT ON budget_test.visits_v TO regress_civic_analyst;
SET SESSION AUTHORIZATION regress_civic_analyst;
SELECT civic.dp_count(0.5) > 0 FROM budget_test.visits_v;                 -- 0.5 x k=3 (a person has up to 3 rows)
SELECT 6 - epsilon AS spent FROM civic.budget_remaining('health');
SELECT count(*), bool_and(n > 0) FROM (SELECT v.id % 3, civic.dp_count(0.25) AS n FROM budget_test.visits_v v
                        JOIN budget_test.people_v p ON p.id = v.person GROUP BY 1) s;  -- 0.25 x 3
SELECT 6 - epsilon AS spent FROM civic.budget_remaining('health');
-- per-unit aggregates bound each person to one contribution per group: an
-- ungrouped one costs epsilon (0.25), a grouped one k x epsilon (0.75)
SELECT civic.dp_count_units(person, 0.25) > 0 FROM budget_test.visits_v;
SELECT 6 - epsilon AS spent FROM civic.budget_remaining('health');
SELECT count(*), bool_and(n > -1000) FROM (SELECT id % 7, civic.dp_count_units(person, 0.25) AS n
                                              FROM budget_test.visits_v GROUP BY 1) s;
SELECT 6 - epsilon AS spent FROM civic.budget_remaining('health');
SELECT dataset, count(*), sum(epsilon) AS epsilon FROM civic.privacy_ledger
 WHERE dataset = 'health' GROUP BY dataset;
RESET SESSION AUTHORIZATION;

-- 5. Who pays: the session role.  SET ROLE does not move the charge to the
-- other role, nor does a SECURITY DEFINER function owned by a superuser.
CREATE FUNCTION budget_test.definer_count() RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT civic.dp_count(0.125) FROM budget_test.people $$;
GRANT EXECUTE ON FUNCTION budget_test.definer_count() TO regress_civic_analyst;
SELECT * FROM budget_test.spent('regress_civic_other');
SET SESSION AUTHORIZATION regress_civic_analyst;
SET ROLE regress_civic_other;
SELECT current_user, session_user;
SELECT civic.dp_count(0.125) > 0 FROM budget_test.people_v;
RESET ROLE;
SELECT budget_test.definer_count() > 0;
SELECT aggregate, epsilon, query FROM civic.privacy_ledger
 WHERE role = 'regress_civic_analyst'::regrole ORDER BY "time" DESC LIMIT 2;
RESET SESSION AUTHORIZATION;
SELECT * FROM budget_test.spent('regress_civic_other');

-- 6. Privileges: analysts cannot raise, reset or declare, nor look at other
-- roles; they see only their own ledger rows.  Members of civic_budget_admin can.
SET SESSION AUTHORIZATION regress_civic_analyst;
SELECT civic.set_budget('regress_civic_analyst', 'health', 100);
SELECT civic.set_default_budget('regress_civic_analyst', 100);
SELECT civic.reset_budget('regress_civic_analyst', 'health');
SELECT civic.declare_dataset('mine', ARRAY['budget_test.people_v']::regclass[]);
SELECT * FROM civic.budget_remaining('health', 'regress_civic_other');
SELECT count(DISTINCT role) AS roles_visible, bool_and(role = 'regress_civic_analyst'::regrole) AS only_own
  FROM civic.privacy_ledger;
SELECT count(*) FROM civic.privacy_budgets WHERE role <> 'regress_civic_analyst'::regrole;
SELECT pg_catalog.pg_read_binary_file('pg_civic/ledger');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_civic_boss;
SELECT civic.is_budget_admin();
SELECT civic.set_budget('regress_civic_other', 'health', 2);
SELECT * FROM civic.budget_remaining('health', 'regress_civic_other');
SELECT count(DISTINCT role) > 1 AS sees_everyone FROM civic.privacy_ledger;
RESET SESSION AUTHORIZATION;

-- Invalid arguments.
SELECT civic.set_budget('regress_civic_analyst', 'health', -1);
SELECT civic.set_budget('regress_civic_analyst', 'health', 1, 2);
SELECT civic.set_budget('regress_civic_analyst', 'budget_test.nosuch', 1);
SELECT civic.declare_dataset('other', ARRAY['budget_test.people']::regclass[]);
SELECT civic.declare_dataset('views', ARRAY['budget_test.people_v']::regclass[]);
SELECT civic.declare_dataset('(no table)', ARRAY[]::regclass[]);
SELECT civic.declare_dataset('health', ARRAY['budget_test.people', 'budget_test.visits']::regclass[], 0);

-- 7. Shapes whose cost cannot be bounded are refused (0A000, VB003), before any charge.
SELECT n AS before FROM budget_test.spent('regress_civic_analyst') \gset
SET SESSION AUTHORIZATION regress_civic_analyst;
SELECT civic.dp_count(0.1) OVER () FROM budget_test.people_v LIMIT 1;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM generate_series(1, 3) g,
       LATERAL (SELECT civic.dp_count(0.1) FROM budget_test.people_v p WHERE p.id > g) s;
SELECT (SELECT civic.dp_count(0.1) FROM budget_test.people_v p WHERE p.borough = g)
  FROM generate_series(1, 3) g;
-- an epsilon computed by a subquery is only known during execution
SELECT civic.dp_count((SELECT 0.5::float8)) FROM budget_test.people_v;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- an epsilon that varies by row is rejected by the aggregate (22023), uncharged
\set VERBOSITY sqlstate
SELECT civic.dp_count(age / 100.0 + 0.1) FROM budget_test.people_v;
\set VERBOSITY default
RESET SESSION AUTHORIZATION;
SELECT n - :before AS charges_added FROM budget_test.spent('regress_civic_analyst');

-- An aggregate built from civic's support functions outside civic is not
-- metered, so its final function refuses to draw noise (VB002).
CREATE AGGREGATE budget_test.sneaky_count(epsilon float8) (
    SFUNC = civic._dp_count_trans, STYPE = internal, FINALFUNC = civic._dp_count_final);
SELECT budget_test.sneaky_count(1.0) FROM budget_test.people;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
DROP AGGREGATE budget_test.sneaky_count(float8);

-- 8. Query parameters are read at execution: a generic plan is charged the
-- value passed.
SET SESSION AUTHORIZATION regress_civic_analyst;
SET plan_cache_mode = force_generic_plan;
PREPARE q(float8) AS SELECT civic.dp_count($1) > 0 FROM budget_test.people_v;
SELECT 6 - epsilon AS spent_before FROM civic.budget_remaining('health');
EXECUTE q(0.0625);
EXECUTE q(0.125);
SELECT 6 - epsilon AS spent_after FROM civic.budget_remaining('health');
DEALLOCATE q;
RESET plan_cache_mode;
-- a stable expression is evaluated once, before the query runs
SET budget_test.eps = '0.0625';
SELECT civic.dp_count(current_setting('budget_test.eps')::float8) > 0 FROM budget_test.people_v;
SELECT 6 - epsilon AS spent_after_stable FROM civic.budget_remaining('health');
-- a PL/pgSQL loop is charged every iteration
DO $$
BEGIN
    FOR i IN 1..4 LOOP
        PERFORM civic.dp_count(0.0625) FROM budget_test.people_v;
    END LOOP;
END $$;
SELECT 6 - epsilon AS spent_after_loop FROM civic.budget_remaining('health');
RESET SESSION AUTHORIZATION;

-- 9. A parallel plan is charged once, by the leader; the workers' partial
-- aggregates are metered as part of it.
CREATE TABLE budget_test.big AS SELECT g AS id FROM generate_series(1, 200000) g;
ANALYZE budget_test.big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT civic.dp_count(0.5) FROM budget_test.big;
SELECT n AS before FROM budget_test.spent('postgres') \gset
SELECT abs(civic.dp_count(0.5) - 200000) < 100 AS close FROM budget_test.big;
SELECT n - :before AS charges_added FROM budget_test.spent('postgres');
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- 10. The ledger shows role, dataset, time, costs, mechanism, query id and text.
SELECT role, dataset, "time" <= now() AS in_past, epsilon, delta, mechanism, aggregate,
       query_id IS NOT NULL AS has_query_id, query
  FROM civic.privacy_ledger
 WHERE role = 'regress_civic_analyst'::regrole AND delta > 0;
