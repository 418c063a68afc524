SET search_path = "$user", public, civic;
-- One source of truth for the privacy parameters of the DP aggregates
-- (src/dp_params.c): the metering hook and the aggregates' final functions
-- read the same names, positions, constancy rule, range and mechanism, so
-- what is charged is exactly what is evaluated.
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_params_analyst;
RESET client_min_messages;
CREATE ROLE regress_params_analyst;
CREATE SCHEMA dp_params_test;
GRANT USAGE ON SCHEMA dp_params_test TO PUBLIC;
CREATE TABLE dp_params_test.people AS
    SELECT g AS id, g % 50 AS person, (g % 4)::int AS ward, (g % 101)::float8 AS v
      FROM generate_series(1, 1000) g;
CREATE VIEW dp_params_test.people_v AS SELECT * FROM dp_params_test.people;
GRANT SELECT ON dp_params_test.people_v TO regress_params_analyst;
SELECT civic.set_budget('regress_params_analyst', 'dp_params_test.people', 10, 1e-6);
CREATE FUNCTION dp_params_test.spent(OUT n bigint, OUT eps numeric)
LANGUAGE sql AS $$
    SELECT count(*), round(coalesce(sum(epsilon), 0)::numeric, 9)
      FROM civic.privacy_ledger WHERE role::text = 'regress_params_analyst' $$;

-- 1. DISTINCT and ORDER BY in a DP aggregate's arguments: the aggregate
-- refuses them (0A000) and so does the meter, before anything runs, so
-- nothing is charged.  (The meter used to charge such a query although the
-- aggregate refused to answer it.)
SET SESSION AUTHORIZATION regress_params_analyst;
SELECT civic.dp_count(DISTINCT 1.0::float8) FROM dp_params_test.people_v;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT civic.dp_sum(v, 0, 100, 1.0 ORDER BY v) FROM dp_params_test.people_v;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT civic.dp_median(DISTINCT v, 0, 100, 1.0) FROM dp_params_test.people_v;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;
SELECT * FROM dp_params_test.spent();

-- 2. The mechanism recorded in the ledger is the one the aggregate uses,
-- for every aggregate (one table in dp_params.c, not a guess from the name).
SET SESSION AUTHORIZATION regress_params_analyst;
SELECT civic.dp_count(0.1) IS NOT NULL AS released FROM dp_params_test.people_v;
SELECT civic.dp_count(0.1, 1e-9) IS NOT NULL AS released FROM dp_params_test.people_v;
SELECT civic.dp_count_units(person, 0.1) IS NOT NULL AS released FROM dp_params_test.people_v;
SELECT civic.dp_sum(v, 0, 100, 0.1) IS NOT NULL AS released FROM dp_params_test.people_v;
SELECT civic.dp_avg(v, 0, 100, 0.1, 1e-9) IS NOT NULL AS released FROM dp_params_test.people_v;
SELECT civic.dp_sum_per_unit(person, v, 0, 100, 0.1) IS NOT NULL AS released FROM dp_params_test.people_v;
SELECT civic.dp_avg_per_unit(person, v, 0, 100, 0.1, 1e-9) IS NOT NULL AS released FROM dp_params_test.people_v;
SELECT civic.dp_percentile(v, 0.9, 0, 100, 0.1) IS NOT NULL AS released FROM dp_params_test.people_v;
SELECT civic.dp_median(v, 0, 100, 0.1) IS NOT NULL AS released FROM dp_params_test.people_v;
RESET SESSION AUTHORIZATION;
SELECT aggregate, mechanism, round(epsilon::numeric, 3) AS epsilon, delta
  FROM civic.privacy_ledger WHERE role::text = 'regress_params_analyst'
 ORDER BY "time", aggregate, mechanism;

-- 3. A parallel plan: the final (combining) aggregate finds its parameters
-- in the partial aggregate below Gather by the same walk as the meter; the
-- query is charged once and answers.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
ALTER TABLE dp_params_test.people SET (parallel_workers = 2);
EXPLAIN (COSTS OFF) SELECT civic.dp_sum(v, 0, 100, 0.2) FROM dp_params_test.people_v;
SET SESSION AUTHORIZATION regress_params_analyst;
SELECT civic.dp_sum(v, 0, 100, 0.2) IS NOT NULL AS released FROM dp_params_test.people_v;
RESET SESSION AUTHORIZATION;
SELECT * FROM dp_params_test.spent();
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- 4. Every parameter, bounds and p included, follows one rule in the meter
-- and the aggregate.  One that varies by row is refused by the aggregate
-- (22023) and not charged (the meter used to charge a bound that varies by
-- row).  One computed while the query runs -- an epsilon or a bound from a
-- scalar subquery, possibly over private rows -- is refused before the
-- query runs (VB003), uncharged (the aggregate used to accept such a bound).
SET SESSION AUTHORIZATION regress_params_analyst;
\set VERBOSITY sqlstate
SELECT civic.dp_count(ward / 10.0 + 0.1) FROM dp_params_test.people_v;
SELECT civic.dp_sum(v, 0, v, 1.0) FROM dp_params_test.people_v;
SELECT civic.dp_percentile(v, ward / 4.0, 0, 100, 1.0) FROM dp_params_test.people_v;
SELECT civic.dp_sum(v, 0, 100, (SELECT 0.5::float8)) FROM dp_params_test.people_v;
SELECT civic.dp_sum(v, 0, (SELECT max(v) FROM dp_params_test.people_v), 1.0) FROM dp_params_test.people_v;
SELECT civic.dp_count(person, (SELECT 3), 1.0) FROM dp_params_test.people_v;
\set VERBOSITY default
RESET SESSION AUTHORIZATION;
SELECT * FROM dp_params_test.spent();

SELECT civic.reset_budget('regress_params_analyst', 'dp_params_test.people');
DROP SCHEMA dp_params_test CASCADE;
DROP ROLE regress_params_analyst;
