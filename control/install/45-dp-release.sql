-- The release functions of the distributed fast path (src/dp_release.c,
-- docs/citus.md "The fast path").  Over a Citus table the planner writes
-- dp_count, dp_sum and dp_avg of integers as one of these over PostgreSQL's own
-- count or sum, which Citus combines natively; the function adds the
-- aggregate's noise once, on the coordinator.  A call the planner did not
-- write (and the meter therefore did not charge) is refused.  Users call
-- the aggregates.
CREATE FUNCTION civic._dp_count_release(count bigint, epsilon float8, delta float8, slot int8)
RETURNS bigint AS 'MODULE_PATHNAME', 'dp_count_release'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL RESTRICTED;
CREATE FUNCTION civic._dp_sum_release(sum numeric, lower bigint, upper bigint, epsilon float8, delta float8, slot int8)
RETURNS bigint AS 'MODULE_PATHNAME', 'dp_sum_release'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL RESTRICTED;
CREATE FUNCTION civic._dp_sum_release(sum bigint, lower bigint, upper bigint, epsilon float8, delta float8, slot int8)
RETURNS bigint AS 'MODULE_PATHNAME', 'dp_sum_release'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL RESTRICTED;
CREATE FUNCTION civic._dp_sum_release(sum numeric, lower float8, upper float8, epsilon float8, delta float8, slot int8)
RETURNS float8 AS 'MODULE_PATHNAME', 'dp_sum_float8_release'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL RESTRICTED;
CREATE FUNCTION civic._dp_sum_release(sum bigint, lower float8, upper float8, epsilon float8, delta float8, slot int8)
RETURNS float8 AS 'MODULE_PATHNAME', 'dp_sum_float8_release'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL RESTRICTED;
CREATE FUNCTION civic._dp_avg_release(sum numeric, n bigint, lower float8, upper float8, epsilon float8, delta float8, slot int8)
RETURNS float8 AS 'MODULE_PATHNAME', 'dp_avg_float8_release'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL RESTRICTED;
CREATE FUNCTION civic._dp_avg_release(sum bigint, n bigint, lower float8, upper float8, epsilon float8, delta float8, slot int8)
RETURNS float8 AS 'MODULE_PATHNAME', 'dp_avg_float8_release'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL RESTRICTED;
COMMENT ON FUNCTION civic._dp_count_release(bigint, float8, float8, int8) IS
    'civic internal: dp_count over a Citus table (docs/citus.md); refused unless civic''s planner wrote the call';
COMMENT ON FUNCTION civic._dp_sum_release(numeric, bigint, bigint, float8, float8, int8) IS
    'civic internal: dp_sum over a Citus table (docs/citus.md); refused unless civic''s planner wrote the call';
COMMENT ON FUNCTION civic._dp_sum_release(bigint, bigint, bigint, float8, float8, int8) IS
    'civic internal: dp_sum over a Citus table (docs/citus.md); refused unless civic''s planner wrote the call';
COMMENT ON FUNCTION civic._dp_sum_release(numeric, float8, float8, float8, float8, int8) IS
    'civic internal: dp_sum over a Citus table (docs/citus.md); refused unless civic''s planner wrote the call';
COMMENT ON FUNCTION civic._dp_sum_release(bigint, float8, float8, float8, float8, int8) IS
    'civic internal: dp_sum over a Citus table (docs/citus.md); refused unless civic''s planner wrote the call';
COMMENT ON FUNCTION civic._dp_avg_release(numeric, bigint, float8, float8, float8, float8, int8) IS
    'civic internal: dp_avg over a Citus table (docs/citus.md); refused unless civic''s planner wrote the call';
COMMENT ON FUNCTION civic._dp_avg_release(bigint, bigint, float8, float8, float8, float8, int8) IS
    'civic internal: dp_avg over a Citus table (docs/citus.md); refused unless civic''s planner wrote the call';
