-- Per-person sum and mean under the names dp_sum and dp_avg, with the
-- privacy unit first: the same aggregates as dp_sum_per_unit and
-- dp_avg_per_unit.  DEPRECATED since 0.2.0 (kept working, with a warning
-- once per call; to be removed in a later version): a five-argument call
-- whose unit is a number resolves to the row-level dp_sum(value, lower,
-- upper, epsilon, delta) (PostgreSQL prefers float8 for a number), which
-- then refuses the call because its bounds are not constants.  The names
-- dp_sum_per_unit / dp_avg_per_unit resolve right for every unit type.
CREATE AGGREGATE civic.dp_sum(unit anyelement, value float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dp_unit_value_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = civic._dp_sum_unit_final, COMBINEFUNC = civic._dp_unit_combine,
    SERIALFUNC = civic._dp_unit_serial, DESERIALFUNC = civic._dp_unit_deserial,
    PARALLEL = SAFE);
CREATE AGGREGATE civic.dp_sum(unit anyelement, value float8, lower float8, upper float8, epsilon float8, delta float8) (
    SFUNC = civic._dp_unit_value_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = civic._dp_sum_unit_final, COMBINEFUNC = civic._dp_unit_combine,
    SERIALFUNC = civic._dp_unit_serial, DESERIALFUNC = civic._dp_unit_deserial,
    PARALLEL = SAFE);
CREATE AGGREGATE civic.dp_avg(unit anyelement, value float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dp_unit_value_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = civic._dp_avg_unit_final, COMBINEFUNC = civic._dp_unit_combine,
    SERIALFUNC = civic._dp_unit_serial, DESERIALFUNC = civic._dp_unit_deserial,
    PARALLEL = SAFE);
CREATE AGGREGATE civic.dp_avg(unit anyelement, value float8, lower float8, upper float8, epsilon float8, delta float8) (
    SFUNC = civic._dp_unit_value_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = civic._dp_avg_unit_final, COMBINEFUNC = civic._dp_unit_combine,
    SERIALFUNC = civic._dp_unit_serial, DESERIALFUNC = civic._dp_unit_deserial,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE civic.dp_sum(anyelement, float8, float8, float8, float8) IS
    'Deprecated name of dp_sum_per_unit (a numeric unit resolves to the row-level dp_sum): differentially private sum with per-person bounding, discrete Laplace noise.';
COMMENT ON AGGREGATE civic.dp_sum(anyelement, float8, float8, float8, float8, float8) IS
    'Deprecated name of dp_sum_per_unit: differentially private sum with per-person bounding, discrete Gaussian noise.';
COMMENT ON AGGREGATE civic.dp_avg(anyelement, float8, float8, float8, float8) IS
    'Deprecated name of dp_avg_per_unit (a numeric unit resolves to the row-level dp_avg): differentially private mean over units of each unit''s own mean, clamped to [lower, upper].';
COMMENT ON AGGREGATE civic.dp_avg(anyelement, float8, float8, float8, float8, float8) IS
    'Deprecated name of dp_avg_per_unit: differentially private mean over units with discrete Gaussian noise.';
