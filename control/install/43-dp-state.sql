-- civic.dp_state and the twins civic._dist_<name> of the DP aggregates
-- (src/dp_state.c, docs/citus.md "The state type").  A twin has the
-- arguments, result and behaviour of its DP aggregate (the same parameters,
-- noise and charge: src/dp_params.c reads it as the original), but a real
-- state type instead of internal, so that Citus can compute partial states
-- on the workers and combine them on the coordinator.  The planner swaps a
-- DP aggregate for its twin where that is needed; users call the originals.

-- ---------------------------------------------------------------- the type
CREATE TYPE civic.dp_state;

CREATE FUNCTION civic.dp_state_in(pg_catalog.cstring) RETURNS civic.dp_state
    AS 'MODULE_PATHNAME', 'dp_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.dp_state_out(civic.dp_state) RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME', 'dp_state_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.dp_state_recv(pg_catalog.internal) RETURNS civic.dp_state
    AS 'MODULE_PATHNAME', 'dp_state_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.dp_state_send(civic.dp_state) RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME', 'dp_state_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE civic.dp_state (
    INPUT          = civic.dp_state_in,
    OUTPUT         = civic.dp_state_out,
    RECEIVE        = civic.dp_state_recv,
    SEND           = civic.dp_state_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT      = int4,
    STORAGE        = extended,
    CATEGORY       = 'U'
);

COMMENT ON TYPE civic.dp_state IS 'Partial state of a DP aggregate''s twin (civic._dist_<name>), for distributed aggregation: a count, grid sum, histogram or unit table, exact and without noise; its text form is "dpstate1:" and base64';
COMMENT ON FUNCTION civic.dp_state_in(pg_catalog.cstring) IS 'dp_state text input: refuses any state civic could not have built (22P02)';
COMMENT ON FUNCTION civic.dp_state_out(civic.dp_state) IS 'dp_state text output: "dpstate1:" and the base64 of the flat state';
COMMENT ON FUNCTION civic.dp_state_recv(pg_catalog.internal) IS 'dp_state binary input, validated as strictly as text input (22P03)';
COMMENT ON FUNCTION civic.dp_state_send(civic.dp_state) IS 'dp_state binary output: the flat state';

-- ------------------------------------------------- support functions

CREATE FUNCTION civic._dist_dp_count_trans(civic.dp_state, epsilon float8)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_count_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_count_trans(civic.dp_state, epsilon float8, delta float8)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_count_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_count_combine(civic.dp_state, civic.dp_state)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_count_combine'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_count_final(civic.dp_state)
RETURNS bigint AS 'MODULE_PATHNAME', 'dp_state_count_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_sum_combine(civic.dp_state, civic.dp_state)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_sum_combine'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_sum_trans(civic.dp_state, value float8, lower float8, upper float8, epsilon float8)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_sum_float8_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_sum_trans(civic.dp_state, value float8, lower float8, upper float8, epsilon float8, delta float8)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_sum_float8_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_sum_float8_final(civic.dp_state)
RETURNS float8 AS 'MODULE_PATHNAME', 'dp_state_sum_float8_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_sum_trans(civic.dp_state, value bigint, lower bigint, upper bigint, epsilon float8)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_sum_int8_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_sum_trans(civic.dp_state, value bigint, lower bigint, upper bigint, epsilon float8, delta float8)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_sum_int8_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_sum_int8_final(civic.dp_state)
RETURNS bigint AS 'MODULE_PATHNAME', 'dp_state_sum_int8_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_sum_trans(civic.dp_state, value numeric, lower numeric, upper numeric, epsilon float8)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_sum_numeric_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_sum_trans(civic.dp_state, value numeric, lower numeric, upper numeric, epsilon float8, delta float8)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_sum_numeric_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_sum_numeric_final(civic.dp_state)
RETURNS numeric AS 'MODULE_PATHNAME', 'dp_state_sum_numeric_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_avg_trans(civic.dp_state, value float8, lower float8, upper float8, epsilon float8)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_avg_float8_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_avg_trans(civic.dp_state, value float8, lower float8, upper float8, epsilon float8, delta float8)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_avg_float8_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_avg_final(civic.dp_state)
RETURNS float8 AS 'MODULE_PATHNAME', 'dp_state_avg_float8_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_percentile_trans(civic.dp_state, value float8, p float8, lower float8, upper float8, epsilon float8)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_percentile_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_median_trans(civic.dp_state, value float8, lower float8, upper float8, epsilon float8)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_median_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_percentile_combine(civic.dp_state, civic.dp_state)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_percentile_combine'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_percentile_final(civic.dp_state)
RETURNS float8 AS 'MODULE_PATHNAME', 'dp_state_percentile_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_median_final(civic.dp_state)
RETURNS float8 AS 'MODULE_PATHNAME', 'dp_state_median_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_unit_count_trans(civic.dp_state, unit anyelement, epsilon float8)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_unit_count_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_unit_count_trans(civic.dp_state, unit anyelement, epsilon float8, delta float8)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_unit_count_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_unit_count_trans(civic.dp_state, unit anyelement, max_rows integer, epsilon float8)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_unit_count_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_unit_count_trans(civic.dp_state, unit anyelement, max_rows integer, epsilon float8, delta float8)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_unit_count_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_unit_value_trans(civic.dp_state, unit anyelement, value float8, lower float8, upper float8, epsilon float8)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_unit_value_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_unit_value_trans(civic.dp_state, unit anyelement, value float8, lower float8, upper float8, epsilon float8, delta float8)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_unit_value_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_unit_combine(civic.dp_state, civic.dp_state)
RETURNS civic.dp_state AS 'MODULE_PATHNAME', 'dp_state_unit_combine'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_count_units_final(civic.dp_state)
RETURNS bigint AS 'MODULE_PATHNAME', 'dp_state_count_units_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_count_unit_final(civic.dp_state)
RETURNS bigint AS 'MODULE_PATHNAME', 'dp_state_count_unit_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_sum_unit_final(civic.dp_state)
RETURNS float8 AS 'MODULE_PATHNAME', 'dp_state_sum_unit_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION civic._dist_dp_avg_unit_final(civic.dp_state)
RETURNS float8 AS 'MODULE_PATHNAME', 'dp_state_avg_unit_final'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;

-- ------------------------------------------------------------ the twins

CREATE AGGREGATE civic._dist_dp_count(epsilon float8) (
    SFUNC = civic._dist_dp_count_trans, STYPE = civic.dp_state, SSPACE = 8,
    FINALFUNC = civic._dist_dp_count_final, COMBINEFUNC = civic._dist_dp_count_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_count(epsilon float8, delta float8) (
    SFUNC = civic._dist_dp_count_trans, STYPE = civic.dp_state, SSPACE = 8,
    FINALFUNC = civic._dist_dp_count_final, COMBINEFUNC = civic._dist_dp_count_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_sum(value float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dist_dp_sum_trans, STYPE = civic.dp_state, SSPACE = 128,
    FINALFUNC = civic._dist_dp_sum_float8_final, COMBINEFUNC = civic._dist_dp_sum_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_sum(value float8, lower float8, upper float8, epsilon float8, delta float8) (
    SFUNC = civic._dist_dp_sum_trans, STYPE = civic.dp_state, SSPACE = 128,
    FINALFUNC = civic._dist_dp_sum_float8_final, COMBINEFUNC = civic._dist_dp_sum_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_sum(value bigint, lower bigint, upper bigint, epsilon float8) (
    SFUNC = civic._dist_dp_sum_trans, STYPE = civic.dp_state, SSPACE = 128,
    FINALFUNC = civic._dist_dp_sum_int8_final, COMBINEFUNC = civic._dist_dp_sum_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_sum(value bigint, lower bigint, upper bigint, epsilon float8, delta float8) (
    SFUNC = civic._dist_dp_sum_trans, STYPE = civic.dp_state, SSPACE = 128,
    FINALFUNC = civic._dist_dp_sum_int8_final, COMBINEFUNC = civic._dist_dp_sum_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_sum(value numeric, lower numeric, upper numeric, epsilon float8) (
    SFUNC = civic._dist_dp_sum_trans, STYPE = civic.dp_state, SSPACE = 128,
    FINALFUNC = civic._dist_dp_sum_numeric_final, COMBINEFUNC = civic._dist_dp_sum_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_sum(value numeric, lower numeric, upper numeric, epsilon float8, delta float8) (
    SFUNC = civic._dist_dp_sum_trans, STYPE = civic.dp_state, SSPACE = 128,
    FINALFUNC = civic._dist_dp_sum_numeric_final, COMBINEFUNC = civic._dist_dp_sum_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_avg(value float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dist_dp_avg_trans, STYPE = civic.dp_state, SSPACE = 128,
    FINALFUNC = civic._dist_dp_avg_final, COMBINEFUNC = civic._dist_dp_sum_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_avg(value float8, lower float8, upper float8, epsilon float8, delta float8) (
    SFUNC = civic._dist_dp_avg_trans, STYPE = civic.dp_state, SSPACE = 128,
    FINALFUNC = civic._dist_dp_avg_final, COMBINEFUNC = civic._dist_dp_sum_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_percentile(value float8, p float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dist_dp_percentile_trans, STYPE = civic.dp_state, SSPACE = 8240,
    FINALFUNC = civic._dist_dp_percentile_final, COMBINEFUNC = civic._dist_dp_percentile_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_median(value float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dist_dp_median_trans, STYPE = civic.dp_state, SSPACE = 8240,
    FINALFUNC = civic._dist_dp_median_final, COMBINEFUNC = civic._dist_dp_percentile_combine,
    PARALLEL = SAFE);

-- ------------------------------------------------------------------ comments
COMMENT ON AGGREGATE civic._dist_dp_count(float8) IS
    'Twin of civic.dp_count(float8) with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_count(float8, float8) IS
    'Twin of civic.dp_count(float8, float8) with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_sum(float8, float8, float8, float8) IS
    'Twin of civic.dp_sum(float8, float8, float8, float8) with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_sum(float8, float8, float8, float8, float8) IS
    'Twin of civic.dp_sum(float8, float8, float8, float8, float8) with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_sum(bigint, bigint, bigint, float8) IS
    'Twin of civic.dp_sum(bigint, bigint, bigint, float8) with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_sum(bigint, bigint, bigint, float8, float8) IS
    'Twin of civic.dp_sum(bigint, bigint, bigint, float8, float8) with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_sum(numeric, numeric, numeric, float8) IS
    'Twin of civic.dp_sum(numeric, numeric, numeric, float8) with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_sum(numeric, numeric, numeric, float8, float8) IS
    'Twin of civic.dp_sum(numeric, numeric, numeric, float8, float8) with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_avg(float8, float8, float8, float8) IS
    'Twin of civic.dp_avg(float8, float8, float8, float8) with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_avg(float8, float8, float8, float8, float8) IS
    'Twin of civic.dp_avg(float8, float8, float8, float8, float8) with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_percentile(float8, float8, float8, float8, float8) IS
    'Twin of civic.dp_percentile(float8, float8, float8, float8, float8) with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_median(float8, float8, float8, float8) IS
    'Twin of civic.dp_median(float8, float8, float8, float8) with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON FUNCTION civic._dist_dp_count_trans(civic.dp_state, float8) IS 'Transition function of civic._dist_dp_count.';
COMMENT ON FUNCTION civic._dist_dp_count_trans(civic.dp_state, float8, float8) IS 'Transition function of civic._dist_dp_count.';
COMMENT ON FUNCTION civic._dist_dp_count_combine(civic.dp_state, civic.dp_state) IS 'Combine function of civic._dist_dp_count; either side may be empty.';
COMMENT ON FUNCTION civic._dist_dp_count_final(civic.dp_state) IS 'Final function of civic._dist_dp_count: validates the parameters, accounts the privacy cost, adds noise once.';
COMMENT ON FUNCTION civic._dist_dp_sum_combine(civic.dp_state, civic.dp_state) IS 'Combine function of civic._dist_dp_sum and civic._dist_dp_avg; either side may be empty.';
COMMENT ON FUNCTION civic._dist_dp_sum_trans(civic.dp_state, float8, float8, float8, float8) IS 'Transition function of civic._dist_dp_sum.';
COMMENT ON FUNCTION civic._dist_dp_sum_trans(civic.dp_state, float8, float8, float8, float8, float8) IS 'Transition function of civic._dist_dp_sum.';
COMMENT ON FUNCTION civic._dist_dp_sum_float8_final(civic.dp_state) IS 'Final function of civic._dist_dp_sum(float8): validates the parameters, accounts the privacy cost, adds noise once.';
COMMENT ON FUNCTION civic._dist_dp_sum_trans(civic.dp_state, bigint, bigint, bigint, float8) IS 'Transition function of civic._dist_dp_sum.';
COMMENT ON FUNCTION civic._dist_dp_sum_trans(civic.dp_state, bigint, bigint, bigint, float8, float8) IS 'Transition function of civic._dist_dp_sum.';
COMMENT ON FUNCTION civic._dist_dp_sum_int8_final(civic.dp_state) IS 'Final function of civic._dist_dp_sum(bigint): validates the parameters, accounts the privacy cost, adds noise once.';
COMMENT ON FUNCTION civic._dist_dp_sum_trans(civic.dp_state, numeric, numeric, numeric, float8) IS 'Transition function of civic._dist_dp_sum.';
COMMENT ON FUNCTION civic._dist_dp_sum_trans(civic.dp_state, numeric, numeric, numeric, float8, float8) IS 'Transition function of civic._dist_dp_sum.';
COMMENT ON FUNCTION civic._dist_dp_sum_numeric_final(civic.dp_state) IS 'Final function of civic._dist_dp_sum(numeric): validates the parameters, accounts the privacy cost, adds noise once.';
COMMENT ON FUNCTION civic._dist_dp_avg_trans(civic.dp_state, float8, float8, float8, float8) IS 'Transition function of civic._dist_dp_avg.';
COMMENT ON FUNCTION civic._dist_dp_avg_trans(civic.dp_state, float8, float8, float8, float8, float8) IS 'Transition function of civic._dist_dp_avg.';
COMMENT ON FUNCTION civic._dist_dp_avg_final(civic.dp_state) IS 'Final function of civic._dist_dp_avg: validates the parameters, accounts the privacy cost, adds noise once.';
COMMENT ON FUNCTION civic._dist_dp_percentile_trans(civic.dp_state, float8, float8, float8, float8, float8) IS 'Transition function of civic._dist_dp_percentile.';
COMMENT ON FUNCTION civic._dist_dp_median_trans(civic.dp_state, float8, float8, float8, float8) IS 'Transition function of civic._dist_dp_median.';
COMMENT ON FUNCTION civic._dist_dp_percentile_combine(civic.dp_state, civic.dp_state) IS 'Combine function of civic._dist_dp_percentile and civic._dist_dp_median; either side may be empty.';
COMMENT ON FUNCTION civic._dist_dp_percentile_final(civic.dp_state) IS 'Final function of civic._dist_dp_percentile: validates the parameters, accounts the privacy cost, adds noise once.';
COMMENT ON FUNCTION civic._dist_dp_median_final(civic.dp_state) IS 'Final function of civic._dist_dp_median: validates the parameters, accounts the privacy cost, adds noise once.';
COMMENT ON FUNCTION civic._dist_dp_unit_count_trans(civic.dp_state, anyelement, float8) IS 'Transition function of civic._dist_dp_count_units and civic._dist_dp_count(unit, max_rows, ...).';
COMMENT ON FUNCTION civic._dist_dp_unit_count_trans(civic.dp_state, anyelement, float8, float8) IS 'Transition function of civic._dist_dp_count_units and civic._dist_dp_count(unit, max_rows, ...).';
COMMENT ON FUNCTION civic._dist_dp_unit_count_trans(civic.dp_state, anyelement, integer, float8) IS 'Transition function of civic._dist_dp_count_units and civic._dist_dp_count(unit, max_rows, ...).';
COMMENT ON FUNCTION civic._dist_dp_unit_count_trans(civic.dp_state, anyelement, integer, float8, float8) IS 'Transition function of civic._dist_dp_count_units and civic._dist_dp_count(unit, max_rows, ...).';
COMMENT ON FUNCTION civic._dist_dp_unit_value_trans(civic.dp_state, anyelement, float8, float8, float8, float8) IS 'Transition function of civic._dist_dp_sum_per_unit and civic._dist_dp_avg_per_unit.';
COMMENT ON FUNCTION civic._dist_dp_unit_value_trans(civic.dp_state, anyelement, float8, float8, float8, float8, float8) IS 'Transition function of civic._dist_dp_sum_per_unit and civic._dist_dp_avg_per_unit.';
COMMENT ON FUNCTION civic._dist_dp_unit_combine(civic.dp_state, civic.dp_state) IS 'Combine function of the per-unit twins; either side may be empty.';
COMMENT ON FUNCTION civic._dist_dp_count_units_final(civic.dp_state) IS 'Final function of civic._dist_dp_count_units: validates the parameters, accounts the privacy cost, adds noise once.';
COMMENT ON FUNCTION civic._dist_dp_count_unit_final(civic.dp_state) IS 'Final function of civic._dist_dp_count(unit, max_rows, ...): validates the parameters, accounts the privacy cost, adds noise once.';
COMMENT ON FUNCTION civic._dist_dp_sum_unit_final(civic.dp_state) IS 'Final function of civic._dist_dp_sum_per_unit: validates the parameters, accounts the privacy cost, adds noise once.';
COMMENT ON FUNCTION civic._dist_dp_avg_unit_final(civic.dp_state) IS 'Final function of civic._dist_dp_avg_per_unit: validates the parameters, accounts the privacy cost, adds noise once.';

-- The support functions stay executable by everyone: Citus checks EXECUTE on
-- every support function of an aggregate it distributes for the role that
-- runs the query, on the coordinator and on every worker.  An aggregate a
-- role builds of them gives it nothing: without a final function it
-- returns the exact state of rows the role can already read (the state of
-- a privacy-safe view's private rows never reaches an analyst: the view's
-- query is its owner's), and civic's final functions refuse to run in any
-- aggregate but civic's own, metered ones (VB002).
