-- Differential-privacy aggregates (src/dp_agg.c, noise in src/dp_noise.c).
-- Support functions take or return `internal` and cannot be called from SQL
-- on their own.  Final functions are VOLATILE: they draw noise.  The
-- privacy parameters are named epsilon and delta (the budget ledger finds
-- them by name), the privacy unit is named unit.

-- ---------------------------------------------------------------- dp_count
CREATE FUNCTION civic._dp_count_trans(internal, epsilon float8)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_count_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_count_trans(internal, epsilon float8, delta float8)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_count_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_count_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_count_combine'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_count_serial(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'dp_count_serial'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic._dp_count_deserial(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_count_deserial'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic._dp_count_final(internal)
RETURNS bigint AS 'MODULE_PATHNAME', 'dp_count_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;

CREATE AGGREGATE civic.dp_count(epsilon float8) (
    SFUNC = civic._dp_count_trans, STYPE = internal, SSPACE = 8,
    FINALFUNC = civic._dp_count_final,
    COMBINEFUNC = civic._dp_count_combine,
    SERIALFUNC = civic._dp_count_serial, DESERIALFUNC = civic._dp_count_deserial,
    PARALLEL = SAFE);
CREATE AGGREGATE civic.dp_count(epsilon float8, delta float8) (
    SFUNC = civic._dp_count_trans, STYPE = internal, SSPACE = 8,
    FINALFUNC = civic._dp_count_final,
    COMBINEFUNC = civic._dp_count_combine,
    SERIALFUNC = civic._dp_count_serial, DESERIALFUNC = civic._dp_count_deserial,
    PARALLEL = SAFE);

-- ------------------------------------------------------------ dp_sum, dp_avg
CREATE FUNCTION civic._dp_sum_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_sum_combine'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_sum_serial(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'dp_sum_serial'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic._dp_sum_deserial(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_sum_deserial'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION civic._dp_sum_trans(internal, value float8, lower float8, upper float8, epsilon float8)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_sum_float8_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_sum_trans(internal, value float8, lower float8, upper float8, epsilon float8, delta float8)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_sum_float8_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_sum_float8_final(internal)
RETURNS float8 AS 'MODULE_PATHNAME', 'dp_sum_float8_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;

CREATE FUNCTION civic._dp_sum_trans(internal, value bigint, lower bigint, upper bigint, epsilon float8)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_sum_int8_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_sum_trans(internal, value bigint, lower bigint, upper bigint, epsilon float8, delta float8)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_sum_int8_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_sum_int8_final(internal)
RETURNS bigint AS 'MODULE_PATHNAME', 'dp_sum_int8_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;

CREATE FUNCTION civic._dp_sum_trans(internal, value numeric, lower numeric, upper numeric, epsilon float8)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_sum_numeric_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_sum_trans(internal, value numeric, lower numeric, upper numeric, epsilon float8, delta float8)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_sum_numeric_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_sum_numeric_final(internal)
RETURNS numeric AS 'MODULE_PATHNAME', 'dp_sum_numeric_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;

CREATE AGGREGATE civic.dp_sum(value float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dp_sum_trans, STYPE = internal, SSPACE = 128,
    FINALFUNC = civic._dp_sum_float8_final, COMBINEFUNC = civic._dp_sum_combine,
    SERIALFUNC = civic._dp_sum_serial, DESERIALFUNC = civic._dp_sum_deserial,
    PARALLEL = SAFE);
CREATE AGGREGATE civic.dp_sum(value float8, lower float8, upper float8, epsilon float8, delta float8) (
    SFUNC = civic._dp_sum_trans, STYPE = internal, SSPACE = 128,
    FINALFUNC = civic._dp_sum_float8_final, COMBINEFUNC = civic._dp_sum_combine,
    SERIALFUNC = civic._dp_sum_serial, DESERIALFUNC = civic._dp_sum_deserial,
    PARALLEL = SAFE);
CREATE AGGREGATE civic.dp_sum(value bigint, lower bigint, upper bigint, epsilon float8) (
    SFUNC = civic._dp_sum_trans, STYPE = internal, SSPACE = 128,
    FINALFUNC = civic._dp_sum_int8_final, COMBINEFUNC = civic._dp_sum_combine,
    SERIALFUNC = civic._dp_sum_serial, DESERIALFUNC = civic._dp_sum_deserial,
    PARALLEL = SAFE);
CREATE AGGREGATE civic.dp_sum(value bigint, lower bigint, upper bigint, epsilon float8, delta float8) (
    SFUNC = civic._dp_sum_trans, STYPE = internal, SSPACE = 128,
    FINALFUNC = civic._dp_sum_int8_final, COMBINEFUNC = civic._dp_sum_combine,
    SERIALFUNC = civic._dp_sum_serial, DESERIALFUNC = civic._dp_sum_deserial,
    PARALLEL = SAFE);
CREATE AGGREGATE civic.dp_sum(value numeric, lower numeric, upper numeric, epsilon float8) (
    SFUNC = civic._dp_sum_trans, STYPE = internal, SSPACE = 128,
    FINALFUNC = civic._dp_sum_numeric_final, COMBINEFUNC = civic._dp_sum_combine,
    SERIALFUNC = civic._dp_sum_serial, DESERIALFUNC = civic._dp_sum_deserial,
    PARALLEL = SAFE);
CREATE AGGREGATE civic.dp_sum(value numeric, lower numeric, upper numeric, epsilon float8, delta float8) (
    SFUNC = civic._dp_sum_trans, STYPE = internal, SSPACE = 128,
    FINALFUNC = civic._dp_sum_numeric_final, COMBINEFUNC = civic._dp_sum_combine,
    SERIALFUNC = civic._dp_sum_serial, DESERIALFUNC = civic._dp_sum_deserial,
    PARALLEL = SAFE);

CREATE FUNCTION civic._dp_avg_trans(internal, value float8, lower float8, upper float8, epsilon float8)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_avg_float8_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_avg_trans(internal, value float8, lower float8, upper float8, epsilon float8, delta float8)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_avg_float8_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_avg_final(internal)
RETURNS float8 AS 'MODULE_PATHNAME', 'dp_avg_float8_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;

CREATE AGGREGATE civic.dp_avg(value float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dp_avg_trans, STYPE = internal, SSPACE = 128,
    FINALFUNC = civic._dp_avg_final, COMBINEFUNC = civic._dp_sum_combine,
    SERIALFUNC = civic._dp_sum_serial, DESERIALFUNC = civic._dp_sum_deserial,
    PARALLEL = SAFE);
CREATE AGGREGATE civic.dp_avg(value float8, lower float8, upper float8, epsilon float8, delta float8) (
    SFUNC = civic._dp_avg_trans, STYPE = internal, SSPACE = 128,
    FINALFUNC = civic._dp_avg_final, COMBINEFUNC = civic._dp_sum_combine,
    SERIALFUNC = civic._dp_sum_serial, DESERIALFUNC = civic._dp_sum_deserial,
    PARALLEL = SAFE);

-- ------------------------------------------------- dp_percentile, dp_median
CREATE FUNCTION civic._dp_percentile_trans(internal, value float8, p float8, lower float8, upper float8, epsilon float8)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_percentile_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_median_trans(internal, value float8, lower float8, upper float8, epsilon float8)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_median_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_percentile_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_percentile_combine'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_percentile_serial(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'dp_percentile_serial'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic._dp_percentile_deserial(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_percentile_deserial'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic._dp_percentile_final(internal)
RETURNS float8 AS 'MODULE_PATHNAME', 'dp_percentile_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_median_final(internal)
RETURNS float8 AS 'MODULE_PATHNAME', 'dp_median_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;

CREATE AGGREGATE civic.dp_percentile(value float8, p float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dp_percentile_trans, STYPE = internal, SSPACE = 8240,
    FINALFUNC = civic._dp_percentile_final, COMBINEFUNC = civic._dp_percentile_combine,
    SERIALFUNC = civic._dp_percentile_serial, DESERIALFUNC = civic._dp_percentile_deserial,
    PARALLEL = SAFE);
CREATE AGGREGATE civic.dp_median(value float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dp_median_trans, STYPE = internal, SSPACE = 8240,
    FINALFUNC = civic._dp_median_final, COMBINEFUNC = civic._dp_percentile_combine,
    SERIALFUNC = civic._dp_percentile_serial, DESERIALFUNC = civic._dp_percentile_deserial,
    PARALLEL = SAFE);

-- ------------------------------------------------------ error bars and grid
CREATE FUNCTION civic.dp_count_error(epsilon float8, confidence float8 DEFAULT 0.95, delta float8 DEFAULT 0)
RETURNS float8 AS 'MODULE_PATHNAME', 'dp_count_error'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.dp_sum_error(lower float8, upper float8, epsilon float8, confidence float8 DEFAULT 0.95, delta float8 DEFAULT 0)
RETURNS float8 AS 'MODULE_PATHNAME', 'dp_sum_error'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.dp_avg_error(lower float8, upper float8, epsilon float8, n bigint, confidence float8 DEFAULT 0.95, delta float8 DEFAULT 0)
RETURNS float8 AS 'MODULE_PATHNAME', 'dp_avg_error'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.dp_sum_grid(lower float8, upper float8, epsilon float8, delta float8 DEFAULT 0)
RETURNS float8 AS 'MODULE_PATHNAME', 'dp_sum_grid'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ------------------------------------------- per-unit (per-person) bounded
CREATE FUNCTION civic._dp_unit_count_trans(internal, unit anyelement, epsilon float8)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_unit_count_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_unit_count_trans(internal, unit anyelement, epsilon float8, delta float8)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_unit_count_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_unit_count_trans(internal, unit anyelement, max_rows integer, epsilon float8)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_unit_count_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_unit_count_trans(internal, unit anyelement, max_rows integer, epsilon float8, delta float8)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_unit_count_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_unit_value_trans(internal, unit anyelement, value float8, lower float8, upper float8, epsilon float8)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_unit_value_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_unit_value_trans(internal, unit anyelement, value float8, lower float8, upper float8, epsilon float8, delta float8)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_unit_value_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_unit_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_unit_combine'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_unit_serial(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'dp_unit_serial'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic._dp_unit_deserial(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'dp_unit_deserial'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic._dp_count_units_final(internal)
RETURNS bigint AS 'MODULE_PATHNAME', 'dp_count_units_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_count_unit_final(internal)
RETURNS bigint AS 'MODULE_PATHNAME', 'dp_count_unit_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_sum_unit_final(internal)
RETURNS float8 AS 'MODULE_PATHNAME', 'dp_sum_unit_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dp_avg_unit_final(internal)
RETURNS float8 AS 'MODULE_PATHNAME', 'dp_avg_unit_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;

CREATE AGGREGATE civic.dp_count_units(unit anyelement, epsilon float8) (
    SFUNC = civic._dp_unit_count_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = civic._dp_count_units_final, COMBINEFUNC = civic._dp_unit_combine,
    SERIALFUNC = civic._dp_unit_serial, DESERIALFUNC = civic._dp_unit_deserial,
    PARALLEL = SAFE);
CREATE AGGREGATE civic.dp_count_units(unit anyelement, epsilon float8, delta float8) (
    SFUNC = civic._dp_unit_count_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = civic._dp_count_units_final, COMBINEFUNC = civic._dp_unit_combine,
    SERIALFUNC = civic._dp_unit_serial, DESERIALFUNC = civic._dp_unit_deserial,
    PARALLEL = SAFE);
CREATE AGGREGATE civic.dp_count(unit anyelement, max_rows integer, epsilon float8) (
    SFUNC = civic._dp_unit_count_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = civic._dp_count_unit_final, COMBINEFUNC = civic._dp_unit_combine,
    SERIALFUNC = civic._dp_unit_serial, DESERIALFUNC = civic._dp_unit_deserial,
    PARALLEL = SAFE);
CREATE AGGREGATE civic.dp_count(unit anyelement, max_rows integer, epsilon float8, delta float8) (
    SFUNC = civic._dp_unit_count_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = civic._dp_count_unit_final, COMBINEFUNC = civic._dp_unit_combine,
    SERIALFUNC = civic._dp_unit_serial, DESERIALFUNC = civic._dp_unit_deserial,
    PARALLEL = SAFE);
CREATE AGGREGATE civic.dp_sum_per_unit(unit anyelement, value float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dp_unit_value_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = civic._dp_sum_unit_final, COMBINEFUNC = civic._dp_unit_combine,
    SERIALFUNC = civic._dp_unit_serial, DESERIALFUNC = civic._dp_unit_deserial,
    PARALLEL = SAFE);
CREATE AGGREGATE civic.dp_sum_per_unit(unit anyelement, value float8, lower float8, upper float8, epsilon float8, delta float8) (
    SFUNC = civic._dp_unit_value_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = civic._dp_sum_unit_final, COMBINEFUNC = civic._dp_unit_combine,
    SERIALFUNC = civic._dp_unit_serial, DESERIALFUNC = civic._dp_unit_deserial,
    PARALLEL = SAFE);
CREATE AGGREGATE civic.dp_avg_per_unit(unit anyelement, value float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dp_unit_value_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = civic._dp_avg_unit_final, COMBINEFUNC = civic._dp_unit_combine,
    SERIALFUNC = civic._dp_unit_serial, DESERIALFUNC = civic._dp_unit_deserial,
    PARALLEL = SAFE);
CREATE AGGREGATE civic.dp_avg_per_unit(unit anyelement, value float8, lower float8, upper float8, epsilon float8, delta float8) (
    SFUNC = civic._dp_unit_value_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = civic._dp_avg_unit_final, COMBINEFUNC = civic._dp_unit_combine,
    SERIALFUNC = civic._dp_unit_serial, DESERIALFUNC = civic._dp_unit_deserial,
    PARALLEL = SAFE);

-- ------------------------------------------------------------------ comments
COMMENT ON AGGREGATE civic.dp_count(float8) IS
    'Differentially private row count (each row one person): count + discrete Laplace noise, sensitivity 1; epsilon-DP.';
COMMENT ON AGGREGATE civic.dp_count(float8, float8) IS
    'Differentially private row count with discrete Gaussian noise, sensitivity 1; (epsilon, delta)-DP.';
COMMENT ON AGGREGATE civic.dp_sum(float8, float8, float8, float8) IS
    'Differentially private sum of values clamped to [lower, upper], on the grid civic.dp_sum_grid(lower, upper, epsilon); discrete Laplace noise.';
COMMENT ON AGGREGATE civic.dp_sum(float8, float8, float8, float8, float8) IS
    'Differentially private sum of values clamped to [lower, upper], on the grid civic.dp_sum_grid(lower, upper, epsilon, delta); discrete Gaussian noise.';
COMMENT ON AGGREGATE civic.dp_sum(bigint, bigint, bigint, float8) IS
    'Differentially private sum of bigint values clamped to [lower, upper]; exact integer sum + discrete Laplace noise.';
COMMENT ON AGGREGATE civic.dp_sum(bigint, bigint, bigint, float8, float8) IS
    'Differentially private sum of bigint values clamped to [lower, upper]; exact integer sum + discrete Gaussian noise.';
COMMENT ON AGGREGATE civic.dp_sum(numeric, numeric, numeric, float8) IS
    'Differentially private sum of numeric values clamped to [lower, upper], on a decimal grid 10^j; discrete Laplace noise.';
COMMENT ON AGGREGATE civic.dp_sum(numeric, numeric, numeric, float8, float8) IS
    'Differentially private sum of numeric values clamped to [lower, upper], on a decimal grid 10^j; discrete Gaussian noise.';
COMMENT ON AGGREGATE civic.dp_avg(float8, float8, float8, float8) IS
    'Differentially private mean of values clamped to [lower, upper]: noisy centred sum / noisy count, epsilon split in halves.';
COMMENT ON AGGREGATE civic.dp_avg(float8, float8, float8, float8, float8) IS
    'Differentially private mean of values clamped to [lower, upper], Gaussian noise, epsilon and delta split in halves.';
COMMENT ON AGGREGATE civic.dp_percentile(float8, float8, float8, float8, float8) IS
    'Differentially private p-th percentile: exponential mechanism over 1025 grid points of [lower, upper]; epsilon-DP.';
COMMENT ON AGGREGATE civic.dp_median(float8, float8, float8, float8) IS
    'Differentially private median: civic.dp_percentile with p = 0.5.';
COMMENT ON AGGREGATE civic.dp_count_units(anyelement, float8) IS
    'Differentially private number of distinct privacy units (people) in the group; sensitivity 1 per unit; discrete Laplace noise.';
COMMENT ON AGGREGATE civic.dp_count_units(anyelement, float8, float8) IS
    'Differentially private number of distinct privacy units (people) in the group; discrete Gaussian noise.';
COMMENT ON AGGREGATE civic.dp_count(anyelement, integer, float8) IS
    'Differentially private row count with each unit''s rows capped at max_rows; sensitivity max_rows per unit; discrete Laplace noise.';
COMMENT ON AGGREGATE civic.dp_count(anyelement, integer, float8, float8) IS
    'Differentially private row count with each unit''s rows capped at max_rows; discrete Gaussian noise.';
COMMENT ON AGGREGATE civic.dp_sum_per_unit(anyelement, float8, float8, float8, float8) IS
    'Differentially private sum where each unit''s total is clamped to [lower, upper] before noise; protects a whole person.';
COMMENT ON AGGREGATE civic.dp_sum_per_unit(anyelement, float8, float8, float8, float8, float8) IS
    'Differentially private per-unit-bounded sum with discrete Gaussian noise.';
COMMENT ON AGGREGATE civic.dp_avg_per_unit(anyelement, float8, float8, float8, float8) IS
    'Differentially private mean over units of each unit''s own mean clamped to [lower, upper]; protects a whole person.';
COMMENT ON AGGREGATE civic.dp_avg_per_unit(anyelement, float8, float8, float8, float8, float8) IS
    'Differentially private per-unit mean with discrete Gaussian noise.';
COMMENT ON FUNCTION civic.dp_count_error(float8, float8, float8) IS
    'Half-width of the confidence interval of civic.dp_count (and dp_count_units) at this confidence: P(|noise| > h) <= 1 - confidence.';
COMMENT ON FUNCTION civic.dp_sum_error(float8, float8, float8, float8, float8) IS
    'Half-width of the confidence interval of civic.dp_sum(float8) with these bounds (also dp_sum_per_unit).';
COMMENT ON FUNCTION civic.dp_avg_error(float8, float8, float8, bigint, float8, float8) IS
    'Half-width of a confidence interval of civic.dp_avg over n rows (use the noisy count for n): at least the confidence for every dataset (the quantile for a mean at a bound).';
COMMENT ON FUNCTION civic.dp_sum_grid(float8, float8, float8, float8) IS
    'Grid step of civic.dp_sum(float8): every output is a multiple of it (dp_avg uses epsilon/2 and delta/2).';
COMMENT ON FUNCTION civic._dp_count_trans(internal, float8) IS 'Transition function of civic.dp_count (internal).';
COMMENT ON FUNCTION civic._dp_count_trans(internal, float8, float8) IS 'Transition function of civic.dp_count (internal).';
COMMENT ON FUNCTION civic._dp_count_combine(internal, internal) IS 'Combine function of civic.dp_count (internal); either side may be empty.';
COMMENT ON FUNCTION civic._dp_count_serial(internal) IS 'Serialization function of civic.dp_count (internal).';
COMMENT ON FUNCTION civic._dp_count_deserial(bytea, internal) IS 'Deserialization function of civic.dp_count (internal).';
COMMENT ON FUNCTION civic._dp_count_final(internal) IS 'Final function of civic.dp_count (internal): validates the parameters, accounts the privacy cost, adds noise once.';
COMMENT ON FUNCTION civic._dp_sum_combine(internal, internal) IS 'Combine function of civic.dp_sum and civic.dp_avg (internal); either side may be empty.';
COMMENT ON FUNCTION civic._dp_sum_serial(internal) IS 'Serialization function of civic.dp_sum and civic.dp_avg (internal).';
COMMENT ON FUNCTION civic._dp_sum_deserial(bytea, internal) IS 'Deserialization function of civic.dp_sum and civic.dp_avg (internal).';
COMMENT ON FUNCTION civic._dp_sum_trans(internal, float8, float8, float8, float8) IS 'Transition function of civic.dp_sum (internal).';
COMMENT ON FUNCTION civic._dp_sum_trans(internal, float8, float8, float8, float8, float8) IS 'Transition function of civic.dp_sum (internal).';
COMMENT ON FUNCTION civic._dp_sum_float8_final(internal) IS 'Final function of civic.dp_sum(float8) (internal): validates the parameters, accounts the privacy cost, adds noise once.';
COMMENT ON FUNCTION civic._dp_sum_trans(internal, bigint, bigint, bigint, float8) IS 'Transition function of civic.dp_sum (internal).';
COMMENT ON FUNCTION civic._dp_sum_trans(internal, bigint, bigint, bigint, float8, float8) IS 'Transition function of civic.dp_sum (internal).';
COMMENT ON FUNCTION civic._dp_sum_int8_final(internal) IS 'Final function of civic.dp_sum(bigint) (internal): validates the parameters, accounts the privacy cost, adds noise once.';
COMMENT ON FUNCTION civic._dp_sum_trans(internal, numeric, numeric, numeric, float8) IS 'Transition function of civic.dp_sum (internal).';
COMMENT ON FUNCTION civic._dp_sum_trans(internal, numeric, numeric, numeric, float8, float8) IS 'Transition function of civic.dp_sum (internal).';
COMMENT ON FUNCTION civic._dp_sum_numeric_final(internal) IS 'Final function of civic.dp_sum(numeric) (internal): validates the parameters, accounts the privacy cost, adds noise once.';
COMMENT ON FUNCTION civic._dp_avg_trans(internal, float8, float8, float8, float8) IS 'Transition function of civic.dp_avg (internal).';
COMMENT ON FUNCTION civic._dp_avg_trans(internal, float8, float8, float8, float8, float8) IS 'Transition function of civic.dp_avg (internal).';
COMMENT ON FUNCTION civic._dp_avg_final(internal) IS 'Final function of civic.dp_avg (internal): validates the parameters, accounts the privacy cost, adds noise once.';
COMMENT ON FUNCTION civic._dp_percentile_trans(internal, float8, float8, float8, float8, float8) IS 'Transition function of civic.dp_percentile and civic.dp_median (internal).';
COMMENT ON FUNCTION civic._dp_median_trans(internal, float8, float8, float8, float8) IS 'Transition function of civic.dp_median (internal).';
COMMENT ON FUNCTION civic._dp_percentile_combine(internal, internal) IS 'Combine function of civic.dp_percentile and civic.dp_median (internal); either side may be empty.';
COMMENT ON FUNCTION civic._dp_percentile_serial(internal) IS 'Serialization function of civic.dp_percentile and civic.dp_median (internal).';
COMMENT ON FUNCTION civic._dp_percentile_deserial(bytea, internal) IS 'Deserialization function of civic.dp_percentile and civic.dp_median (internal).';
COMMENT ON FUNCTION civic._dp_percentile_final(internal) IS 'Final function of civic.dp_percentile and civic.dp_median (internal): validates the parameters, accounts the privacy cost, adds noise once.';
COMMENT ON FUNCTION civic._dp_median_final(internal) IS 'Final function of civic.dp_median (internal): validates the parameters, accounts the privacy cost, adds noise once.';
COMMENT ON FUNCTION civic._dp_unit_count_trans(internal, anyelement, float8) IS 'Transition function of civic.dp_count_units and civic.dp_count(unit, max_rows, ...) (internal).';
COMMENT ON FUNCTION civic._dp_unit_count_trans(internal, anyelement, float8, float8) IS 'Transition function of civic.dp_count_units and civic.dp_count(unit, max_rows, ...) (internal).';
COMMENT ON FUNCTION civic._dp_unit_count_trans(internal, anyelement, integer, float8) IS 'Transition function of civic.dp_count_units and civic.dp_count(unit, max_rows, ...) (internal).';
COMMENT ON FUNCTION civic._dp_unit_count_trans(internal, anyelement, integer, float8, float8) IS 'Transition function of civic.dp_count_units and civic.dp_count(unit, max_rows, ...) (internal).';
COMMENT ON FUNCTION civic._dp_unit_value_trans(internal, anyelement, float8, float8, float8, float8) IS 'Transition function of civic.dp_sum_per_unit and civic.dp_avg_per_unit (internal).';
COMMENT ON FUNCTION civic._dp_unit_value_trans(internal, anyelement, float8, float8, float8, float8, float8) IS 'Transition function of civic.dp_sum_per_unit and civic.dp_avg_per_unit (internal).';
COMMENT ON FUNCTION civic._dp_unit_combine(internal, internal) IS 'Combine function of the per-unit DP aggregates (internal); either side may be empty.';
COMMENT ON FUNCTION civic._dp_unit_serial(internal) IS 'Serialization function of the per-unit DP aggregates (internal).';
COMMENT ON FUNCTION civic._dp_unit_deserial(bytea, internal) IS 'Deserialization function of the per-unit DP aggregates (internal).';
COMMENT ON FUNCTION civic._dp_count_units_final(internal) IS 'Final function of civic.dp_count_units (internal): validates the parameters, accounts the privacy cost, adds noise once.';
COMMENT ON FUNCTION civic._dp_count_unit_final(internal) IS 'Final function of civic.dp_count(unit, max_rows, ...) (internal): validates the parameters, accounts the privacy cost, adds noise once.';
COMMENT ON FUNCTION civic._dp_sum_unit_final(internal) IS 'Final function of civic.dp_sum_per_unit (internal): validates the parameters, accounts the privacy cost, adds noise once.';
COMMENT ON FUNCTION civic._dp_avg_unit_final(internal) IS 'Final function of civic.dp_avg_per_unit (internal): validates the parameters, accounts the privacy cost, adds noise once.';

-- The support functions run with the aggregate owner's rights (PostgreSQL
-- checks EXECUTE for the owner, not the caller): nobody else needs them.
REVOKE ALL ON FUNCTION civic._dp_count_trans(internal, float8) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_count_trans(internal, float8, float8) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_count_combine(internal, internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_count_serial(internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_count_deserial(bytea, internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_count_final(internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_sum_combine(internal, internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_sum_serial(internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_sum_deserial(bytea, internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_sum_trans(internal, float8, float8, float8, float8) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_sum_trans(internal, float8, float8, float8, float8, float8) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_sum_float8_final(internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_sum_trans(internal, bigint, bigint, bigint, float8) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_sum_trans(internal, bigint, bigint, bigint, float8, float8) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_sum_int8_final(internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_sum_trans(internal, numeric, numeric, numeric, float8) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_sum_trans(internal, numeric, numeric, numeric, float8, float8) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_sum_numeric_final(internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_avg_trans(internal, float8, float8, float8, float8) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_avg_trans(internal, float8, float8, float8, float8, float8) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_avg_final(internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_percentile_trans(internal, float8, float8, float8, float8, float8) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_median_trans(internal, float8, float8, float8, float8) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_percentile_combine(internal, internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_percentile_serial(internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_percentile_deserial(bytea, internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_percentile_final(internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_median_final(internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_unit_count_trans(internal, anyelement, float8) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_unit_count_trans(internal, anyelement, float8, float8) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_unit_count_trans(internal, anyelement, integer, float8) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_unit_count_trans(internal, anyelement, integer, float8, float8) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_unit_value_trans(internal, anyelement, float8, float8, float8, float8) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_unit_value_trans(internal, anyelement, float8, float8, float8, float8, float8) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_unit_combine(internal, internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_unit_serial(internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_unit_deserial(bytea, internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_count_units_final(internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_count_unit_final(internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_sum_unit_final(internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION civic._dp_avg_unit_final(internal) FROM PUBLIC;
