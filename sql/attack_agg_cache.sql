-- The meter and the final functions keep what dp_params.c learnt of an
-- aggregate (its mechanism, number of draws, whether it is per unit) for
-- a whole query.  A change to pg_proc in the middle of the query (here a
-- volatile function in the query that creates functions; from another
-- session it arrives at the next lock) used to free that cache under
-- them.  The query must still be answered and charged as written.
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_atkc_analyst;
RESET client_min_messages;
CREATE ROLE regress_atkc_analyst;
CREATE SCHEMA atkc;
GRANT USAGE ON SCHEMA atkc TO PUBLIC;
CREATE TABLE atkc.people AS SELECT g AS id, 'W' || (g % 5) AS ward, (g % 90)::float8 AS age
  FROM generate_series(1, 1000) g;
CREATE VIEW atkc.people_v AS SELECT * FROM atkc.people;
GRANT SELECT ON atkc.people_v TO regress_atkc_analyst;
SELECT civic.set_budget('regress_atkc_analyst', 'atkc.people', 1e7, 1e-6);
-- the first call creates (and replaces) 200 functions: pg_proc changes
CREATE FUNCTION atkc.churn() RETURNS boolean LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog AS $$
BEGIN
    IF current_setting('atkc.done', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('atkc.done', 'yes', false);
        FOR i IN 1 .. 200 LOOP
            EXECUTE format('CREATE OR REPLACE FUNCTION pg_temp.churn_%s() RETURNS int LANGUAGE sql AS %L',
                           i, 'SELECT ' || i);
        END LOOP;
    END IF;
    RETURN true;
END $$;
GRANT EXECUTE ON FUNCTION atkc.churn() TO PUBLIC;
SET SESSION AUTHORIZATION regress_atkc_analyst;
SET max_parallel_workers_per_gather = 0;
-- epsilon 1e6: noise below 1e-4 (sum, average) and at most 1 (count, with
-- probability above 1 - 1e-300)
SELECT ward, abs(civic.dp_count(1e6) - count(*)) <= 1 AS count_ok,
       abs(civic.dp_avg(age, 0, 100, 1e6) - avg(age)) < 0.01 AS avg_ok,
       abs(civic.dp_sum(age, 0, 100, 1e6, 1e-9) - sum(age)) < 1 AS gaussian_sum_ok
  FROM atkc.people_v WHERE atkc.churn() GROUP BY ward ORDER BY ward;
RESET SESSION AUTHORIZATION;
SELECT aggregate, mechanism, epsilon, delta FROM civic.privacy_ledger
 WHERE role = 'regress_atkc_analyst'::regrole ORDER BY aggregate;

SELECT civic.reset_budget('regress_atkc_analyst', 'atkc.people');
DROP SCHEMA atkc CASCADE;
DROP ROLE regress_atkc_analyst;
