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
-- The packed int64 is never negative and orders by easting, then northing,
-- so comparison and hashing are core's int8 functions (LANGUAGE internal, as
-- contrib/isn and civic.gsscode).  Distance, box and circle containment and
-- the GiST support work on the two halves, not on the int64, and are C.

CREATE FUNCTION civic.bng_eq(civic.bng, civic.bng) RETURNS pg_catalog.bool
    AS 'int8eq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_eq(civic.bng, civic.bng) IS 'implementation of = for bng';
CREATE FUNCTION civic.bng_ne(civic.bng, civic.bng) RETURNS pg_catalog.bool
    AS 'int8ne' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_ne(civic.bng, civic.bng) IS 'implementation of <> for bng';
CREATE FUNCTION civic.bng_lt(civic.bng, civic.bng) RETURNS pg_catalog.bool
    AS 'int8lt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_lt(civic.bng, civic.bng) IS 'implementation of < for bng (easting, then northing)';
CREATE FUNCTION civic.bng_le(civic.bng, civic.bng) RETURNS pg_catalog.bool
    AS 'int8le' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_le(civic.bng, civic.bng) IS 'implementation of <= for bng (easting, then northing)';
CREATE FUNCTION civic.bng_gt(civic.bng, civic.bng) RETURNS pg_catalog.bool
    AS 'int8gt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_gt(civic.bng, civic.bng) IS 'implementation of > for bng (easting, then northing)';
CREATE FUNCTION civic.bng_ge(civic.bng, civic.bng) RETURNS pg_catalog.bool
    AS 'int8ge' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_ge(civic.bng, civic.bng) IS 'implementation of >= for bng (easting, then northing)';

CREATE FUNCTION civic.bng_cmp(civic.bng, civic.bng) RETURNS pg_catalog.int4
    AS 'btint8cmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_cmp(civic.bng, civic.bng) IS 'btree comparison of bng (easting, then northing)';
CREATE FUNCTION civic.bng_sortsupport(pg_catalog.internal) RETURNS pg_catalog.void
    AS 'btint8sortsupport' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_sortsupport(pg_catalog.internal) IS 'btree sort support for bng';
CREATE FUNCTION civic.bng_hash(civic.bng) RETURNS pg_catalog.int4
    AS 'hashint8' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_hash(civic.bng) IS 'hash of a bng point';
CREATE FUNCTION civic.bng_hash_extended(civic.bng, pg_catalog.int8) RETURNS pg_catalog.int8
    AS 'hashint8extended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
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
-- The SQL wrappers have SQL-standard bodies (RETURN ...): every name in them
-- is resolved once, here, and stored as a reference to that very object, so
-- nothing a caller's search_path holds (or a role with CREATE on a schema
-- adds later) can change what they call, and they can still be inlined.
-- PostGIS's functions are named with the schema PostGIS is installed in
-- (PostgreSQL 15 has no @extschema:postgis@, so it is spliced in below) and
-- called with their exact argument types.

CREATE FUNCTION civic.bng_to_ewkb(civic.bng) RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME', 'bng_to_ewkb' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_to_ewkb(civic.bng) IS
    'EWKB of the point as a PostGIS POINT with SRID 27700';
CREATE FUNCTION civic.bng_from_ewkb(pg_catalog.bytea) RETURNS civic.bng
    AS 'MODULE_PATHNAME', 'bng_from_ewkb' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_from_ewkb(pg_catalog.bytea) IS
    'bng point from the (E)WKB of a POINT in SRID 27700 or without SRID (Z and M ignored)';
-- @include control/shared/20-bng-postgis.sql

CREATE CAST (civic.bng AS geometry)
    WITH FUNCTION civic.bng_to_geometry(civic.bng) AS ASSIGNMENT;
COMMENT ON CAST (civic.bng AS geometry) IS
    'bng point as a PostGIS POINT with SRID 27700';
CREATE CAST (geometry AS civic.bng)
    WITH FUNCTION civic.bng(geometry);
COMMENT ON CAST (geometry AS civic.bng) IS
    'PostGIS point (transformed to SRID 27700 if needed) as a bng point';

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
