-- Differential-privacy aggregates: catalogue labels, parameter validation,
-- refusal of unsafe uses.  Deterministic (no noise is printed).
SET search_path = "$user", public, civic;  -- as the database's (sql/00_install.sql), so this file runs alone
CREATE SCHEMA dp_test;
-- err(q): the SQLSTATE and message of running q, or 'ok'.
CREATE FUNCTION dp_test.err(q text) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- Every DP aggregate: combine, serial and deserial functions, parallel safe,
-- a VOLATILE final function, an argument named epsilon, and a comment.
SELECT p.oid::regprocedure AS aggregate,
       a.aggcombinefn <> 0 AND a.aggserialfn <> 0 AND a.aggdeserialfn <> 0 AS combinable,
       p.proparallel = 's' AS parallel_safe,
       f.provolatile = 'v' AS final_volatile,
       'epsilon' = ANY (p.proargnames) AS named_epsilon,
       pg_catalog.obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented
  FROM pg_proc p JOIN pg_aggregate a ON a.aggfnoid = p.oid
  JOIN pg_proc f ON f.oid = a.aggfinalfn
 WHERE p.pronamespace = 'civic'::regnamespace AND p.proname LIKE 'dp\_%'
 ORDER BY p.oid::regprocedure::text;

-- Every support function is commented; none is LEAKPROOF; only final
-- functions are volatile.  (The release functions of the Citus fast path,
-- civic._dp_*_release, are checked in sql/dp_release_local.sql: volatile,
-- executable by the roles whose queries the planner writes them into, and
-- refusing every call it did not write.)
SELECT count(*) AS support_functions,
       bool_and(pg_catalog.obj_description(oid, 'pg_proc') IS NOT NULL) AS all_commented,
       bool_and(NOT proleakproof) AS none_leakproof,
       bool_and((provolatile = 'v') = (proname LIKE '%final')) AS volatile_iff_final
  FROM pg_proc WHERE pronamespace = 'civic'::regnamespace AND proname LIKE '\_dp\_%'
   AND proname NOT LIKE '\_dp\_%\_release';

-- Invalid parameters: SQLSTATE 22023 with a clear message.
SELECT dp_test.err('SELECT civic.dp_count(0) FROM generate_series(1, 3)');
SELECT dp_test.err('SELECT civic.dp_count(-1) FROM generate_series(1, 3)');
SELECT dp_test.err('SELECT civic.dp_count(''NaN''::float8) FROM generate_series(1, 3)');
SELECT dp_test.err('SELECT civic.dp_count(''Infinity''::float8) FROM generate_series(1, 3)');
SELECT dp_test.err('SELECT civic.dp_count(1.0, 1.0) FROM generate_series(1, 3)');
SELECT dp_test.err('SELECT civic.dp_count(1.0, -0.1) FROM generate_series(1, 3)');
SELECT dp_test.err('SELECT civic.dp_count(NULL::float8) FROM generate_series(1, 3)');
SELECT dp_test.err('SELECT civic.dp_sum(g::float8, 10, 0, 1.0) FROM generate_series(1, 3) g');
SELECT dp_test.err('SELECT civic.dp_sum(g::float8, 0, ''Infinity'', 1.0) FROM generate_series(1, 3) g');
SELECT dp_test.err('SELECT civic.dp_sum(g::bigint, 10, 0, 1.0) FROM generate_series(1, 3) g');
SELECT dp_test.err('SELECT civic.dp_sum(g::numeric, 10, 0, 1.0) FROM generate_series(1, 3) g');
SELECT dp_test.err('SELECT civic.dp_avg(g::float8, 10, 0, 1.0) FROM generate_series(1, 3) g');
SELECT dp_test.err('SELECT civic.dp_percentile(g::float8, 1.5, 0, 10, 1.0) FROM generate_series(1, 3) g');
SELECT dp_test.err('SELECT civic.dp_percentile(g::float8, -0.1, 0, 10, 1.0) FROM generate_series(1, 3) g');
SELECT dp_test.err('SELECT civic.dp_median(g::float8, 10, 0, 1.0) FROM generate_series(1, 3) g');
SELECT dp_test.err('SELECT civic.dp_count(g, 0, 1.0) FROM generate_series(1, 3) g');
SELECT dp_test.err('SELECT civic.dp_sum_per_unit(g, 1.0, 10, 0, 1.0) FROM generate_series(1, 3) g');
SELECT dp_test.err('SELECT civic.dp_count_error(0)');
SELECT dp_test.err('SELECT civic.dp_count_error(1.0, 1.0)');
SELECT dp_test.err('SELECT civic.dp_count_error(1.0, 0)');
SELECT dp_test.err('SELECT civic.dp_sum_error(10, 0, 1.0)');
SELECT dp_test.err('SELECT civic.dp_avg_error(0, 10, 1.0, 100, 0.95, 1.5)');
-- The same errors on an empty input (parameters come from the query).
SELECT dp_test.err('SELECT civic.dp_count(0) FROM generate_series(1, 0)');
SELECT dp_test.err('SELECT civic.dp_sum(g::float8, 10, 0, 1.0) FROM generate_series(1, 0) g');

-- Parameters must be constant for the whole query.
SELECT dp_test.err('SELECT civic.dp_count(g::float8) FROM generate_series(1, 3) g');
SELECT dp_test.err('SELECT civic.dp_sum(g::float8, 0, g, 1.0) FROM generate_series(1, 3) g');
SELECT dp_test.err('SELECT civic.dp_count(random() + 1) FROM generate_series(1, 3) g');
-- A numeric unit passed to the plain dp_sum is reported, not used as a bound.
SELECT dp_test.err('SELECT civic.dp_sum(g, g::float8, 0, 10, 1.0) FROM generate_series(1, 3) g');
-- Query parameters are constants, also in a generic plan; a bad value is
-- still refused.
SET plan_cache_mode = force_generic_plan;
PREPARE dp_q(float8) AS SELECT civic.dp_count($1) IS NOT NULL FROM generate_series(1, 3);
EXECUTE dp_q(1.0);
SELECT dp_test.err('EXECUTE dp_q(-1)');
DEALLOCATE dp_q;
RESET plan_cache_mode;

-- The support functions are not executable by PUBLIC; SQL cannot even
-- call a final function directly (no value of type internal can be written;
-- from C it refuses to run outside an aggregate).
SELECT bool_and(proacl IS NOT NULL AND
                NOT EXISTS (SELECT 1 FROM aclexplode(proacl) a WHERE a.grantee = 0)) AS not_public
  FROM pg_proc WHERE pronamespace = 'civic'::regnamespace AND proname LIKE '\_dp\_%'
   AND proname NOT LIKE '\_dp\_%\_release';
SELECT dp_test.err('SELECT civic._dp_count_final(NULL)');
-- Nor can an ordinary role build its own aggregate around civic's
-- transition function with a noiseless final function (here the
-- serialization function, which would return the exact count): PostgreSQL
-- refuses internal-state aggregates to non-superusers, and the support
-- functions are not executable by PUBLIC either.
CREATE ROLE regress_dp_analyst;
GRANT USAGE ON SCHEMA civic, dp_test TO regress_dp_analyst;
GRANT CREATE ON SCHEMA dp_test TO regress_dp_analyst;
SET ROLE regress_dp_analyst;
SELECT dp_test.err('CREATE AGGREGATE dp_test.leak(float8) (SFUNC = civic._dp_count_trans, STYPE = internal, FINALFUNC = civic._dp_count_serial)');
SELECT dp_test.err('CREATE AGGREGATE dp_test.leak(float8, float8, float8, float8) (SFUNC = civic._dp_sum_trans, STYPE = internal, SERIALFUNC = civic._dp_sum_serial)');
RESET ROLE;
REVOKE ALL ON SCHEMA civic, dp_test FROM regress_dp_analyst;
DROP ROLE regress_dp_analyst;

-- No window use: it would draw fresh noise for the same rows many times.
SELECT dp_test.err('SELECT civic.dp_count(1.0) OVER () FROM generate_series(1, 3)');
SELECT dp_test.err('SELECT civic.dp_sum(g::float8, 0, 10, 1.0) OVER (ORDER BY g) FROM generate_series(1, 3) g');
-- No DISTINCT or ORDER BY inside the aggregate.
SELECT dp_test.err('SELECT civic.dp_count_units(DISTINCT g, 1.0) FROM generate_series(1, 3) g');

-- Empty input still gets a noised, non-NULL answer from every aggregate.
SELECT civic.dp_count(1.0) IS NOT NULL AS count_,
       civic.dp_count(1.0, 1e-6) IS NOT NULL AS count_gauss,
       civic.dp_sum(g::float8, 0, 10, 1.0) IS NOT NULL AS sum_float8,
       civic.dp_sum(g::bigint, 0, 10, 1.0) IS NOT NULL AS sum_bigint,
       civic.dp_sum(g::numeric, 0, 10, 1.0) IS NOT NULL AS sum_numeric,
       civic.dp_avg(g::float8, 0, 10, 1.0) BETWEEN 0 AND 10 AS avg_,
       civic.dp_median(g::float8, 0, 10, 1.0) BETWEEN 0 AND 10 AS median,
       civic.dp_count_units(g, 1.0) IS NOT NULL AS count_units,
       civic.dp_count(g, 3, 1.0) IS NOT NULL AS count_capped,
       civic.dp_sum_per_unit(g, g::float8, 0, 10, 1.0) IS NOT NULL AS sum_per_unit,
       civic.dp_avg_per_unit(g, g::float8, 0, 10, 1.0) BETWEEN 0 AND 10 AS avg_per_unit
  FROM generate_series(1, 0) g;

-- Bounds whose span upper - lower overflows a double (here about 2e308)
-- still give a finite percentile on the grid of [lower, upper] that follows
-- the data: 1001 values (k - 500) * 1e305 have median 0, and with epsilon =
-- 1e6 the release is a grid point next to rank 500 (grid step ~1.95e305).
SELECT bool_and(m BETWEEN -1e308 AND 1e308) AS median_finite,
       bool_and(abs(m) <= 4e305) AS median_follows_data
  FROM (SELECT civic.dp_median((k - 500) * 1e305, -1e308, 1e308, 1e6) AS m
          FROM generate_series(0, 1000) k, generate_series(1, 20) grp GROUP BY grp) s;

-- dp_avg stays within [lower, upper] also when the bounds are not grid
-- points: 0.1 and 0.2 lie between points of the grid 2^-22, and the nearest
-- grid point to 0.1 is below it.  Every row is 0.1 (or clamped to it);
-- with epsilon = 1e6 the release is the lowest admissible grid point.
SELECT bool_and(a BETWEEN 0.1 AND 0.2) AS avg_in_bounds,
       bool_and(u BETWEEN 0.1 AND 0.2) AS avg_per_unit_in_bounds,
       bool_and(a * 2 ^ 22 = trunc(a * 2 ^ 22)) AS avg_on_grid,
       bool_and(n BETWEEN 1000000.25 AND 1000000.375) AS narrow_bounds_in_bounds
  FROM (SELECT civic.dp_avg(0.05::float8, 0.1, 0.2, 1e6) AS a,
               civic.dp_avg_per_unit(g, 0.1::float8, 0.1, 0.2, 1e6) AS u,
               civic.dp_avg(1e6::float8, 1000000.25, 1000000.375, 1e6) AS n
          FROM generate_series(1, 1000) g, generate_series(1, 20) grp GROUP BY grp) s;

-- Result types.
SELECT pg_typeof(civic.dp_count(1.0)) AS count_, pg_typeof(civic.dp_sum(1::bigint, 0, 1, 1.0)) AS sum_bigint,
       pg_typeof(civic.dp_sum(1::numeric, 0, 1, 1.0)) AS sum_numeric, pg_typeof(civic.dp_sum(1::float8, 0, 1, 1.0)) AS sum_float8,
       pg_typeof(civic.dp_count_units('a'::text, 1.0)) AS count_units;

-- Error bars: deterministic functions of the parameters.
-- Discrete Laplace, epsilon = 1: P(|Y| > h) = 2 e^-(h+1) / (1 + e^-1), so
-- h = 3 at 0.95 (P(|Y| > 3) = 0.027 <= 0.05 < 0.073 = P(|Y| > 2)) and
-- h = 4 at 0.99 (0.0098).
SELECT civic.dp_count_error(1.0) AS h95, civic.dp_count_error(1.0, 0.99) AS h99,
       civic.dp_count_error(0.1) AS h95_eps01;
-- Sums scale with the bound; the grid is a power of two.
SELECT civic.dp_sum_grid(0, 10, 1.0) = 2 ^ -16 AS grid_10,
       civic.dp_sum_grid(-1000, 5, 1.0) = 2 ^ -10 AS grid_1000,
       civic.dp_sum_error(0, 10, 1.0) BETWEEN 29.9 AND 30.0 AS sum_err,
       civic.dp_avg_error(0, 10, 1.0, 1000000) < 0.01 AS avg_err_large_n,
       civic.dp_avg_error(0, 10, 1.0, 1) = 10 AS avg_err_tiny_n,
       civic.dp_count_error(1.0, 0.95, 1e-6) > civic.dp_count_error(1.0) AS gauss_wider;
