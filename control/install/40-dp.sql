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
    SFUNC = civic._dp_percentile_trans, STYPE = internal, SSPACE = 8232,
    FINALFUNC = civic._dp_percentile_final, COMBINEFUNC = civic._dp_percentile_combine,
    SERIALFUNC = civic._dp_percentile_serial, DESERIALFUNC = civic._dp_percentile_deserial,
    PARALLEL = SAFE);
CREATE AGGREGATE civic.dp_median(value float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dp_median_trans, STYPE = internal, SSPACE = 8232,
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
