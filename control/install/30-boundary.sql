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
DO $validity$
BEGIN
    EXECUTE pg_catalog.format($sql$
ALTER TABLE civic.boundary
    ADD COLUMN valid pg_catalog.bool
        GENERATED ALWAYS AS ((%1$I.st_isvaliddetail(geom, 0)).valid) STORED,
    ADD COLUMN invalid_reason pg_catalog.text
        GENERATED ALWAYS AS (NULLIF(%1$I.st_isvalidreason(geom), 'Valid Geometry'::pg_catalog.text)) STORED
$sql$,
        (SELECT n.nspname
           FROM pg_catalog.pg_extension e
           JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
          WHERE e.extname OPERATOR(pg_catalog.=) 'postgis'));
END
$validity$;
COMMENT ON COLUMN civic.boundary.valid IS
    'whether the polygon is valid by the OGC rules (PostGIS ST_IsValid); computed when the row is written';
COMMENT ON COLUMN civic.boundary.invalid_reason IS
    'why the polygon is invalid (PostGIS ST_IsValidReason, with the location), NULL when valid; computed when the row is written';

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
-- SQL-standard bodies (BEGIN ATOMIC): parsed and bound once, here; every
-- function, operator and relation in them is stored as a reference to that
-- object, so no search_path and no look-alike created later in a writable
-- schema can change what they run.  They need no SET search_path, so the
-- planner can inline them into the calling query.

CREATE FUNCTION civic.area_name(code civic.gsscode, vintage pg_catalog.int4 DEFAULT NULL)
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

CREATE FUNCTION civic.parent_of(code civic.gsscode, vintage pg_catalog.int4 DEFAULT NULL)
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

CREATE FUNCTION civic.areas_in(parent civic.gsscode, level pg_catalog.text, vintage pg_catalog.int4 DEFAULT NULL)
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

-- neighbours calls PostGIS's ST_DWithin(geometry, geometry, float8), named
-- with PostGIS's schema and its exact argument types (the distance is a
-- float8, not a numeric literal that a look-alike could match better).
DO $neighbours$
BEGIN
    EXECUTE pg_catalog.format($f$
CREATE FUNCTION civic.neighbours(code civic.gsscode, vintage pg_catalog.int4 DEFAULT NULL)
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
