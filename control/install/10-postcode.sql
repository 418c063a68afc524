
-- ---------------------------------------------------------------------------
-- civic.postcode: a validated UK postcode, stored as a 4-byte pass-by-value
-- integer whose order is the natural postcode order (src/postcode.c).
-- ---------------------------------------------------------------------------

CREATE TYPE civic.postcode;

CREATE FUNCTION civic.postcode_in(pg_catalog.cstring) RETURNS civic.postcode
    AS 'MODULE_PATHNAME', 'postcode_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_out(civic.postcode) RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME', 'postcode_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_recv(pg_catalog.internal) RETURNS civic.postcode
    AS 'MODULE_PATHNAME', 'postcode_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_send(civic.postcode) RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME', 'postcode_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE civic.postcode (
    INPUT          = civic.postcode_in,
    OUTPUT         = civic.postcode_out,
    RECEIVE        = civic.postcode_recv,
    SEND           = civic.postcode_send,
    INTERNALLENGTH = 4,
    PASSEDBYVALUE,
    ALIGNMENT      = int4,
    STORAGE        = plain,
    CATEGORY       = 'U'
);

COMMENT ON TYPE civic.postcode IS 'UK postcode (e.g. SW1A 1AA, GIR 0AA, the British Overseas Territories'' ASCN 1ZZ ...), validated against the Royal Mail grammar and stored in 4 bytes in natural order';
COMMENT ON FUNCTION civic.postcode_in(pg_catalog.cstring) IS 'postcode text input: any case, whitespace around and between the outward and inward codes';
COMMENT ON FUNCTION civic.postcode_out(civic.postcode) IS 'postcode text output: upper case, one space';
COMMENT ON FUNCTION civic.postcode_recv(pg_catalog.internal) IS 'postcode binary input, validated as strictly as text input';
COMMENT ON FUNCTION civic.postcode_send(civic.postcode) IS 'postcode binary output: the 4-byte stored value';

-- Casts to and from text.
CREATE FUNCTION civic.postcode(pg_catalog.text) RETURNS civic.postcode
    AS 'MODULE_PATHNAME', 'postcode_from_text'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_text(civic.postcode) RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'postcode_to_text'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.postcode(pg_catalog.text) IS 'convert text to postcode, raising an input error if it is not a valid postcode';
COMMENT ON FUNCTION civic.postcode_text(civic.postcode) IS 'canonical text of a postcode: upper case, one space';

CREATE CAST (pg_catalog.text AS civic.postcode)
    WITH FUNCTION civic.postcode(pg_catalog.text) AS ASSIGNMENT;
CREATE CAST (civic.postcode AS pg_catalog.text)
    WITH FUNCTION civic.postcode_text(civic.postcode) AS ASSIGNMENT;
COMMENT ON CAST (pg_catalog.text AS civic.postcode) IS 'validating cast from text to postcode';
COMMENT ON CAST (civic.postcode AS pg_catalog.text) IS 'canonical text of a postcode';

-- Validity test and components.
CREATE FUNCTION civic.is_valid_postcode(pg_catalog.text) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'is_valid_postcode'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.is_valid_postcode(pg_catalog.text) IS 'true if the text is a valid UK postcode; never raises an error';

CREATE FUNCTION civic.postcode_area(civic.postcode) RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'postcode_area'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_district(civic.postcode) RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'postcode_district'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_sector(civic.postcode) RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'postcode_sector'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_outward(civic.postcode) RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'postcode_outward'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_inward(civic.postcode) RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'postcode_inward'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.postcode_area(civic.postcode) IS 'postcode area: the one or two leading letters (SW1A 1AA -> SW); the whole outward code where it has no digit (GIR 0AA -> GIR, ASCN 1ZZ -> ASCN)';
COMMENT ON FUNCTION civic.postcode_district(civic.postcode) IS 'postcode district: area, district number and letter (SW1A 1AA -> SW1A)';
COMMENT ON FUNCTION civic.postcode_sector(civic.postcode) IS 'postcode sector: district, space and sector digit (SW1A 1AA -> SW1A 1)';
COMMENT ON FUNCTION civic.postcode_outward(civic.postcode) IS 'outward code of a postcode (SW1A 1AA -> SW1A)';
COMMENT ON FUNCTION civic.postcode_inward(civic.postcode) IS 'inward code of a postcode (SW1A 1AA -> 1AA)';

-- Comparison.  The stored int32 is never negative and orders as the
-- postcodes do, so comparison, hashing, min and max are core's int4
-- functions (LANGUAGE internal, as contrib/isn and civic.gsscode bind int8's).
CREATE FUNCTION civic.postcode_eq(civic.postcode, civic.postcode) RETURNS pg_catalog.bool
    AS 'int4eq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_ne(civic.postcode, civic.postcode) RETURNS pg_catalog.bool
    AS 'int4ne' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_lt(civic.postcode, civic.postcode) RETURNS pg_catalog.bool
    AS 'int4lt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_le(civic.postcode, civic.postcode) RETURNS pg_catalog.bool
    AS 'int4le' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_gt(civic.postcode, civic.postcode) RETURNS pg_catalog.bool
    AS 'int4gt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_ge(civic.postcode, civic.postcode) RETURNS pg_catalog.bool
    AS 'int4ge' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_cmp(civic.postcode, civic.postcode) RETURNS pg_catalog.int4
    AS 'btint4cmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_sortsupport(pg_catalog.internal) RETURNS pg_catalog.void
    AS 'btint4sortsupport' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_hash(civic.postcode) RETURNS pg_catalog.int4
    AS 'hashint4' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_hash_extended(civic.postcode, pg_catalog.int8) RETURNS pg_catalog.int8
    AS 'hashint4extended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION civic.postcode_eq(civic.postcode, civic.postcode) IS 'implementation of = for postcode';
COMMENT ON FUNCTION civic.postcode_ne(civic.postcode, civic.postcode) IS 'implementation of <> for postcode';
COMMENT ON FUNCTION civic.postcode_lt(civic.postcode, civic.postcode) IS 'implementation of < for postcode';
COMMENT ON FUNCTION civic.postcode_le(civic.postcode, civic.postcode) IS 'implementation of <= for postcode';
COMMENT ON FUNCTION civic.postcode_gt(civic.postcode, civic.postcode) IS 'implementation of > for postcode';
COMMENT ON FUNCTION civic.postcode_ge(civic.postcode, civic.postcode) IS 'implementation of >= for postcode';
COMMENT ON FUNCTION civic.postcode_cmp(civic.postcode, civic.postcode) IS 'btree comparison for postcode: -1, 0 or 1 in natural postcode order';
COMMENT ON FUNCTION civic.postcode_sortsupport(pg_catalog.internal) IS 'btree sort support for postcode';
COMMENT ON FUNCTION civic.postcode_hash(civic.postcode) IS 'hash of a postcode';
COMMENT ON FUNCTION civic.postcode_hash_extended(civic.postcode, pg_catalog.int8) IS 'seeded 64-bit hash of a postcode';

CREATE OPERATOR civic.= (
    LEFTARG = civic.postcode, RIGHTARG = civic.postcode,
    FUNCTION = civic.postcode_eq,
    COMMUTATOR = OPERATOR(civic.=), NEGATOR = OPERATOR(civic.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel,
    MERGES, HASHES
);
CREATE OPERATOR civic.<> (
    LEFTARG = civic.postcode, RIGHTARG = civic.postcode,
    FUNCTION = civic.postcode_ne,
    COMMUTATOR = OPERATOR(civic.<>), NEGATOR = OPERATOR(civic.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
CREATE OPERATOR civic.< (
    LEFTARG = civic.postcode, RIGHTARG = civic.postcode,
    FUNCTION = civic.postcode_lt,
    COMMUTATOR = OPERATOR(civic.>), NEGATOR = OPERATOR(civic.>=),
    RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
CREATE OPERATOR civic.<= (
    LEFTARG = civic.postcode, RIGHTARG = civic.postcode,
    FUNCTION = civic.postcode_le,
    COMMUTATOR = OPERATOR(civic.>=), NEGATOR = OPERATOR(civic.>),
    RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
CREATE OPERATOR civic.> (
    LEFTARG = civic.postcode, RIGHTARG = civic.postcode,
    FUNCTION = civic.postcode_gt,
    COMMUTATOR = OPERATOR(civic.<), NEGATOR = OPERATOR(civic.<=),
    RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);
CREATE OPERATOR civic.>= (
    LEFTARG = civic.postcode, RIGHTARG = civic.postcode,
    FUNCTION = civic.postcode_ge,
    COMMUTATOR = OPERATOR(civic.<=), NEGATOR = OPERATOR(civic.<),
    RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);

COMMENT ON OPERATOR civic.= (civic.postcode, civic.postcode) IS 'postcodes are equal';
COMMENT ON OPERATOR civic.<> (civic.postcode, civic.postcode) IS 'postcodes differ';
COMMENT ON OPERATOR civic.< (civic.postcode, civic.postcode) IS 'postcode sorts before (natural order)';
COMMENT ON OPERATOR civic.<= (civic.postcode, civic.postcode) IS 'postcode sorts before or equal (natural order)';
COMMENT ON OPERATOR civic.> (civic.postcode, civic.postcode) IS 'postcode sorts after (natural order)';
COMMENT ON OPERATOR civic.>= (civic.postcode, civic.postcode) IS 'postcode sorts after or equal (natural order)';

CREATE OPERATOR CLASS civic.postcode_ops
    DEFAULT FOR TYPE civic.postcode USING btree AS
        OPERATOR 1 civic.< ,
        OPERATOR 2 civic.<= ,
        OPERATOR 3 civic.= ,
        OPERATOR 4 civic.>= ,
        OPERATOR 5 civic.> ,
        FUNCTION 1 civic.postcode_cmp(civic.postcode, civic.postcode),
        FUNCTION 2 civic.postcode_sortsupport(pg_catalog.internal),
        FUNCTION 4 pg_catalog.btequalimage(pg_catalog.oid);

CREATE OPERATOR CLASS civic.postcode_hash_ops
    DEFAULT FOR TYPE civic.postcode USING hash AS
        OPERATOR 1 civic.= ,
        FUNCTION 1 civic.postcode_hash(civic.postcode),
        FUNCTION 2 civic.postcode_hash_extended(civic.postcode, pg_catalog.int8);

COMMENT ON OPERATOR CLASS civic.postcode_ops USING btree IS 'natural postcode order: area, district number, district letter, sector, unit';
COMMENT ON OPERATOR CLASS civic.postcode_hash_ops USING hash IS 'hash of postcode equality';
COMMENT ON OPERATOR FAMILY civic.postcode_ops USING btree IS 'natural postcode order: area, district number, district letter, sector, unit';
COMMENT ON OPERATOR FAMILY civic.postcode_hash_ops USING hash IS 'hash of postcode equality';

-- min and max in natural order (SORTOP lets the planner answer them from a
-- btree index).
CREATE FUNCTION civic.postcode_smaller(civic.postcode, civic.postcode) RETURNS civic.postcode
    AS 'int4smaller' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_larger(civic.postcode, civic.postcode) RETURNS civic.postcode
    AS 'int4larger' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.postcode_smaller(civic.postcode, civic.postcode) IS 'the earlier of two postcodes in natural order';
COMMENT ON FUNCTION civic.postcode_larger(civic.postcode, civic.postcode) IS 'the later of two postcodes in natural order';

CREATE AGGREGATE civic.min(civic.postcode) (
    SFUNC = civic.postcode_smaller, STYPE = civic.postcode,
    COMBINEFUNC = civic.postcode_smaller, SORTOP = OPERATOR(civic.<),
    PARALLEL = SAFE
);
CREATE AGGREGATE civic.max(civic.postcode) (
    SFUNC = civic.postcode_larger, STYPE = civic.postcode,
    COMBINEFUNC = civic.postcode_larger, SORTOP = OPERATOR(civic.>),
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE civic.min(civic.postcode) IS 'earliest postcode in natural order';
COMMENT ON AGGREGATE civic.max(civic.postcode) IS 'latest postcode in natural order';

-- @include control/shared/10-postcode-prefix.sql
