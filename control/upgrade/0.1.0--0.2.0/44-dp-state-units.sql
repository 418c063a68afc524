-- Twins of the per-unit DP aggregates for concrete unit types (docs/citus.md).
-- Citus checks that the arguments of an aggregate it distributes have
-- exactly the declared types, so a twin with a polymorphic unit could not be
-- split by Citus (and would make calls with an integer unit ambiguous).  civic's planner hook
-- (src/citus_plan.c) casts the unit to one of these types, by casts that
-- keep equality (int2/int4 to bigint, varchar/char to text), and uses the
-- twin below; any other unit type is refused in a distributed query.

CREATE AGGREGATE civic._dist_dp_count_units(unit bigint, epsilon float8) (
    SFUNC = civic._dist_dp_unit_count_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_count_units_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_count_units(unit bigint, epsilon float8, delta float8) (
    SFUNC = civic._dist_dp_unit_count_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_count_units_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_count(unit bigint, max_rows integer, epsilon float8) (
    SFUNC = civic._dist_dp_unit_count_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_count_unit_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_count(unit bigint, max_rows integer, epsilon float8, delta float8) (
    SFUNC = civic._dist_dp_unit_count_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_count_unit_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_sum_per_unit(unit bigint, value float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dist_dp_unit_value_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_sum_unit_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_sum_per_unit(unit bigint, value float8, lower float8, upper float8, epsilon float8, delta float8) (
    SFUNC = civic._dist_dp_unit_value_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_sum_unit_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_avg_per_unit(unit bigint, value float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dist_dp_unit_value_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_avg_unit_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_avg_per_unit(unit bigint, value float8, lower float8, upper float8, epsilon float8, delta float8) (
    SFUNC = civic._dist_dp_unit_value_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_avg_unit_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_count_units(unit text, epsilon float8) (
    SFUNC = civic._dist_dp_unit_count_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_count_units_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_count_units(unit text, epsilon float8, delta float8) (
    SFUNC = civic._dist_dp_unit_count_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_count_units_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_count(unit text, max_rows integer, epsilon float8) (
    SFUNC = civic._dist_dp_unit_count_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_count_unit_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_count(unit text, max_rows integer, epsilon float8, delta float8) (
    SFUNC = civic._dist_dp_unit_count_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_count_unit_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_sum_per_unit(unit text, value float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dist_dp_unit_value_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_sum_unit_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_sum_per_unit(unit text, value float8, lower float8, upper float8, epsilon float8, delta float8) (
    SFUNC = civic._dist_dp_unit_value_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_sum_unit_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_avg_per_unit(unit text, value float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dist_dp_unit_value_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_avg_unit_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_avg_per_unit(unit text, value float8, lower float8, upper float8, epsilon float8, delta float8) (
    SFUNC = civic._dist_dp_unit_value_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_avg_unit_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_count_units(unit uuid, epsilon float8) (
    SFUNC = civic._dist_dp_unit_count_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_count_units_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_count_units(unit uuid, epsilon float8, delta float8) (
    SFUNC = civic._dist_dp_unit_count_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_count_units_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_count(unit uuid, max_rows integer, epsilon float8) (
    SFUNC = civic._dist_dp_unit_count_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_count_unit_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_count(unit uuid, max_rows integer, epsilon float8, delta float8) (
    SFUNC = civic._dist_dp_unit_count_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_count_unit_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_sum_per_unit(unit uuid, value float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dist_dp_unit_value_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_sum_unit_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_sum_per_unit(unit uuid, value float8, lower float8, upper float8, epsilon float8, delta float8) (
    SFUNC = civic._dist_dp_unit_value_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_sum_unit_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_avg_per_unit(unit uuid, value float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dist_dp_unit_value_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_avg_unit_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE civic._dist_dp_avg_per_unit(unit uuid, value float8, lower float8, upper float8, epsilon float8, delta float8) (
    SFUNC = civic._dist_dp_unit_value_trans, STYPE = civic.dp_state, SSPACE = 1024,
    FINALFUNC = civic._dist_dp_avg_unit_final, COMBINEFUNC = civic._dist_dp_unit_combine,
    PARALLEL = SAFE);

COMMENT ON AGGREGATE civic._dist_dp_count_units(bigint, float8) IS
    'Twin of civic.dp_count_units(anyelement, float8) for units of type bigint, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_count_units(bigint, float8, float8) IS
    'Twin of civic.dp_count_units(anyelement, float8, float8) for units of type bigint, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_count(bigint, integer, float8) IS
    'Twin of civic.dp_count(anyelement, integer, float8) for units of type bigint, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_count(bigint, integer, float8, float8) IS
    'Twin of civic.dp_count(anyelement, integer, float8, float8) for units of type bigint, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_sum_per_unit(bigint, float8, float8, float8, float8) IS
    'Twin of civic.dp_sum_per_unit(anyelement, float8, float8, float8, float8) for units of type bigint, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_sum_per_unit(bigint, float8, float8, float8, float8, float8) IS
    'Twin of civic.dp_sum_per_unit(anyelement, float8, float8, float8, float8, float8) for units of type bigint, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_avg_per_unit(bigint, float8, float8, float8, float8) IS
    'Twin of civic.dp_avg_per_unit(anyelement, float8, float8, float8, float8) for units of type bigint, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_avg_per_unit(bigint, float8, float8, float8, float8, float8) IS
    'Twin of civic.dp_avg_per_unit(anyelement, float8, float8, float8, float8, float8) for units of type bigint, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_count_units(text, float8) IS
    'Twin of civic.dp_count_units(anyelement, float8) for units of type text, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_count_units(text, float8, float8) IS
    'Twin of civic.dp_count_units(anyelement, float8, float8) for units of type text, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_count(text, integer, float8) IS
    'Twin of civic.dp_count(anyelement, integer, float8) for units of type text, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_count(text, integer, float8, float8) IS
    'Twin of civic.dp_count(anyelement, integer, float8, float8) for units of type text, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_sum_per_unit(text, float8, float8, float8, float8) IS
    'Twin of civic.dp_sum_per_unit(anyelement, float8, float8, float8, float8) for units of type text, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_sum_per_unit(text, float8, float8, float8, float8, float8) IS
    'Twin of civic.dp_sum_per_unit(anyelement, float8, float8, float8, float8, float8) for units of type text, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_avg_per_unit(text, float8, float8, float8, float8) IS
    'Twin of civic.dp_avg_per_unit(anyelement, float8, float8, float8, float8) for units of type text, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_avg_per_unit(text, float8, float8, float8, float8, float8) IS
    'Twin of civic.dp_avg_per_unit(anyelement, float8, float8, float8, float8, float8) for units of type text, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_count_units(uuid, float8) IS
    'Twin of civic.dp_count_units(anyelement, float8) for units of type uuid, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_count_units(uuid, float8, float8) IS
    'Twin of civic.dp_count_units(anyelement, float8, float8) for units of type uuid, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_count(uuid, integer, float8) IS
    'Twin of civic.dp_count(anyelement, integer, float8) for units of type uuid, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_count(uuid, integer, float8, float8) IS
    'Twin of civic.dp_count(anyelement, integer, float8, float8) for units of type uuid, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_sum_per_unit(uuid, float8, float8, float8, float8) IS
    'Twin of civic.dp_sum_per_unit(anyelement, float8, float8, float8, float8) for units of type uuid, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_sum_per_unit(uuid, float8, float8, float8, float8, float8) IS
    'Twin of civic.dp_sum_per_unit(anyelement, float8, float8, float8, float8, float8) for units of type uuid, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_avg_per_unit(uuid, float8, float8, float8, float8) IS
    'Twin of civic.dp_avg_per_unit(anyelement, float8, float8, float8, float8) for units of type uuid, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
COMMENT ON AGGREGATE civic._dist_dp_avg_per_unit(uuid, float8, float8, float8, float8, float8) IS
    'Twin of civic.dp_avg_per_unit(anyelement, float8, float8, float8, float8, float8) for units of type uuid, with the state type civic.dp_state, for distributed aggregation (docs/citus.md): the same parameters, noise and privacy charge.';
