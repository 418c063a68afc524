-- The unit-first dp_sum(unit, ...) and dp_avg(unit, ...) are deprecated
-- names of dp_sum_per_unit and dp_avg_per_unit (control/install/41-dp-unit-first.sql).
COMMENT ON AGGREGATE civic.dp_sum(anyelement, float8, float8, float8, float8) IS
    'Deprecated name of dp_sum_per_unit (a numeric unit resolves to the row-level dp_sum): differentially private sum with per-person bounding, discrete Laplace noise.';
COMMENT ON AGGREGATE civic.dp_sum(anyelement, float8, float8, float8, float8, float8) IS
    'Deprecated name of dp_sum_per_unit: differentially private sum with per-person bounding, discrete Gaussian noise.';
COMMENT ON AGGREGATE civic.dp_avg(anyelement, float8, float8, float8, float8) IS
    'Deprecated name of dp_avg_per_unit (a numeric unit resolves to the row-level dp_avg): differentially private mean over units of each unit''s own mean, clamped to [lower, upper].';
COMMENT ON AGGREGATE civic.dp_avg(anyelement, float8, float8, float8, float8, float8) IS
    'Deprecated name of dp_avg_per_unit: differentially private mean over units with discrete Gaussian noise.';
