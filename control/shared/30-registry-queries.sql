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
