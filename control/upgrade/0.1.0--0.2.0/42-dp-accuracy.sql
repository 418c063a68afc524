-- Noise levels of the DP aggregates (control/install/42-dp-accuracy.sql, all
-- new in 0.2.0), and dp_avg_error's comment as 0.2.0 states its interval.
-- @include control/install/42-dp-accuracy.sql

COMMENT ON FUNCTION civic.dp_avg_error(pg_catalog.float8, pg_catalog.float8, pg_catalog.float8, pg_catalog.int8, pg_catalog.float8, pg_catalog.float8) IS
    'Half-width of a confidence interval of civic.dp_avg over n rows (use the noisy count for n): at least the confidence for every dataset (the quantile for a mean at a bound).';
