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
