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
CREATE FUNCTION civic.bng_to_geometry(civic.bng) RETURNS %1$I.geometry
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN %1$I.st_geomfromewkb(civic.bng_to_ewkb($1));

CREATE FUNCTION civic.bng(%1$I.geometry) RETURNS civic.bng
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN civic.bng_from_ewkb(
        CASE WHEN %1$I.st_srid($1) OPERATOR(pg_catalog.=) 27700
                  OR %1$I.st_srid($1) OPERATOR(pg_catalog.=) 0
             THEN %1$I.st_asewkb($1)
             ELSE %1$I.st_asewkb(civic.bng_transform(
                      %1$I.st_geomfromewkb(civic.bng_transformable(%1$I.st_asewkb($1))),
                      %2$L::pg_catalog.regprocedure))
        END);

CREATE FUNCTION civic.bng_from_lonlat(lon pg_catalog.float8, lat pg_catalog.float8) RETURNS civic.bng
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
