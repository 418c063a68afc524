-- civic install script.  Every civic object is referenced as civic.<name> and
-- every built-in as pg_catalog.<name>; nothing relies on the caller's
-- search_path.  Schema `civic` is created by CREATE EXTENSION (control file).

\echo Use "CREATE EXTENSION civic CASCADE" to load this file. \quit

-- Lock the search path for the rest of this script: pg_catalog first (so no
-- operator or function can be shadowed), then PostGIS's own schema (PostgreSQL
-- 15 has no @extschema:postgis@, so PostGIS types and functions are found
-- here and only here), and pg_temp last so no temporary object can shadow a
-- name.
DO $install$
BEGIN
    EXECUTE pg_catalog.format(
        'SET LOCAL search_path = pg_catalog, %I, pg_temp',
        (SELECT n.nspname
           FROM pg_catalog.pg_extension e
           JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
          WHERE e.extname = 'postgis'));
END
$install$;

COMMENT ON SCHEMA civic IS 'civic: UK civic geography types, ward-boundary lookups and differential-privacy aggregates';

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

COMMENT ON TYPE civic.postcode IS 'UK postcode (e.g. SW1A 1AA), validated against the Royal Mail grammar and stored in 4 bytes in natural order';
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
COMMENT ON FUNCTION civic.postcode_area(civic.postcode) IS 'postcode area: the one or two leading letters (SW1A 1AA -> SW; GIR 0AA -> GIR)';
COMMENT ON FUNCTION civic.postcode_district(civic.postcode) IS 'postcode district: area, district number and letter (SW1A 1AA -> SW1A)';
COMMENT ON FUNCTION civic.postcode_sector(civic.postcode) IS 'postcode sector: district, space and sector digit (SW1A 1AA -> SW1A 1)';
COMMENT ON FUNCTION civic.postcode_outward(civic.postcode) IS 'outward code of a postcode (SW1A 1AA -> SW1A)';
COMMENT ON FUNCTION civic.postcode_inward(civic.postcode) IS 'inward code of a postcode (SW1A 1AA -> 1AA)';

-- Comparison.
CREATE FUNCTION civic.postcode_eq(civic.postcode, civic.postcode) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'postcode_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_ne(civic.postcode, civic.postcode) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'postcode_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_lt(civic.postcode, civic.postcode) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'postcode_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_le(civic.postcode, civic.postcode) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'postcode_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_gt(civic.postcode, civic.postcode) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'postcode_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_ge(civic.postcode, civic.postcode) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'postcode_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_cmp(civic.postcode, civic.postcode) RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'postcode_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_sortsupport(pg_catalog.internal) RETURNS pg_catalog.void
    AS 'MODULE_PATHNAME', 'postcode_sortsupport' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_hash(civic.postcode) RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'postcode_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_hash_extended(civic.postcode, pg_catalog.int8) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'postcode_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

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
    AS 'MODULE_PATHNAME', 'postcode_smaller' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.postcode_larger(civic.postcode, civic.postcode) RETURNS civic.postcode
    AS 'MODULE_PATHNAME', 'postcode_larger' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
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
-- civic.gsscode: ONS GSS geography codes (E05000026, E09000001, ...).
-- Stored as a pass-by-value int8 whose integer order is the text order, so
-- PostgreSQL's own int8 comparison and hash functions serve it.

CREATE TYPE civic.gsscode;

CREATE FUNCTION civic.gsscode_in(pg_catalog.cstring) RETURNS civic.gsscode
    AS 'MODULE_PATHNAME', 'gsscode_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.gsscode_out(civic.gsscode) RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME', 'gsscode_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.gsscode_recv(pg_catalog.internal) RETURNS civic.gsscode
    AS 'MODULE_PATHNAME', 'gsscode_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.gsscode_send(civic.gsscode) RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME', 'gsscode_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE civic.gsscode (
    INPUT = civic.gsscode_in,
    OUTPUT = civic.gsscode_out,
    RECEIVE = civic.gsscode_recv,
    SEND = civic.gsscode_send,
    LIKE = pg_catalog.int8
);
COMMENT ON TYPE civic.gsscode IS 'ONS GSS geography code: a country letter and eight digits, e.g. E05000026';
COMMENT ON FUNCTION civic.gsscode_in(pg_catalog.cstring) IS 'gsscode input: a letter (E, K, L, M, N, S, W) and eight digits';
COMMENT ON FUNCTION civic.gsscode_out(civic.gsscode) IS 'gsscode output';
COMMENT ON FUNCTION civic.gsscode_recv(pg_catalog.internal) IS 'gsscode binary input, validated as strictly as text input';
COMMENT ON FUNCTION civic.gsscode_send(civic.gsscode) IS 'gsscode binary output';

-- Comparison: the built-in int8 functions, on civic's layout.
CREATE FUNCTION civic.gsscode_eq(civic.gsscode, civic.gsscode) RETURNS boolean
    AS 'int8eq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.gsscode_ne(civic.gsscode, civic.gsscode) RETURNS boolean
    AS 'int8ne' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.gsscode_lt(civic.gsscode, civic.gsscode) RETURNS boolean
    AS 'int8lt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.gsscode_le(civic.gsscode, civic.gsscode) RETURNS boolean
    AS 'int8le' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.gsscode_gt(civic.gsscode, civic.gsscode) RETURNS boolean
    AS 'int8gt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.gsscode_ge(civic.gsscode, civic.gsscode) RETURNS boolean
    AS 'int8ge' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.gsscode_cmp(civic.gsscode, civic.gsscode) RETURNS integer
    AS 'btint8cmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.gsscode_sortsupport(pg_catalog.internal) RETURNS void
    AS 'btint8sortsupport' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.gsscode_hash(civic.gsscode) RETURNS integer
    AS 'hashint8' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.gsscode_hash_extended(civic.gsscode, bigint) RETURNS bigint
    AS 'hashint8extended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.gsscode_eq(civic.gsscode, civic.gsscode) IS 'gsscode equality';
COMMENT ON FUNCTION civic.gsscode_ne(civic.gsscode, civic.gsscode) IS 'gsscode inequality';
COMMENT ON FUNCTION civic.gsscode_lt(civic.gsscode, civic.gsscode) IS 'gsscode less than (text order)';
COMMENT ON FUNCTION civic.gsscode_le(civic.gsscode, civic.gsscode) IS 'gsscode less than or equal (text order)';
COMMENT ON FUNCTION civic.gsscode_gt(civic.gsscode, civic.gsscode) IS 'gsscode greater than (text order)';
COMMENT ON FUNCTION civic.gsscode_ge(civic.gsscode, civic.gsscode) IS 'gsscode greater than or equal (text order)';
COMMENT ON FUNCTION civic.gsscode_cmp(civic.gsscode, civic.gsscode) IS 'gsscode btree comparison';
COMMENT ON FUNCTION civic.gsscode_sortsupport(pg_catalog.internal) IS 'gsscode btree sort support';
COMMENT ON FUNCTION civic.gsscode_hash(civic.gsscode) IS 'gsscode hash';
COMMENT ON FUNCTION civic.gsscode_hash_extended(civic.gsscode, bigint) IS 'gsscode 64-bit seeded hash';

CREATE OPERATOR civic.= (
    LEFTARG = civic.gsscode, RIGHTARG = civic.gsscode, FUNCTION = civic.gsscode_eq,
    COMMUTATOR = OPERATOR(civic.=), NEGATOR = OPERATOR(civic.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES, MERGES);
CREATE OPERATOR civic.<> (
    LEFTARG = civic.gsscode, RIGHTARG = civic.gsscode, FUNCTION = civic.gsscode_ne,
    COMMUTATOR = OPERATOR(civic.<>), NEGATOR = OPERATOR(civic.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR civic.< (
    LEFTARG = civic.gsscode, RIGHTARG = civic.gsscode, FUNCTION = civic.gsscode_lt,
    COMMUTATOR = OPERATOR(civic.>), NEGATOR = OPERATOR(civic.>=),
    RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel);
CREATE OPERATOR civic.<= (
    LEFTARG = civic.gsscode, RIGHTARG = civic.gsscode, FUNCTION = civic.gsscode_le,
    COMMUTATOR = OPERATOR(civic.>=), NEGATOR = OPERATOR(civic.>),
    RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel);
CREATE OPERATOR civic.> (
    LEFTARG = civic.gsscode, RIGHTARG = civic.gsscode, FUNCTION = civic.gsscode_gt,
    COMMUTATOR = OPERATOR(civic.<), NEGATOR = OPERATOR(civic.<=),
    RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel);
CREATE OPERATOR civic.>= (
    LEFTARG = civic.gsscode, RIGHTARG = civic.gsscode, FUNCTION = civic.gsscode_ge,
    COMMUTATOR = OPERATOR(civic.<=), NEGATOR = OPERATOR(civic.<),
    RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel);
COMMENT ON OPERATOR civic.= (civic.gsscode, civic.gsscode) IS 'equal';
COMMENT ON OPERATOR civic.<> (civic.gsscode, civic.gsscode) IS 'not equal';
COMMENT ON OPERATOR civic.< (civic.gsscode, civic.gsscode) IS 'less than';
COMMENT ON OPERATOR civic.<= (civic.gsscode, civic.gsscode) IS 'less than or equal';
COMMENT ON OPERATOR civic.> (civic.gsscode, civic.gsscode) IS 'greater than';
COMMENT ON OPERATOR civic.>= (civic.gsscode, civic.gsscode) IS 'greater than or equal';

CREATE OPERATOR CLASS civic.gsscode_ops DEFAULT FOR TYPE civic.gsscode USING btree AS
    OPERATOR 1 civic.<,
    OPERATOR 2 civic.<=,
    OPERATOR 3 civic.=,
    OPERATOR 4 civic.>=,
    OPERATOR 5 civic.>,
    FUNCTION 1 civic.gsscode_cmp(civic.gsscode, civic.gsscode),
    FUNCTION 2 civic.gsscode_sortsupport(pg_catalog.internal),
    FUNCTION 4 pg_catalog.btequalimage(pg_catalog.oid);
CREATE OPERATOR CLASS civic.gsscode_hash_ops DEFAULT FOR TYPE civic.gsscode USING hash AS
    OPERATOR 1 civic.=,
    FUNCTION 1 civic.gsscode_hash(civic.gsscode),
    FUNCTION 2 civic.gsscode_hash_extended(civic.gsscode, bigint);
COMMENT ON OPERATOR CLASS civic.gsscode_ops USING btree IS 'gsscode btree order: the text order of the codes';
COMMENT ON OPERATOR CLASS civic.gsscode_hash_ops USING hash IS 'gsscode hashing';
COMMENT ON OPERATOR FAMILY civic.gsscode_ops USING btree IS 'gsscode btree order: the text order of the codes';
COMMENT ON OPERATOR FAMILY civic.gsscode_hash_ops USING hash IS 'gsscode hashing';

-- Casts to and from text.
CREATE FUNCTION civic.gsscode(pg_catalog.text) RETURNS civic.gsscode
    AS 'MODULE_PATHNAME', 'gsscode_from_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.gsscode_text(civic.gsscode) RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'gsscode_to_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (pg_catalog.text AS civic.gsscode) WITH FUNCTION civic.gsscode(pg_catalog.text) AS ASSIGNMENT;
CREATE CAST (civic.gsscode AS pg_catalog.text) WITH FUNCTION civic.gsscode_text(civic.gsscode) AS ASSIGNMENT;
COMMENT ON FUNCTION civic.gsscode(pg_catalog.text) IS 'validate text as a GSS code';
COMMENT ON FUNCTION civic.gsscode_text(civic.gsscode) IS 'the code as text';

-- What a code says about itself.
CREATE FUNCTION civic.is_valid_gsscode(pg_catalog.text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'is_valid_gsscode' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.gss_entity(civic.gsscode) RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'gss_entity' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.gss_level(civic.gsscode) RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'gss_level' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.gss_entity_name(civic.gsscode) RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'gss_entity_name' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.gss_country(civic.gsscode) RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'gss_country' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.gss_entities(OUT entity pg_catalog.text, OUT level pg_catalog.text,
                                   OUT name pg_catalog.text, OUT country pg_catalog.text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'gss_entities' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 40;
COMMENT ON FUNCTION civic.is_valid_gsscode(pg_catalog.text) IS 'true if the text is a valid GSS code (never raises an error)';
COMMENT ON FUNCTION civic.gss_entity(civic.gsscode) IS 'ONS entity code: the first three characters, e.g. E05';
COMMENT ON FUNCTION civic.gss_level(civic.gsscode) IS 'geography level of the code''s entity (ward, lsoa, london_borough, region, ...); NULL if civic does not know the entity';
COMMENT ON FUNCTION civic.gss_entity_name(civic.gsscode) IS 'ONS description of the code''s entity, e.g. London Borough';
COMMENT ON FUNCTION civic.gss_country(civic.gsscode) IS 'country of the code: England, Wales, Scotland, Northern Ireland, United Kingdom, Channel Islands or Isle of Man';
COMMENT ON FUNCTION civic.gss_entities() IS 'the ONS entity codes civic knows, with their level, description and country';
COMMENT ON CAST (pg_catalog.text AS civic.gsscode) IS 'validate text as a GSS code';
COMMENT ON CAST (civic.gsscode AS pg_catalog.text) IS 'a GSS code as text';
-- civic.bng: a point on the British National Grid (EPSG:27700), easting and
-- northing in whole millimetres packed into one int64 (passed by value).
-- Layout: easting mm in the high 32 bits, northing mm in the low 32 bits, so
-- the btree order is "by easting, then by northing".

CREATE TYPE civic.bng;

CREATE FUNCTION civic.bng_in(pg_catalog.cstring) RETURNS civic.bng
    AS 'MODULE_PATHNAME', 'bng_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_in(pg_catalog.cstring) IS
    'text input of civic.bng: ''E N'' or ''(E,N)'' in metres, or an OS grid reference such as ''TQ 30043 80358''';

CREATE FUNCTION civic.bng_out(civic.bng) RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME', 'bng_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_out(civic.bng) IS
    'text output of civic.bng: ''E N'' in metres with at most three decimals';

CREATE FUNCTION civic.bng_recv(pg_catalog.internal) RETURNS civic.bng
    AS 'MODULE_PATHNAME', 'bng_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_recv(pg_catalog.internal) IS
    'binary input of civic.bng (int8: easting mm << 32 | northing mm), range-checked';

CREATE FUNCTION civic.bng_send(civic.bng) RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME', 'bng_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_send(civic.bng) IS
    'binary output of civic.bng (int8: easting mm << 32 | northing mm)';

CREATE TYPE civic.bng (
    INPUT = civic.bng_in,
    OUTPUT = civic.bng_out,
    RECEIVE = civic.bng_recv,
    SEND = civic.bng_send,
    LIKE = pg_catalog.int8
);
COMMENT ON TYPE civic.bng IS
    'point on the British National Grid (EPSG:27700): easting 0-700000 m, northing 0-1300000 m, millimetre precision';

-- Constructors and accessors ----------------------------------------------

CREATE FUNCTION civic.bng(easting pg_catalog.float8, northing pg_catalog.float8) RETURNS civic.bng
    AS 'MODULE_PATHNAME', 'bng_make'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng(pg_catalog.float8, pg_catalog.float8) IS
    'bng point from easting and northing in metres, rounded to the millimetre';

CREATE FUNCTION civic.bng_easting(civic.bng) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'bng_easting_fn'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_easting(civic.bng) IS
    'easting of a bng point in metres';

CREATE FUNCTION civic.bng_northing(civic.bng) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'bng_northing_fn'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_northing(civic.bng) IS
    'northing of a bng point in metres';

CREATE FUNCTION civic.bng_gridref(civic.bng, digits pg_catalog.int4 DEFAULT 10) RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'bng_gridref'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_gridref(civic.bng, pg_catalog.int4) IS
    'OS grid reference of the square containing the point (0, 2, 4, 6, 8 or 10 digits, truncated), e.g. ''TQ 30043 80358''';

CREATE FUNCTION civic.bng_box(civic.bng, civic.bng) RETURNS pg_catalog.box
    AS 'MODULE_PATHNAME', 'bng_box'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_box(civic.bng, civic.bng) IS
    'box (in metres) with two bng points as opposite corners, for p <@ box searches';

-- Comparison: by easting, then by northing --------------------------------

CREATE FUNCTION civic.bng_eq(civic.bng, civic.bng) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'bng_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_eq(civic.bng, civic.bng) IS 'implementation of = for bng';
CREATE FUNCTION civic.bng_ne(civic.bng, civic.bng) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'bng_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_ne(civic.bng, civic.bng) IS 'implementation of <> for bng';
CREATE FUNCTION civic.bng_lt(civic.bng, civic.bng) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'bng_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_lt(civic.bng, civic.bng) IS 'implementation of < for bng (easting, then northing)';
CREATE FUNCTION civic.bng_le(civic.bng, civic.bng) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'bng_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_le(civic.bng, civic.bng) IS 'implementation of <= for bng (easting, then northing)';
CREATE FUNCTION civic.bng_gt(civic.bng, civic.bng) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'bng_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_gt(civic.bng, civic.bng) IS 'implementation of > for bng (easting, then northing)';
CREATE FUNCTION civic.bng_ge(civic.bng, civic.bng) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'bng_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_ge(civic.bng, civic.bng) IS 'implementation of >= for bng (easting, then northing)';

CREATE FUNCTION civic.bng_cmp(civic.bng, civic.bng) RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'bng_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_cmp(civic.bng, civic.bng) IS 'btree comparison of bng (easting, then northing)';
CREATE FUNCTION civic.bng_sortsupport(pg_catalog.internal) RETURNS pg_catalog.void
    AS 'MODULE_PATHNAME', 'bng_sortsupport' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_sortsupport(pg_catalog.internal) IS 'btree sort support for bng';
CREATE FUNCTION civic.bng_hash(civic.bng) RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'bng_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_hash(civic.bng) IS 'hash of a bng point';
CREATE FUNCTION civic.bng_hash_extended(civic.bng, pg_catalog.int8) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'bng_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_hash_extended(civic.bng, pg_catalog.int8) IS 'seeded 64-bit hash of a bng point';

CREATE OPERATOR civic.= (
    LEFTARG = civic.bng, RIGHTARG = civic.bng, FUNCTION = civic.bng_eq,
    COMMUTATOR = OPERATOR(civic.=), NEGATOR = OPERATOR(civic.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES, MERGES);
COMMENT ON OPERATOR civic.= (civic.bng, civic.bng) IS 'same point (to the millimetre)';
CREATE OPERATOR civic.<> (
    LEFTARG = civic.bng, RIGHTARG = civic.bng, FUNCTION = civic.bng_ne,
    COMMUTATOR = OPERATOR(civic.<>), NEGATOR = OPERATOR(civic.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
COMMENT ON OPERATOR civic.<> (civic.bng, civic.bng) IS 'different points';
CREATE OPERATOR civic.< (
    LEFTARG = civic.bng, RIGHTARG = civic.bng, FUNCTION = civic.bng_lt,
    COMMUTATOR = OPERATOR(civic.>), NEGATOR = OPERATOR(civic.>=),
    RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel);
COMMENT ON OPERATOR civic.< (civic.bng, civic.bng) IS 'less than (by easting, then northing)';
CREATE OPERATOR civic.<= (
    LEFTARG = civic.bng, RIGHTARG = civic.bng, FUNCTION = civic.bng_le,
    COMMUTATOR = OPERATOR(civic.>=), NEGATOR = OPERATOR(civic.>),
    RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel);
COMMENT ON OPERATOR civic.<= (civic.bng, civic.bng) IS 'less than or equal (by easting, then northing)';
CREATE OPERATOR civic.> (
    LEFTARG = civic.bng, RIGHTARG = civic.bng, FUNCTION = civic.bng_gt,
    COMMUTATOR = OPERATOR(civic.<), NEGATOR = OPERATOR(civic.<=),
    RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel);
COMMENT ON OPERATOR civic.> (civic.bng, civic.bng) IS 'greater than (by easting, then northing)';
CREATE OPERATOR civic.>= (
    LEFTARG = civic.bng, RIGHTARG = civic.bng, FUNCTION = civic.bng_ge,
    COMMUTATOR = OPERATOR(civic.<=), NEGATOR = OPERATOR(civic.<),
    RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel);
COMMENT ON OPERATOR civic.>= (civic.bng, civic.bng) IS 'greater than or equal (by easting, then northing)';

CREATE OPERATOR CLASS civic.bng_ops
    DEFAULT FOR TYPE civic.bng USING btree AS
        OPERATOR 1 civic.< ,
        OPERATOR 2 civic.<= ,
        OPERATOR 3 civic.= ,
        OPERATOR 4 civic.>= ,
        OPERATOR 5 civic.> ,
        FUNCTION 1 civic.bng_cmp(civic.bng, civic.bng),
        FUNCTION 2 civic.bng_sortsupport(pg_catalog.internal),
        FUNCTION 4 pg_catalog.btequalimage(pg_catalog.oid);
COMMENT ON OPERATOR CLASS civic.bng_ops USING btree IS
    'btree order of bng: by easting, then by northing';
COMMENT ON OPERATOR FAMILY civic.bng_ops USING btree IS
    'btree order of bng: by easting, then by northing';

CREATE OPERATOR CLASS civic.bng_ops
    DEFAULT FOR TYPE civic.bng USING hash AS
        OPERATOR 1 civic.= ,
        FUNCTION 1 civic.bng_hash(civic.bng),
        FUNCTION 2 civic.bng_hash_extended(civic.bng, pg_catalog.int8);
COMMENT ON OPERATOR CLASS civic.bng_ops USING hash IS
    'hash equality of bng points';
COMMENT ON OPERATOR FAMILY civic.bng_ops USING hash IS
    'hash equality of bng points';

-- Distance and area searches ----------------------------------------------

CREATE FUNCTION civic.bng_distance(civic.bng, civic.bng) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'bng_distance_op' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_distance(civic.bng, civic.bng) IS
    'straight-line distance in metres between two bng points on the grid plane';
CREATE OPERATOR civic.<-> (
    LEFTARG = civic.bng, RIGHTARG = civic.bng, FUNCTION = civic.bng_distance,
    COMMUTATOR = OPERATOR(civic.<->));
COMMENT ON OPERATOR civic.<-> (civic.bng, civic.bng) IS
    'distance in metres on the grid plane (index-assisted in ORDER BY p <-> q LIMIT k)';

CREATE FUNCTION civic.bng_contained_by_box(civic.bng, pg_catalog.box) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'bng_contained_by_box' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_contained_by_box(civic.bng, pg_catalog.box) IS
    'implementation of bng <@ box (box corners in metres, edges included)';
CREATE FUNCTION civic.box_contains_bng(pg_catalog.box, civic.bng) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'box_contains_bng' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.box_contains_bng(pg_catalog.box, civic.bng) IS
    'implementation of box @> bng (box corners in metres, edges included)';
CREATE FUNCTION civic.bng_contained_by_circle(civic.bng, pg_catalog.circle) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'bng_contained_by_circle' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_contained_by_circle(civic.bng, pg_catalog.circle) IS
    'implementation of bng <@ circle (centre and radius in metres, boundary included)';
CREATE FUNCTION civic.circle_contains_bng(pg_catalog.circle, civic.bng) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'circle_contains_bng' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.circle_contains_bng(pg_catalog.circle, civic.bng) IS
    'implementation of circle @> bng (centre and radius in metres, boundary included)';

CREATE OPERATOR civic.<@ (
    LEFTARG = civic.bng, RIGHTARG = pg_catalog.box, FUNCTION = civic.bng_contained_by_box,
    COMMUTATOR = OPERATOR(civic.@>),
    RESTRICT = pg_catalog.contsel, JOIN = pg_catalog.contjoinsel);
COMMENT ON OPERATOR civic.<@ (civic.bng, pg_catalog.box) IS
    'point lies in the box (corners in metres, edges included)';
CREATE OPERATOR civic.@> (
    LEFTARG = pg_catalog.box, RIGHTARG = civic.bng, FUNCTION = civic.box_contains_bng,
    COMMUTATOR = OPERATOR(civic.<@),
    RESTRICT = pg_catalog.contsel, JOIN = pg_catalog.contjoinsel);
COMMENT ON OPERATOR civic.@> (pg_catalog.box, civic.bng) IS
    'box (corners in metres, edges included) contains the point';
CREATE OPERATOR civic.<@ (
    LEFTARG = civic.bng, RIGHTARG = pg_catalog.circle, FUNCTION = civic.bng_contained_by_circle,
    COMMUTATOR = OPERATOR(civic.@>),
    RESTRICT = pg_catalog.contsel, JOIN = pg_catalog.contjoinsel);
COMMENT ON OPERATOR civic.<@ (civic.bng, pg_catalog.circle) IS
    'point lies within the circle (centre and radius in metres, boundary included)';
CREATE OPERATOR civic.@> (
    LEFTARG = pg_catalog.circle, RIGHTARG = civic.bng, FUNCTION = civic.circle_contains_bng,
    COMMUTATOR = OPERATOR(civic.<@),
    RESTRICT = pg_catalog.contsel, JOIN = pg_catalog.contjoinsel);
COMMENT ON OPERATOR civic.@> (pg_catalog.circle, civic.bng) IS
    'circle (centre and radius in metres, boundary included) contains the point';

-- PostGIS: exchange EWKB, cast in SQL --------------------------------------
-- The SQL wrappers use SQL-standard bodies (RETURN ...): every name in them
-- is resolved once, here, under the locked search_path of this script, so
-- they never depend on the caller's search_path and can still be inlined.

CREATE FUNCTION civic.bng_to_ewkb(civic.bng) RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME', 'bng_to_ewkb' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_to_ewkb(civic.bng) IS
    'EWKB of the point as a PostGIS POINT with SRID 27700';
CREATE FUNCTION civic.bng_from_ewkb(pg_catalog.bytea) RETURNS civic.bng
    AS 'MODULE_PATHNAME', 'bng_from_ewkb' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_from_ewkb(pg_catalog.bytea) IS
    'bng point from the (E)WKB of a POINT in SRID 27700 or without SRID (Z and M ignored)';

CREATE FUNCTION civic.bng_to_geometry(civic.bng) RETURNS geometry
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ST_GeomFromEWKB(civic.bng_to_ewkb($1));
COMMENT ON FUNCTION civic.bng_to_geometry(civic.bng) IS
    'PostGIS POINT (SRID 27700) of a bng point';

CREATE FUNCTION civic.bng(geometry) RETURNS civic.bng
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN civic.bng_from_ewkb(ST_AsEWKB(
        CASE WHEN ST_SRID($1) IN (0, 27700) THEN $1
             ELSE ST_Transform($1, 27700) END));
COMMENT ON FUNCTION civic.bng(geometry) IS
    'bng point of a PostGIS point: SRID 27700 or 0 taken as is, any other SRID transformed to 27700; non-points and empty points refused';

CREATE CAST (civic.bng AS geometry)
    WITH FUNCTION civic.bng_to_geometry(civic.bng) AS ASSIGNMENT;
COMMENT ON CAST (civic.bng AS geometry) IS
    'bng point as a PostGIS POINT with SRID 27700';
CREATE CAST (geometry AS civic.bng)
    WITH FUNCTION civic.bng(geometry);
COMMENT ON CAST (geometry AS civic.bng) IS
    'PostGIS point (transformed to SRID 27700 if needed) as a bng point';

CREATE FUNCTION civic.bng_from_lonlat(lon pg_catalog.float8, lat pg_catalog.float8) RETURNS civic.bng
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN civic.bng(ST_Transform(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 27700));
COMMENT ON FUNCTION civic.bng_from_lonlat(pg_catalog.float8, pg_catalog.float8) IS
    'bng point of a WGS 84 longitude/latitude (EPSG:4326), transformed by PostGIS ST_Transform';

-- GiST: an R-tree over bng points (keys are boxes in millimetres) ---------

CREATE FUNCTION civic.bng_gist_consistent(pg_catalog.internal, civic.bng, pg_catalog.int2, pg_catalog.oid, pg_catalog.internal)
    RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'bng_gist_consistent' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_gist_consistent(pg_catalog.internal, civic.bng, pg_catalog.int2, pg_catalog.oid, pg_catalog.internal) IS
    'GiST support for bng: consistent';
CREATE FUNCTION civic.bng_gist_union(pg_catalog.internal, pg_catalog.internal) RETURNS pg_catalog.box
    AS 'MODULE_PATHNAME', 'bng_gist_union' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_gist_union(pg_catalog.internal, pg_catalog.internal) IS
    'GiST support for bng: union';
CREATE FUNCTION civic.bng_gist_compress(pg_catalog.internal) RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'bng_gist_compress' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_gist_compress(pg_catalog.internal) IS
    'GiST support for bng: compress (point to millimetre box)';
CREATE FUNCTION civic.bng_gist_decompress(pg_catalog.internal) RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'bng_gist_decompress' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_gist_decompress(pg_catalog.internal) IS
    'GiST support for bng: decompress';
CREATE FUNCTION civic.bng_gist_penalty(pg_catalog.internal, pg_catalog.internal, pg_catalog.internal) RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'bng_gist_penalty' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_gist_penalty(pg_catalog.internal, pg_catalog.internal, pg_catalog.internal) IS
    'GiST support for bng: penalty';
CREATE FUNCTION civic.bng_gist_picksplit(pg_catalog.internal, pg_catalog.internal) RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'bng_gist_picksplit' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_gist_picksplit(pg_catalog.internal, pg_catalog.internal) IS
    'GiST support for bng: picksplit';
CREATE FUNCTION civic.bng_gist_same(pg_catalog.box, pg_catalog.box, pg_catalog.internal) RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'bng_gist_same' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_gist_same(pg_catalog.box, pg_catalog.box, pg_catalog.internal) IS
    'GiST support for bng: same';
CREATE FUNCTION civic.bng_gist_distance(pg_catalog.internal, civic.bng, pg_catalog.int2, pg_catalog.oid, pg_catalog.internal)
    RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'bng_gist_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_gist_distance(pg_catalog.internal, civic.bng, pg_catalog.int2, pg_catalog.oid, pg_catalog.internal) IS
    'GiST support for bng: distance for ORDER BY p <-> q';
CREATE FUNCTION civic.bng_gist_fetch(pg_catalog.internal) RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'bng_gist_fetch' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_gist_fetch(pg_catalog.internal) IS
    'GiST support for bng: fetch (index-only scans)';
CREATE FUNCTION civic.bng_gist_sortsupport(pg_catalog.internal) RETURNS pg_catalog.void
    AS 'MODULE_PATHNAME', 'bng_gist_sortsupport' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_gist_sortsupport(pg_catalog.internal) IS
    'GiST support for bng: Z-order sort for the sorted index build';

CREATE OPERATOR CLASS civic.bng_gist_ops
    DEFAULT FOR TYPE civic.bng USING gist AS
        OPERATOR 8  civic.<@ (civic.bng, pg_catalog.box),
        OPERATOR 8  civic.<@ (civic.bng, pg_catalog.circle),
        OPERATOR 15 civic.<-> (civic.bng, civic.bng) FOR ORDER BY pg_catalog.float_ops,
        OPERATOR 18 civic.= (civic.bng, civic.bng),
        FUNCTION 1 civic.bng_gist_consistent(pg_catalog.internal, civic.bng, pg_catalog.int2, pg_catalog.oid, pg_catalog.internal),
        FUNCTION 2 civic.bng_gist_union(pg_catalog.internal, pg_catalog.internal),
        FUNCTION 3 civic.bng_gist_compress(pg_catalog.internal),
        FUNCTION 4 civic.bng_gist_decompress(pg_catalog.internal),
        FUNCTION 5 civic.bng_gist_penalty(pg_catalog.internal, pg_catalog.internal, pg_catalog.internal),
        FUNCTION 6 civic.bng_gist_picksplit(pg_catalog.internal, pg_catalog.internal),
        FUNCTION 7 civic.bng_gist_same(pg_catalog.box, pg_catalog.box, pg_catalog.internal),
        FUNCTION 8 civic.bng_gist_distance(pg_catalog.internal, civic.bng, pg_catalog.int2, pg_catalog.oid, pg_catalog.internal),
        FUNCTION 9 civic.bng_gist_fetch(pg_catalog.internal),
        FUNCTION 11 civic.bng_gist_sortsupport(pg_catalog.internal),
        STORAGE pg_catalog.box;
COMMENT ON OPERATOR CLASS civic.bng_gist_ops USING gist IS
    'R-tree over bng points: p <@ box, p <@ circle, p = q, and KNN ORDER BY p <-> q';
COMMENT ON OPERATOR FAMILY civic.bng_gist_ops USING gist IS
    'R-tree over bng points: p <@ box, p <@ circle, p = q, and KNN ORDER BY p <-> q';
-- civic.boundary: the registry of area polygons (wards, boroughs, region, or
-- any level a user loads), London's shipped with the extension, and the
-- point -> area lookups over it (docs/boundaries.md).

CREATE TABLE civic.boundary (
    vintage  pg_catalog.int4 NOT NULL CHECK (vintage >= 0),
    level    pg_catalog.text NOT NULL CHECK (level ~ '^[a-z][a-z0-9_]{0,31}$'),
    code     civic.gsscode NOT NULL,
    name     pg_catalog.text,
    parent   civic.gsscode,
    geom     geometry(MultiPolygon, 27700) NOT NULL,
    shipped  pg_catalog.bool NOT NULL DEFAULT false,
    PRIMARY KEY (vintage, level, code)
);
COMMENT ON TABLE civic.boundary IS
    'area polygons by vintage and level (ward, borough, region, ...); rows with shipped = true come with the extension, user rows survive pg_dump';
COMMENT ON COLUMN civic.boundary.vintage IS
    'year of the boundary set (2011, 2014, 2018, 2022 for London wards); 0 = vintage-independent, used for any vintage that has no rows of its own';
COMMENT ON COLUMN civic.boundary.level IS
    'kind of area: ward, borough, region, or another lower-case level name';
COMMENT ON COLUMN civic.boundary.code IS 'ONS GSS code of the area';
COMMENT ON COLUMN civic.boundary.name IS 'name of the area';
COMMENT ON COLUMN civic.boundary.parent IS
    'code of the enclosing area: a ward''s borough, a borough''s region';
COMMENT ON COLUMN civic.boundary.geom IS 'area polygon in EPSG:27700';
COMMENT ON COLUMN civic.boundary.shipped IS
    'true for rows installed by the extension (not dumped by pg_dump, reinstalled by CREATE EXTENSION)';

CREATE INDEX boundary_geom_idx ON civic.boundary USING gist (geom);
CREATE INDEX boundary_code_idx ON civic.boundary (code);

-- pg_dump keeps the rows users add; shipped rows come back with the extension.
SELECT pg_catalog.pg_extension_config_dump('civic.boundary', 'WHERE NOT shipped');

-- Load the shipped London boundaries (control/civic_boundaries.csv, installed
-- into the share directory's extension/ folder by make install).
CREATE FUNCTION civic._boundary_share_dir() RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'boundary_share_dir'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic._boundary_share_dir() IS
    'share directory of the server (install-time helper, dropped after use)';

DO $load$
BEGIN
    EXECUTE pg_catalog.format(
        'COPY civic.boundary (vintage, level, code, name, parent, shipped, geom) FROM %L WITH (FORMAT csv)',
        civic._boundary_share_dir() OPERATOR(pg_catalog.||) '/extension/civic_boundaries.csv');
END
$load$;

DROP FUNCTION civic._boundary_share_dir();
-- statistics now, so that queries on the registry plan well from the start
ANALYZE civic.boundary;

-- Cache invalidation: any change to civic.boundary drops the lookup caches.
CREATE FUNCTION civic.boundary_invalidate() RETURNS trigger
    AS 'MODULE_PATHNAME', 'boundary_invalidate'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION civic.boundary_invalidate() IS
    'statement trigger of civic.boundary: invalidates the per-backend boundary lookup caches';

CREATE TRIGGER boundary_invalidate
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON civic.boundary
    FOR EACH STATEMENT EXECUTE FUNCTION civic.boundary_invalidate();
COMMENT ON TRIGGER boundary_invalidate ON civic.boundary IS
    'drops the boundary lookup caches of every session when civic.boundary changes';

-- Vintage resolution ------------------------------------------------------

CREATE FUNCTION civic.boundary_vintage(level pg_catalog.text, vintage pg_catalog.int4 DEFAULT NULL)
    RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'boundary_vintage'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION civic.boundary_vintage(pg_catalog.text, pg_catalog.int4) IS
    'vintage a lookup of this level uses: the one given if loaded, else 0 (vintage-independent) if loaded, else an error; NULL = newest loaded';

-- Point lookups (C, cached grid index) --------------------------------------

CREATE FUNCTION civic.area_of(p civic.bng, level pg_catalog.text, vintage pg_catalog.int4 DEFAULT NULL)
    RETURNS civic.gsscode
    AS 'MODULE_PATHNAME', 'boundary_area_of_bng'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION civic.area_of(civic.bng, pg_catalog.text, pg_catalog.int4) IS
    'code of the area of this level and vintage (NULL: newest) that covers the point; smallest code on shared edges; NULL outside all';

CREATE FUNCTION civic.area_of(p geometry, level pg_catalog.text, vintage pg_catalog.int4 DEFAULT NULL)
    RETURNS civic.gsscode
    AS 'MODULE_PATHNAME', 'boundary_area_of_geometry'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION civic.area_of(geometry, pg_catalog.text, pg_catalog.int4) IS
    'code of the area of this level and vintage (NULL: newest) that covers the point (EPSG:27700); smallest code on shared edges; NULL outside all';

CREATE FUNCTION civic.ward_of(p civic.bng, vintage pg_catalog.int4 DEFAULT NULL)
    RETURNS civic.gsscode
    AS 'MODULE_PATHNAME', 'boundary_ward_of_bng'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION civic.ward_of(civic.bng, pg_catalog.int4) IS
    'code of the ward of this vintage (NULL: newest) that covers the point; smallest code on shared edges; NULL outside all wards';

CREATE FUNCTION civic.ward_of(p geometry, vintage pg_catalog.int4 DEFAULT NULL)
    RETURNS civic.gsscode
    AS 'MODULE_PATHNAME', 'boundary_ward_of_geometry'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION civic.ward_of(geometry, pg_catalog.int4) IS
    'code of the ward of this vintage (NULL: newest) that covers the point (EPSG:27700); smallest code on shared edges; NULL outside all wards';

CREATE FUNCTION civic.borough_of(p civic.bng, vintage pg_catalog.int4 DEFAULT NULL)
    RETURNS civic.gsscode
    AS 'MODULE_PATHNAME', 'boundary_borough_of_bng'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION civic.borough_of(civic.bng, pg_catalog.int4) IS
    'code of the borough that covers the point (boroughs are vintage-independent unless a vintage of them is loaded); NULL outside all boroughs';

CREATE FUNCTION civic.borough_of(p geometry, vintage pg_catalog.int4 DEFAULT NULL)
    RETURNS civic.gsscode
    AS 'MODULE_PATHNAME', 'boundary_borough_of_geometry'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION civic.borough_of(geometry, pg_catalog.int4) IS
    'code of the borough that covers the point (EPSG:27700; boroughs are vintage-independent unless a vintage of them is loaded); NULL outside all boroughs';

-- Registry queries (SQL) ------------------------------------------------------

CREATE FUNCTION civic.area_name(code civic.gsscode, vintage pg_catalog.int4 DEFAULT NULL)
    RETURNS pg_catalog.text
    LANGUAGE sql STABLE CALLED ON NULL INPUT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT b.name FROM civic.boundary b
     WHERE b.code OPERATOR(civic.=) $1
       AND ($2 IS NULL OR b.vintage OPERATOR(pg_catalog.=) $2 OR b.vintage OPERATOR(pg_catalog.=) 0)
     ORDER BY b.vintage DESC, b.level LIMIT 1
$$;
COMMENT ON FUNCTION civic.area_name(civic.gsscode, pg_catalog.int4) IS
    'name of the area with this code at this vintage (or vintage-independent); NULL vintage: its newest vintage';

CREATE FUNCTION civic.parent_of(code civic.gsscode, vintage pg_catalog.int4 DEFAULT NULL)
    RETURNS civic.gsscode
    LANGUAGE sql STABLE CALLED ON NULL INPUT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT b.parent FROM civic.boundary b
     WHERE b.code OPERATOR(civic.=) $1
       AND ($2 IS NULL OR b.vintage OPERATOR(pg_catalog.=) $2 OR b.vintage OPERATOR(pg_catalog.=) 0)
     ORDER BY b.vintage DESC, b.level LIMIT 1
$$;
COMMENT ON FUNCTION civic.parent_of(civic.gsscode, pg_catalog.int4) IS
    'code of the enclosing area (a ward''s borough, a borough''s region) at this vintage; NULL vintage: the code''s newest vintage';

CREATE FUNCTION civic.areas_in(parent civic.gsscode, level pg_catalog.text, vintage pg_catalog.int4 DEFAULT NULL)
    RETURNS SETOF civic.gsscode
    LANGUAGE sql STABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 30
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT b.code FROM civic.boundary b
     WHERE b.level OPERATOR(pg_catalog.=) $2
       AND b.vintage OPERATOR(pg_catalog.=) civic.boundary_vintage($2, $3)
       AND b.parent OPERATOR(civic.=) $1
     ORDER BY b.code
$$;
COMMENT ON FUNCTION civic.areas_in(civic.gsscode, pg_catalog.text, pg_catalog.int4) IS
    'codes of the areas of this level and vintage (NULL: newest) whose parent is the given area, in code order';

-- neighbours calls PostGIS, whose schema is fixed in its search_path here.
DO $neighbours$
BEGIN
    EXECUTE pg_catalog.format($f$
CREATE FUNCTION civic.neighbours(code civic.gsscode, vintage pg_catalog.int4 DEFAULT NULL)
    RETURNS SETOF civic.gsscode
    LANGUAGE sql STABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 6
    SET search_path = pg_catalog, %I, pg_temp
    AS $body$
    WITH a AS (
        SELECT b.level, b.vintage, b.geom FROM civic.boundary b
         WHERE b.code OPERATOR(civic.=) $1
           AND ($2 IS NULL OR b.vintage OPERATOR(pg_catalog.=) $2 OR b.vintage OPERATOR(pg_catalog.=) 0)
         ORDER BY b.vintage DESC, b.level LIMIT 1)
    SELECT n.code FROM a JOIN civic.boundary n
        ON n.level OPERATOR(pg_catalog.=) a.level
       AND n.vintage OPERATOR(pg_catalog.=) a.vintage
       AND n.code OPERATOR(civic.<>) $1
       AND ST_DWithin(n.geom, a.geom, 0.01)
     ORDER BY n.code
$body$$f$,
        (SELECT n.nspname
           FROM pg_catalog.pg_extension e
           JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
          WHERE e.extname OPERATOR(pg_catalog.=) 'postgis'));
END
$neighbours$;
COMMENT ON FUNCTION civic.neighbours(civic.gsscode, pg_catalog.int4) IS
    'codes of the areas of the same level and vintage whose polygons touch this one (within 1 cm, corners included), in code order';
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
    'Half-width of a confidence interval of civic.dp_avg over n rows (use the noisy count for n); a union bound over its two noises.';
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
-- Per-person sum and mean under the names dp_sum and dp_avg, with the
-- privacy unit first: the same aggregates as dp_sum_per_unit and
-- dp_avg_per_unit.  With a non-numeric unit (text, uuid, date, ...) or with
-- the delta argument they resolve unambiguously.  A five-argument call whose
-- unit is a number resolves to the row-level dp_sum(value, lower, upper,
-- epsilon, delta) (PostgreSQL prefers float8 for a number), which then
-- refuses the call because its bounds are not constants: write
-- dp_sum_per_unit / dp_avg_per_unit for numeric units.
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
    'Differentially private sum with per-person bounding: each unit''s total is clamped to [lower, upper] before discrete Laplace noise (same as dp_sum_per_unit).';
COMMENT ON AGGREGATE civic.dp_sum(anyelement, float8, float8, float8, float8, float8) IS
    'Differentially private sum with per-person bounding and discrete Gaussian noise (same as dp_sum_per_unit).';
COMMENT ON AGGREGATE civic.dp_avg(anyelement, float8, float8, float8, float8) IS
    'Differentially private mean over units of each unit''s own mean, clamped to [lower, upper] (same as dp_avg_per_unit).';
COMMENT ON AGGREGATE civic.dp_avg(anyelement, float8, float8, float8, float8, float8) IS
    'Differentially private mean over units with discrete Gaussian noise (same as dp_avg_per_unit).';
-- Privacy budget: per-role, per-dataset budgets enforced in the server.
--
-- Needs civic in shared_preload_libraries (shared memory and the executor
-- hook that charges every query using a differential-privacy aggregate);
-- without it the DP aggregates refuse to run.  Budgets, declarations and
-- charges live in shared memory and the durable, append-only ledger file
-- $PGDATA/pg_civic/ledger -- not in tables -- so no transaction can undo a
-- charge and no analyst can edit or truncate it.

-- Budget administrators: members of this role (and superusers).  Roles are
-- cluster-wide, so it is created once and shared by every database.
DO $budget$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'civic_budget_admin') THEN
        CREATE ROLE civic_budget_admin NOLOGIN;
        COMMENT ON ROLE civic_budget_admin IS 'civic: members set, raise and reset privacy budgets and see every role''s spending';
    END IF;
END
$budget$;

-- Analysts call civic's aggregates and read their own budgets and ledger:
-- they need to reach the schema.  (Raw tables stay protected by their own
-- privileges; privileges on civic's objects are granted one by one.)
GRANT USAGE ON SCHEMA civic TO PUBLIC;

CREATE FUNCTION civic.set_budget(role pg_catalog.regrole, dataset pg_catalog.text,
                                 epsilon pg_catalog.float8,
                                 delta pg_catalog.float8 DEFAULT 0)
RETURNS void
AS 'MODULE_PATHNAME', 'civic_set_budget'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION civic.set_budget(pg_catalog.regrole, pg_catalog.text, pg_catalog.float8, pg_catalog.float8) IS
'set the total epsilon and delta a role may spend on a dataset (a declared dataset name, or a table); infinity means unlimited; takes effect at once and is not undone by ROLLBACK; budget administrators only';

CREATE FUNCTION civic.set_default_budget(role pg_catalog.regrole,
                                         epsilon pg_catalog.float8,
                                         delta pg_catalog.float8 DEFAULT 0)
RETURNS void
AS 'MODULE_PATHNAME', 'civic_set_default_budget'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION civic.set_default_budget(pg_catalog.regrole, pg_catalog.float8, pg_catalog.float8) IS
'set the budget a role has on each dataset of this database that has no budget of its own (each dataset is spent separately); budget administrators only';

CREATE FUNCTION civic.reset_budget(role pg_catalog.regrole, dataset pg_catalog.text)
RETURNS void
AS 'MODULE_PATHNAME', 'civic_reset_budget'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION civic.reset_budget(pg_catalog.regrole, pg_catalog.text) IS
'forget what a role has spent on a dataset (the ledger keeps the charges); budget administrators only';

CREATE FUNCTION civic.declare_dataset(name pg_catalog.text, tables pg_catalog.regclass[],
                                      max_groups_per_unit pg_catalog.int4 DEFAULT 1)
RETURNS void
AS 'MODULE_PATHNAME', 'civic_declare_dataset'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION civic.declare_dataset(pg_catalog.text, pg_catalog.regclass[], pg_catalog.int4) IS
'declare a named dataset as a group of tables sharing one budget, with the number of GROUP BY groups one person can reach (max_groups_per_unit); redeclaring replaces the tables; budget administrators only';

CREATE FUNCTION civic.budget_remaining(dataset pg_catalog.text,
                                       OUT epsilon pg_catalog.float8,
                                       OUT delta pg_catalog.float8)
AS 'MODULE_PATHNAME', 'civic_budget_remaining'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION civic.budget_remaining(pg_catalog.text) IS
'epsilon and delta the session role may still spend on a dataset';

CREATE FUNCTION civic.budget_remaining(dataset pg_catalog.text, role pg_catalog.regrole,
                                       OUT epsilon pg_catalog.float8,
                                       OUT delta pg_catalog.float8)
AS 'MODULE_PATHNAME', 'civic_budget_remaining'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION civic.budget_remaining(pg_catalog.text, pg_catalog.regrole) IS
'epsilon and delta a role may still spend on a dataset; other roles than the session role need a budget administrator';

CREATE FUNCTION civic.privacy_ledger_rows(
    OUT role pg_catalog.regrole, OUT dataset pg_catalog.text,
    OUT "time" pg_catalog.timestamptz, OUT epsilon pg_catalog.float8,
    OUT delta pg_catalog.float8, OUT mechanism pg_catalog.text,
    OUT aggregate pg_catalog.text, OUT query_id pg_catalog.int8,
    OUT query pg_catalog.text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'civic_privacy_ledger'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION civic.privacy_ledger_rows() IS
'charges of the privacy ledger of this database: the session role''s own, or everyone''s for a budget administrator';

CREATE VIEW civic.privacy_ledger AS
    SELECT role, dataset, "time", epsilon, delta, mechanism, aggregate, query_id, query
      FROM civic.privacy_ledger_rows();
GRANT SELECT ON civic.privacy_ledger TO PUBLIC;
COMMENT ON VIEW civic.privacy_ledger IS
'one row per charge: role, dataset, time, epsilon and delta charged, mechanism, aggregate, query identifier and text; each role sees its own, budget administrators everyone''s';

CREATE FUNCTION civic.privacy_budget_rows(
    OUT role pg_catalog.regrole, OUT dataset pg_catalog.text,
    OUT epsilon_budget pg_catalog.float8, OUT delta_budget pg_catalog.float8,
    OUT epsilon_spent pg_catalog.float8, OUT delta_spent pg_catalog.float8,
    OUT epsilon_remaining pg_catalog.float8, OUT delta_remaining pg_catalog.float8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'civic_privacy_budgets'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION civic.privacy_budget_rows() IS
'budget accounts of this database: the session role''s own, or everyone''s for a budget administrator';

CREATE VIEW civic.privacy_budgets AS
    SELECT role, dataset, epsilon_budget, delta_budget, epsilon_spent, delta_spent,
           epsilon_remaining, delta_remaining
      FROM civic.privacy_budget_rows();
GRANT SELECT ON civic.privacy_budgets TO PUBLIC;
COMMENT ON VIEW civic.privacy_budgets IS
'budget, spending and remainder per role and dataset ("(default)" rows are a role''s default budget); each role sees its own, budget administrators everyone''s';

CREATE FUNCTION civic.is_budget_admin()
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'civic_is_budget_admin_sql'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION civic.is_budget_admin() IS
'whether the current role may manage privacy budgets (superuser or member of civic_budget_admin)';

CREATE FUNCTION civic.check_private_view(view pg_catalog.regclass, analysts pg_catalog.regrole[])
RETURNS void
AS 'MODULE_PATHNAME', 'civic_check_private_view'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION civic.check_private_view(pg_catalog.regclass, pg_catalog.regrole[]) IS
'raise an error unless a view shows only differentially-private aggregates (and GROUP BY keys from tables the analysts can read) and is a security_barrier view';

-- Runs with the caller's rights and search_path, so that the definition is
-- read as the administrator wrote it; every name in the body is qualified.
CREATE FUNCTION civic.create_private_view(view_name pg_catalog.text, definition pg_catalog.text,
                                          VARIADIC analysts pg_catalog.regrole[])
RETURNS pg_catalog.regclass
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
AS $fn$
DECLARE
    v pg_catalog.regclass;
    a pg_catalog.regrole;
BEGIN
    IF NOT civic.is_budget_admin() THEN
        RAISE EXCEPTION 'permission denied to create private views'
            USING ERRCODE = '42501',
                  DETAIL = 'Only superusers and members of role "civic_budget_admin" create private views.';
    END IF;
    EXECUTE pg_catalog.format('CREATE VIEW %s WITH (security_barrier) AS %s',
                              (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(p), '.')
                                 FROM pg_catalog.unnest(pg_catalog.parse_ident(view_name)) AS p),
                              definition);
    v := pg_catalog.to_regclass(view_name);
    PERFORM civic.check_private_view(v, analysts);
    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', v);
    FOREACH a IN ARRAY analysts LOOP
        EXECUTE pg_catalog.format('GRANT SELECT ON %s TO %s', v, a);
    END LOOP;
    RETURN v;
END
$fn$;
COMMENT ON FUNCTION civic.create_private_view(pg_catalog.text, pg_catalog.text, VARIADIC pg_catalog.regrole[]) IS
'create a security_barrier view owned by the caller whose columns are differentially-private aggregates, and grant SELECT on it to the analysts only; budget administrators only';
