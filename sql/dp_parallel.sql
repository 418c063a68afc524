-- DP aggregates under forced parallel plans: Partial/Finalize aggregation,
-- serial/deserial round trips, combine with empty sides, per-unit states
-- merged across workers, and the same noise distribution with and without
-- workers.
--
-- False-failure budget: 6 z-tests at |z| < 6 (2.0e-9 each) and the
-- tolerance checks of near-noiseless aggregates (epsilon = 1e6; the
-- discrete Laplace then exceeds 40 grid units with probability < 1e-20):
-- total < 2e-8.
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS dp_test;
-- 400000 rows, 4000 groups of 100; rows of one group lie 4000 rows apart,
-- so a parallel scan gives them to different processes.  20000 persons
-- have 20 rows each, spread over many groups and blocks.
CREATE TABLE dp_test.par AS
    SELECT g, g % 4000 AS grp, (g * 7919) % 60000 / 3 AS person,
           ((g * 7919) % 60000 / 3)::text AS tperson, (g % 50)::float8 AS v
      FROM generate_series(1::bigint, 400000) g;
ANALYZE dp_test.par;

-- The plan of an EXPLAIN ANALYZE, without timings: does a Gather launch workers?
CREATE FUNCTION dp_test.workers_launched(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
        IF line ~ 'Workers Launched' THEN
            RETURN btrim(line);
        END IF;
    END LOOP;
    RETURN 'no workers';
END $$;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0.1;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF)
SELECT civic.dp_count(1.0), civic.dp_sum(v, 0, 50, 1.0), civic.dp_median(v, 0, 50, 1.0),
       civic.dp_count_units(person, 1.0)
  FROM dp_test.par;
EXPLAIN (COSTS OFF)
SELECT grp, civic.dp_count(0.5), civic.dp_count_units(tperson, 1e6) FROM dp_test.par GROUP BY grp;
SELECT dp_test.workers_launched('SELECT grp, civic.dp_count(0.5), civic.dp_count_units(tperson, 1e6) FROM dp_test.par GROUP BY grp');

-- Near-noiseless (epsilon = 1e6: P(noise != 0) < e^-999999 for counts)
-- results equal the exact answers, group by group, through the workers'
-- serialized partial states.
CREATE TABLE dp_test.exact AS
    SELECT grp, sum(c) AS n, count(*) AS units, sum(sv) AS s, sum(least(c, 2)) AS capped
      FROM (SELECT grp, person, count(*) AS c, sum(v) AS sv FROM dp_test.par GROUP BY grp, person) x
     GROUP BY grp;
CREATE TABLE dp_test.par_out AS
    SELECT grp, civic.dp_count(1e6) AS n, civic.dp_count_units(person, 1e6) AS units,
           civic.dp_count_units(tperson, 1e6) AS tunits, civic.dp_count(person, 2, 1e6) AS capped,
           civic.dp_sum(v, 0, 50, 1e6) AS s, civic.dp_sum_per_unit(tperson, v, 0, 1000, 1e6) AS su
      FROM dp_test.par GROUP BY grp;
SELECT count(*) AS groups,
       bool_and(o.n = e.n) AS count_exact,
       bool_and(o.units = e.units AND o.tunits = e.units) AS units_exact,
       bool_and(o.capped = e.capped) AS capped_exact,
       bool_and(abs(o.s - e.s) <= 40 * 2 ^ -14) AS sum_close,
       bool_and(abs(o.su - e.s) <= 40 * 2 ^ -10) AS sum_per_unit_close
  FROM dp_test.par_out o JOIN dp_test.exact e USING (grp);

-- A person spread over every worker is one unit: whole-table counts.
SELECT civic.dp_count_units(person, 1e6) = (SELECT count(DISTINCT person) FROM dp_test.par) AS units_exact,
       civic.dp_count(person, 5, 1e6) = (SELECT sum(least(c, 5)) FROM (SELECT count(*) c FROM dp_test.par GROUP BY person) x) AS capped_exact
  FROM dp_test.par;
SELECT dp_test.workers_launched('SELECT civic.dp_count_units(person, 1e6) FROM dp_test.par');

-- Empty input through a parallel plan: every worker's state is empty and
-- the answer is still noised, not NULL.
SELECT civic.dp_count(1.0) IS NOT NULL AS count_, civic.dp_sum(v, 0, 50, 1.0) IS NOT NULL AS sum_,
       civic.dp_median(v, 0, 50, 1.0) BETWEEN 0 AND 50 AS median,
       civic.dp_count_units(tperson, 1.0) IS NOT NULL AS units
  FROM dp_test.par WHERE g < 0;

-- Sorted grouping (Gather Merge over partial GroupAggregate).
SET enable_hashagg = off;
EXPLAIN (COSTS OFF) SELECT grp, civic.dp_count(1e6) FROM dp_test.par GROUP BY grp;
SELECT bool_and(n = 100) AS sorted_exact FROM (SELECT grp, civic.dp_count(1e6) AS n FROM dp_test.par GROUP BY grp) s;
RESET enable_hashagg;

-- Noise distribution with workers ...
CREATE TABLE dp_test.noise_par AS
    SELECT civic.dp_count(0.5) - count(*) AS y, civic.dp_sum(v, 0, 50, 1.0) - sum(v) AS s
      FROM dp_test.par GROUP BY grp;
SELECT dp_test.workers_launched('SELECT civic.dp_count(0.5) - count(*), civic.dp_sum(v, 0, 50, 1.0) - sum(v) FROM dp_test.par GROUP BY grp');
-- ... and without.
SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF) SELECT grp, civic.dp_count(0.5) FROM dp_test.par GROUP BY grp;
CREATE TABLE dp_test.noise_ser AS
    SELECT civic.dp_count(0.5) - count(*) AS y, civic.dp_sum(v, 0, 50, 1.0) - sum(v) AS s
      FROM dp_test.par GROUP BY grp;
RESET max_parallel_workers_per_gather;

-- Both match theory (discrete Laplace p = e^-0.5: variance 2p/(1-p)^2 =
-- 7.8354, fourth central moment 376.196; sum: Laplace scale 50 on a fine
-- grid, variance 5000, fourth moment 6 * 5000^2) and each other (the
-- variance of a sample variance is (mu4 - var^2) / n).
WITH a AS (SELECT avg(y) my, var_pop(y) vy, avg(s) ms, var_pop(s) vs, count(*) n FROM dp_test.noise_par),
     b AS (SELECT avg(y) my, var_pop(y) vy, avg(s) ms, var_pop(s) vs, count(*) n FROM dp_test.noise_ser)
SELECT a.n AS samples,
       abs(a.my) / sqrt(7.8354 / a.n) < 6 AND abs(b.my) / sqrt(7.8354 / b.n) < 6 AS count_means_ok,
       abs(a.my - b.my) / sqrt(2 * 7.8354 / a.n) < 6 AS count_means_agree,
       abs(a.vy - b.vy) / sqrt(2 * (376.196 - 7.8354 ^ 2) / a.n) < 6 AS count_vars_agree,
       abs(a.ms - b.ms) / sqrt(2 * 5000.0 / a.n) < 6 AS sum_means_agree,
       abs(a.vs - b.vs) / sqrt(2 * 5 * 5000.0 ^ 2 / a.n) < 6 AS sum_vars_agree
  FROM a, b;

RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET parallel_leader_participation;
DROP TABLE dp_test.par, dp_test.exact, dp_test.par_out, dp_test.noise_par, dp_test.noise_ser;
