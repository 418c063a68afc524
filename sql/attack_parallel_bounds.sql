-- Attack on dp_sum's bounds in a parallel plan: the bounds are read from
-- the first row of each partial aggregate, and the final function checks
-- only the grid of the combined state against the bounds it evaluates
-- itself.  A bound written as a (falsely) STABLE function that answers
-- 1.1 in the leader and 1.9 in parallel workers (the same grid step,
-- different clamps) let workers' rows be clamped at 1.9 while the noise
-- was calibrated for 1.1: a release beyond the bounds, with a sensitivity
-- almost twice the one charged for.  Every partial state must clamp on the
-- same grid (SQLSTATE 22023 otherwise).  epsilon 1e6 makes the noise
-- negligible (Laplace scale below 1e-5); whether the plan gets parallel
-- workers does not matter: refused or within the bounds, never beyond.
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_atkp_analyst;
RESET client_min_messages;
CREATE ROLE regress_atkp_analyst;
CREATE SCHEMA atkp;
GRANT USAGE ON SCHEMA atkp TO PUBLIC;
CREATE TABLE atkp.big AS SELECT g AS id, 100.0::float8 AS v FROM generate_series(1, 100000) g;
ANALYZE atkp.big;
CREATE VIEW atkp.big_v AS SELECT * FROM atkp.big;
GRANT SELECT ON atkp.big_v TO regress_atkp_analyst;
SELECT civic.set_budget('regress_atkp_analyst', 'atkp.big', 1e9);
-- 1.1 in the process named by atkp.leader, 1.9 elsewhere
CREATE FUNCTION atkp.hi() RETURNS float8 LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog AS $$
  SELECT CASE WHEN pg_backend_pid() = current_setting('atkp.leader')::int
              THEN 1.1::float8 ELSE 1.9::float8 END $$;
GRANT EXECUTE ON FUNCTION atkp.hi() TO PUBLIC;
-- The number of releases out of n beyond what the bounds allow
-- (100,000 rows clamped to [0, 1.1]: at most 110,000).
CREATE FUNCTION atkp.beyond(q text, n int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE r float8; bad int := 0;
BEGIN
    FOR i IN 1 .. n LOOP
        BEGIN
            EXECUTE q INTO r;
            IF r > 110000.5 THEN bad := bad + 1; END IF;
        EXCEPTION WHEN invalid_parameter_value THEN
            NULL;               -- refused: nothing released
        END;
    END LOOP;
    RETURN bad;
END $$;
GRANT EXECUTE ON FUNCTION atkp.beyond(text, int) TO PUBLIC;

SET SESSION AUTHORIZATION regress_atkp_analyst;
SELECT set_config('atkp.leader', pg_backend_pid()::text, false) IS NOT NULL AS leader_set;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SELECT atkp.beyond('SELECT civic.dp_sum(v, 0, atkp.hi(), 1e6) FROM atkp.big_v', 3) AS sum_releases_beyond_bounds;
-- the same grouped (a few groups, each combined from partial states)
-- (110,000 plus the largest excess of a group over its rows times 1.1)
SELECT atkp.beyond('SELECT 110000 + max(e) FROM (SELECT civic.dp_sum(v, 0, atkp.hi(), 1e6) - count(*) * 1.1 AS e FROM atkp.big_v GROUP BY id % 3) x', 3) AS grouped_releases_beyond_bounds;
RESET SESSION AUTHORIZATION;

SELECT civic.reset_budget('regress_atkp_analyst', 'atkp.big');
DROP SCHEMA atkp CASCADE;
DROP ROLE regress_atkp_analyst;
