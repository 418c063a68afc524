-- Noise levels of the DP aggregates, for analysts planning a query and for
-- the accuracy tests (docs/dp.md).

CREATE FUNCTION civic.dp_count_noise_sd(epsilon pg_catalog.float8, delta pg_catalog.float8 DEFAULT 0)
RETURNS pg_catalog.float8 AS 'MODULE_PATHNAME', 'dp_count_noise_sd'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.dp_count_noise_sd(pg_catalog.float8, pg_catalog.float8) IS
    'standard deviation of the noise of dp_count(epsilon, delta): discrete Laplace for delta = 0, discrete Gaussian otherwise';

CREATE FUNCTION civic.dp_avg_error(lower pg_catalog.float8, upper pg_catalog.float8, epsilon pg_catalog.float8,
                                   n pg_catalog.int8, confidence pg_catalog.float8, delta pg_catalog.float8,
                                   avg pg_catalog.float8)
RETURNS pg_catalog.float8 AS 'MODULE_PATHNAME', 'dp_avg_error'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.dp_avg_error(pg_catalog.float8, pg_catalog.float8, pg_catalog.float8, pg_catalog.int8, pg_catalog.float8, pg_catalog.float8, pg_catalog.float8) IS
    'Half-width of a confidence interval of civic.dp_avg over n rows, given the released average avg: covers the mean with about the stated confidence.';

COMMENT ON FUNCTION civic.dp_avg_error(pg_catalog.float8, pg_catalog.float8, pg_catalog.float8, pg_catalog.int8, pg_catalog.float8, pg_catalog.float8) IS
    'Half-width of a confidence interval of civic.dp_avg over n rows (use the noisy count for n): at least the confidence for every dataset (the quantile for a mean at a bound).';
