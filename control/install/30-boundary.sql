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

-- Validity of each polygon (OGC rules, PostGIS ST_IsValidDetail), computed
-- when a row is written: two shipped 2014 wards are invalid as published
-- and kept as published (docs/boundaries.md).  Generated columns, so user
-- rows get them too; their expressions are bound here, with PostGIS's
-- schema spliced in and exact argument types.
-- @include control/shared/30-boundary-validity.sql

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

-- @include control/shared/30-registry-queries.sql
