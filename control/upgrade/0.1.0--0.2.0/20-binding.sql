-- Call-time name binding (issue 8, section 4; control/install/20-bng.sql and
-- 30-boundary.sql): every SQL function of civic gets a body bound at install
-- time (RETURN / BEGIN ATOMIC), PostGIS's functions named with PostGIS's
-- schema and exact argument types, no SET search_path naming a schema that
-- others can write.  CREATE OR REPLACE keeps each function's identity, so the
-- casts and any user view that call it stay valid (a DROP would fail on them);
-- each function replaced here is already a member of civic.

-- Points headed for ST_Transform are checked first (NaN, infinities, degrees
-- out of range: 22023/22003 instead of PostGIS's XX000), and PROJ's own
-- internal errors get a standard SQLSTATE (civic.bng_transform, which calls
-- the ST_Transform whose OID civic.bng(geometry) binds).
CREATE FUNCTION civic.bng_transformable(pg_catalog.bytea) RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME', 'bng_transformable' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.bng_transformable(pg_catalog.bytea) IS
    'the EWKB of a point, unchanged, once checked fit for ST_Transform: a non-empty point with finite coordinates, longitude and latitude within range in a longitude/latitude SRID (22023/22003 otherwise)';

DO $postgis$
DECLARE
    -- PostGIS's schema, and its ST_Transform(geometry, integer) for a regprocedure constant
    g CONSTANT pg_catalog.text := (SELECT n.nspname
                                     FROM pg_catalog.pg_extension e
                                     JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
                                    WHERE e.extname OPERATOR(pg_catalog.=) 'postgis');
    transform CONSTANT pg_catalog.text := pg_catalog.format('%I.st_transform(%I.geometry, pg_catalog.int4)', g, g);
BEGIN
    EXECUTE pg_catalog.format($sql$
CREATE FUNCTION civic.bng_transform(%1$I.geometry, pg_catalog.regprocedure) RETURNS %1$I.geometry
    AS 'MODULE_PATHNAME', 'bng_transform' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION civic.bng_transform(%1$I.geometry, pg_catalog.regprocedure, pg_catalog.int4) RETURNS %1$I.geometry
    AS 'MODULE_PATHNAME', 'bng_transform' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
$sql$, g);
    EXECUTE pg_catalog.format($sql$
CREATE OR REPLACE FUNCTION civic.bng_to_geometry(civic.bng) RETURNS %1$I.geometry
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN %1$I.st_geomfromewkb(civic.bng_to_ewkb($1));

CREATE OR REPLACE FUNCTION civic.bng(%1$I.geometry) RETURNS civic.bng
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN civic.bng_from_ewkb(
        CASE WHEN %1$I.st_srid($1) OPERATOR(pg_catalog.=) 27700
                  OR %1$I.st_srid($1) OPERATOR(pg_catalog.=) 0
             THEN %1$I.st_asewkb($1)
             ELSE %1$I.st_asewkb(civic.bng_transform(
                      %1$I.st_geomfromewkb(civic.bng_transformable(%1$I.st_asewkb($1))),
                      %2$L::pg_catalog.regprocedure))
        END);

CREATE OR REPLACE FUNCTION civic.bng_from_lonlat(lon pg_catalog.float8, lat pg_catalog.float8) RETURNS civic.bng
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN civic.bng_from_ewkb(%1$I.st_asewkb(civic.bng_transform(
               %1$I.st_geomfromewkb(civic.bng_transformable(
                   %1$I.st_asewkb(%1$I.st_setsrid(%1$I.st_makepoint(lon, lat), 4326)))),
               %2$L::pg_catalog.regprocedure)));
$sql$, g, transform);
END
$postgis$;
COMMENT ON FUNCTION civic.bng_transform(geometry, pg_catalog.regprocedure) IS
    'a point transformed to SRID 27700 by the given function, which must be PostGIS''s ST_Transform(geometry, integer) (civic.bng(geometry) binds it at install time); PROJ''s internal errors become 22003 (outside the SRID''s domain) or 22023';
COMMENT ON FUNCTION civic.bng_transform(geometry, pg_catalog.regprocedure, pg_catalog.int4) IS
    'a point transformed to the given SRID by the given function, which must be PostGIS''s ST_Transform(geometry, integer) (civic.bng_to_lonlat binds it at install time); PROJ''s internal errors become 22003 or 22023';
COMMENT ON FUNCTION civic.bng_to_geometry(civic.bng) IS
    'PostGIS POINT (SRID 27700) of a bng point';
COMMENT ON FUNCTION civic.bng(geometry) IS
    'bng point of a PostGIS point: SRID 27700 or 0 taken as is, any other SRID transformed to 27700; non-points, empty points, NaN and infinite coordinates refused';
COMMENT ON FUNCTION civic.bng_from_lonlat(pg_catalog.float8, pg_catalog.float8) IS
    'bng point of a WGS 84 longitude/latitude (EPSG:4326), transformed by PostGIS ST_Transform; NaN (22023), infinite or out-of-range degrees (22003) refused';


-- Registry queries: string bodies with SET search_path become bound bodies
-- (the SET clause goes: CREATE OR REPLACE sets every property anew), with
-- 0.2.0's year -> vintage rule (control/install/30-boundary.sql): area_name,
-- parent_of and neighbours resolve a year with civic.boundary_vintage on the
-- code's level, as the point lookups, areas_in, the name and crosswalk
-- functions and the maps do (a year = the boundaries in force then; before
-- the first vintage: 22023).

CREATE OR REPLACE FUNCTION civic.area_name(code civic.gsscode, vintage pg_catalog.int4 DEFAULT NULL)
    RETURNS pg_catalog.text
    LANGUAGE sql STABLE CALLED ON NULL INPUT PARALLEL SAFE
BEGIN ATOMIC
    SELECT b.name FROM civic.boundary b
     WHERE b.code OPERATOR(civic.=) area_name.code
       AND (area_name.vintage IS NULL
            OR b.vintage OPERATOR(pg_catalog.=) civic.boundary_vintage(b.level, area_name.vintage))
     ORDER BY b.vintage DESC, b.level LIMIT 1;
END;
COMMENT ON FUNCTION civic.area_name(civic.gsscode, pg_catalog.int4) IS
    'name of the area with this code at this vintage (a year: the boundaries of its level in force then, as civic.boundary_vintage); NULL if the code was not an area then; NULL vintage: the code''s newest vintage';

CREATE OR REPLACE FUNCTION civic.parent_of(code civic.gsscode, vintage pg_catalog.int4 DEFAULT NULL)
    RETURNS civic.gsscode
    LANGUAGE sql STABLE CALLED ON NULL INPUT PARALLEL SAFE
BEGIN ATOMIC
    SELECT b.parent FROM civic.boundary b
     WHERE b.code OPERATOR(civic.=) parent_of.code
       AND (parent_of.vintage IS NULL
            OR b.vintage OPERATOR(pg_catalog.=) civic.boundary_vintage(b.level, parent_of.vintage))
     ORDER BY b.vintage DESC, b.level LIMIT 1;
END;
COMMENT ON FUNCTION civic.parent_of(civic.gsscode, pg_catalog.int4) IS
    'code of the enclosing area (a ward''s borough, a borough''s region) at this vintage (a year: the boundaries of its level in force then, as civic.boundary_vintage); NULL vintage: the code''s newest vintage';

CREATE OR REPLACE FUNCTION civic.areas_in(parent civic.gsscode, level pg_catalog.text, vintage pg_catalog.int4 DEFAULT NULL)
    RETURNS SETOF civic.gsscode
    LANGUAGE sql STABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 30
BEGIN ATOMIC
    SELECT b.code FROM civic.boundary b
     WHERE b.level OPERATOR(pg_catalog.=) areas_in.level
       AND b.vintage OPERATOR(pg_catalog.=) civic.boundary_vintage(areas_in.level, areas_in.vintage)
       AND b.parent OPERATOR(civic.=) areas_in.parent
     ORDER BY b.code;
END;
COMMENT ON FUNCTION civic.areas_in(civic.gsscode, pg_catalog.text, pg_catalog.int4) IS
    'codes of the areas of this level and vintage (NULL: newest; a year: the boundaries in force then, as civic.boundary_vintage) whose parent is the given area, in code order';

DO $neighbours$
BEGIN
    EXECUTE pg_catalog.format($f$
CREATE OR REPLACE FUNCTION civic.neighbours(code civic.gsscode, vintage pg_catalog.int4 DEFAULT NULL)
    RETURNS SETOF civic.gsscode
    LANGUAGE sql STABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 6
BEGIN ATOMIC
    WITH a AS (
        SELECT b.level, b.vintage, b.geom FROM civic.boundary b
         WHERE b.code OPERATOR(civic.=) neighbours.code
           AND (neighbours.vintage IS NULL
                OR b.vintage OPERATOR(pg_catalog.=) civic.boundary_vintage(b.level, neighbours.vintage))
         ORDER BY b.vintage DESC, b.level LIMIT 1)
    SELECT n.code FROM a JOIN civic.boundary n
        ON n.level OPERATOR(pg_catalog.=) a.level
       AND n.vintage OPERATOR(pg_catalog.=) a.vintage
       AND n.code OPERATOR(civic.<>) neighbours.code
       AND %1$I.st_dwithin(n.geom, a.geom, 0.01::pg_catalog.float8)
     ORDER BY n.code;
END$f$,
        (SELECT n.nspname
           FROM pg_catalog.pg_extension e
           JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
          WHERE e.extname OPERATOR(pg_catalog.=) 'postgis'));
END
$neighbours$;
COMMENT ON FUNCTION civic.neighbours(civic.gsscode, pg_catalog.int4) IS
    'codes of the areas of the same level and vintage (a year: the boundaries in force then, as civic.boundary_vintage; NULL: the code''s newest vintage) whose polygons touch this one (within 1 cm, corners included), in code order';
