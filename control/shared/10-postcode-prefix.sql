-- Prefixes: p ^@ 'SW1A 1' is true when the postcode is in that area, outward
-- code or sector; with a constant prefix the planner turns it into a btree
-- range (postcode_matches_support).
CREATE FUNCTION civic.postcode_matches_support(pg_catalog.internal) RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'postcode_matches_support'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.postcode_matches_support(pg_catalog.internal) IS
    'planner support of postcode ^@ prefix: a btree range condition for a constant prefix';
CREATE FUNCTION civic.postcode_matches(p civic.postcode, prefix pg_catalog.text) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'postcode_matches'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
    SUPPORT civic.postcode_matches_support;
COMMENT ON FUNCTION civic.postcode_matches(civic.postcode, pg_catalog.text) IS
    'true if the postcode is in the area (SW), outward code (SW1A), sector (SW1A 1) or equals the postcode given; an error if the prefix is none of these';

CREATE OPERATOR civic.^@ (
    LEFTARG = civic.postcode, RIGHTARG = pg_catalog.text,
    FUNCTION = civic.postcode_matches,
    RESTRICT = pg_catalog.matchingsel, JOIN = pg_catalog.matchingjoinsel
);
COMMENT ON OPERATOR civic.^@ (civic.postcode, pg_catalog.text) IS
    'postcode is in the area, outward code or sector (SW, SW1A, SW1A 1); uses a btree index on the postcode';
