-- civic.boundary and the point lookups: shipped data, agreement with PostGIS
-- ST_Covers (inside, on edges, on vertices, in holes, outside) for every
-- vintage, the shared-edge rule, cache invalidation, parallel plans, errors.
SET search_path = public, civic;
-- (JIT makes the ST_Covers comparison below many times slower)
SET jit = off;

-- ---------------------------------------------------------------- shipped data
-- 4 ward vintages (City of London as its 25 wards), 33 boroughs and the region.
SELECT vintage, level, count(*) AS n, bool_and(shipped) AS shipped,
       bool_and(ST_SRID(geom) = 27700) AS bng,
       count(*) FILTER (WHERE code::text LIKE 'E05%') AS e05,
       count(*) FILTER (WHERE parent IS NULL) AS no_parent
  FROM civic.boundary GROUP BY vintage, level ORDER BY vintage, level;
SELECT vintage, count(*) AS city_wards
  FROM civic.boundary WHERE level = 'ward' AND parent = 'E09000001'
 GROUP BY vintage ORDER BY vintage;
-- every ward's parent is a shipped borough, every borough's the region
SELECT count(*) AS orphan_wards FROM civic.boundary w
 WHERE w.level = 'ward'
   AND NOT EXISTS (SELECT 1 FROM civic.boundary b
                    WHERE b.level = 'borough' AND b.code = w.parent);
SELECT bool_and(parent = 'E12000007') AS boroughs_in_london
  FROM civic.boundary WHERE level = 'borough';
-- pg_dump keeps only rows a user added
SELECT c.relname, u.extcondition
  FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS u(oid, extcondition)
  JOIN pg_class c ON c.oid = u.oid
 WHERE e.extname = 'civic' AND c.relname = 'boundary';

-- ---------------------------------------------------------------- lookups
-- St James's Park (Westminster): one ward per vintage, the 2022 one re-coded
SELECT v, civic.ward_of(civic.bng(530043.19, 180358.21), v) AS ward,
       civic.area_name(civic.ward_of(civic.bng(530043.19, 180358.21), v), v) AS name
  FROM unnest(ARRAY[2011, 2014, 2018, 2022]) v;
SELECT civic.ward_of(civic.bng(530043.19, 180358.21)) AS newest_ward,
       civic.borough_of(civic.bng(530043.19, 180358.21)) AS borough,
       civic.borough_of(civic.bng(530043.19, 180358.21), 2014) AS borough_2014,
       civic.area_of(civic.bng(530043.19, 180358.21), 'region') AS region,
       civic.area_of('SRID=27700;POINT(530043.19 180358.21)'::geometry, 'ward', 2018) AS ward_2018;
-- outside London, and not a point
SELECT civic.ward_of(civic.bng(400000, 300000)) IS NULL AS outside,
       civic.borough_of('SRID=27700;POINT(400000 300000)'::geometry) IS NULL AS outside_geom,
       civic.ward_of('SRID=27700;POINT EMPTY'::geometry) IS NULL AS empty,
       civic.ward_of(NULL::civic.bng) IS NULL AS null_point,
       civic.ward_of(civic.bng(530043.19, 180358.21), NULL) = civic.ward_of(civic.bng(530043.19, 180358.21)) AS null_vintage_is_newest;
-- vintage resolution: newest, exact, or vintage-independent (0)
SELECT civic.boundary_vintage('ward') AS ward_newest,
       civic.boundary_vintage('ward', 2014) AS ward_2014,
       civic.boundary_vintage('borough', 2018) AS borough_2018,
       civic.boundary_vintage('region') AS region;

-- ---------------------------------------------------------------- errors
SELECT civic.ward_of(civic.bng(530000, 180000), 2016);
SELECT civic.area_of(civic.bng(530000, 180000), 'lsoa', 2021);
SELECT civic.area_of(civic.bng(530000, 180000), '');
SELECT civic.ward_of('SRID=27700;LINESTRING(530000 180000, 530100 180100)'::geometry);
SELECT civic.ward_of('SRID=4326;POINT(-0.13 51.5)'::geometry);
SELECT civic.boundary_invalidate();

-- ---------------------------------------------------------------- vs ST_Covers
-- Test points per vintage: quasi-random points over London and beyond
-- (inside and outside), every 41st vertex (shared vertices: several wards
-- cover them), points at 0.5 and 0.3 along every 61st edge (on shared edges).
-- civic must give the smallest code among the polygons PostGIS's ST_Covers
-- says cover the point, and NULL where none does.
CREATE TEMP TABLE t_pts AS
SELECT v.vintage, 'grid' AS kind,
       ST_SetSRID(ST_MakePoint(500000 + 65000 * ((i * 0.6180339887498949)::numeric % 1)::float8,
                               152000 + 54000 * ((i * 0.7548776662466927)::numeric % 1)::float8), 27700) AS p
  FROM generate_series(1, 1500) i, (VALUES (2011), (2014), (2018), (2022)) v(vintage)
UNION ALL
SELECT vintage, 'vertex', (dp).geom
  FROM (SELECT vintage, ST_DumpPoints(geom) dp FROM civic.boundary WHERE level = 'ward') s
 WHERE (dp).path[3] % 41 = 0
UNION ALL
SELECT vintage, 'edge', ST_LineInterpolatePoint((ds).geom, f)
  FROM (SELECT vintage, ST_DumpSegments(geom) ds FROM civic.boundary WHERE level = 'ward') s,
       (VALUES (0.5), (0.3)) x(f)
 WHERE (ds).path[3] % 61 = 0;

CREATE TEMP TABLE t_cmp AS
SELECT t.vintage, t.kind, t.p, c.covering,
       civic.ward_of(t.p, t.vintage) AS civic_ward
  FROM t_pts t,
       LATERAL (SELECT array_agg(b.code::text ORDER BY b.code) AS covering
                  FROM civic.boundary b
                 WHERE b.vintage = t.vintage AND b.level = 'ward'
                   AND ST_Covers(b.geom, t.p)) c;

SELECT vintage, kind,
       count(*) > 100 AS enough_points,
       bool_and(civic_ward::text IS NOT DISTINCT FROM covering[1]) AS same_as_st_covers,
       count(*) FILTER (WHERE cardinality(covering) > 1) > 0 AS has_shared,
       count(*) FILTER (WHERE covering IS NULL) > 0 AS has_outside
  FROM t_cmp GROUP BY vintage, kind ORDER BY vintage, kind;
-- on shared edges the answer is one of the covering wards, the smallest
SELECT kind, count(*) > 0 AS some_shared,
       bool_and(civic_ward::text = ANY (covering)) AS one_of_them,
       bool_and(civic_ward::text <= ALL (covering)) AS smallest
  FROM t_cmp WHERE cardinality(covering) > 1 GROUP BY kind ORDER BY kind;
-- the bng overload agrees with the geometry one (bng holds millimetres)
SELECT bool_and(civic.ward_of(civic.bng(ST_X(p), ST_Y(p)), vintage)
                IS NOT DISTINCT FROM civic.ward_of(civic.bng(ST_X(p), ST_Y(p))::geometry, vintage)) AS bng_same
  FROM t_pts WHERE kind = 'grid';

-- boroughs and the region against ST_Covers on the grid points
SELECT l.level,
       bool_and(civic.area_of(t.p, l.level)::text IS NOT DISTINCT FROM
                (SELECT min(b.code::text) FROM civic.boundary b
                  WHERE b.level = l.level AND ST_Covers(b.geom, t.p))) AS same_as_st_covers,
       count(*) FILTER (WHERE civic.area_of(t.p, l.level) IS NULL) > 0 AS has_outside
  FROM t_pts t, (VALUES ('borough'), ('region')) l(level)
 WHERE t.kind = 'grid' AND t.vintage = 2018
 GROUP BY l.level ORDER BY l.level;

-- ---------------------------------------------------------------- holes
-- User rows of a test level: a square with a hole, an island in that hole,
-- a two-part area, and a square whose hole is left empty.
BEGIN;
INSERT INTO civic.boundary (vintage, level, code, name, geom) VALUES
 (1, 'test_hole', 'E05900002', 'ring',
  'SRID=27700;MULTIPOLYGON(((100000 100000,100100 100000,100100 100100,100000 100100,100000 100000),(100040 100040,100040 100060,100060 100060,100060 100040,100040 100040)))'),
 (1, 'test_hole', 'E05900001', 'island',
  'SRID=27700;MULTIPOLYGON(((100040 100040,100060 100040,100060 100060,100040 100060,100040 100040)))'),
 (1, 'test_hole', 'E05900003', 'two parts',
  'SRID=27700;MULTIPOLYGON(((100200 100000,100300 100000,100300 100100,100200 100100,100200 100000)),((100400 100000,100500 100000,100450 100080,100400 100000)))'),
 (1, 'test_hole', 'E05900004', 'empty hole',
  'SRID=27700;MULTIPOLYGON(((100600 100000,100700 100000,100700 100100,100600 100100,100600 100000),(100630 100030,100630 100070,100670 100070,100670 100030,100630 100030)))');
CREATE TEMP TABLE t_hole AS
SELECT what, ST_SetSRID(ST_MakePoint(x, y), 27700) AS p
  FROM (VALUES ('ring body', 100010, 100010), ('island', 100050, 100050),
               ('hole edge', 100040, 100050), ('hole corner', 100060, 100060),
               ('outer edge', 100100, 100050), ('outer corner', 100000, 100000),
               ('part 1', 100250, 100050), ('part 2', 100450, 100040),
               ('between parts', 100350, 100050), ('part 2 apex', 100450, 100080),
               ('empty hole', 100650, 100050), ('empty hole edge', 100630, 100050),
               ('outside', 99000, 99000)) v(what, x, y);
SELECT h.what, civic.area_of(h.p, 'test_hole', 1) AS civic,
       (SELECT array_agg(b.code::text ORDER BY b.code) FROM civic.boundary b
         WHERE b.level = 'test_hole' AND ST_Covers(b.geom, h.p)) AS st_covers,
       civic.area_of(h.p, 'test_hole', 1)::text IS NOT DISTINCT FROM
       (SELECT min(b.code::text) FROM civic.boundary b
         WHERE b.level = 'test_hole' AND ST_Covers(b.geom, h.p)) AS agree
  FROM t_hole h ORDER BY h.what;
ROLLBACK;

-- ---------------------------------------------------------------- cache invalidation
-- The same session sees a change at its next command, and again after ROLLBACK.
SELECT civic.ward_of(civic.bng(530043.19, 180358.21), 2018) AS before;
BEGIN;
UPDATE civic.boundary SET geom = ST_Translate(geom, 0, 100000)
 WHERE vintage = 2018 AND level = 'ward' AND code = 'E05000644';
SELECT civic.ward_of(civic.bng(530043.19, 180358.21), 2018) IS NULL AS moved_away,
       civic.ward_of(civic.bng(530043.19, 280358.21), 2018) AS moved_here;
INSERT INTO civic.boundary (vintage, level, code, name, parent, geom)
SELECT 2030, 'ward', code, name, parent, geom FROM civic.boundary
 WHERE vintage = 2018 AND level = 'ward' AND code = 'E05000644';
SELECT civic.boundary_vintage('ward') AS newest,
       civic.ward_of(civic.bng(530043.19, 280358.21)) AS newest_ward,
       civic.ward_of(civic.bng(530043.19, 180358.21)) IS NULL AS not_in_2030;
DELETE FROM civic.boundary WHERE vintage = 2030;
SELECT civic.boundary_vintage('ward') AS newest_again;
SAVEPOINT s;
TRUNCATE civic.boundary;
SELECT civic.ward_of(civic.bng(530043.19, 180358.21));
ROLLBACK TO SAVEPOINT s;
SELECT civic.ward_of(civic.bng(530043.19, 280358.21), 2018) AS still_moved;
ROLLBACK;
SELECT civic.ward_of(civic.bng(530043.19, 180358.21), 2018) AS after_rollback,
       civic.ward_of(civic.bng(530043.19, 280358.21), 2018) IS NULL AS gone;

-- ---------------------------------------------------------------- parallel
CREATE TEMP TABLE t_par AS
SELECT civic.bng(ST_X(p), ST_Y(p)) AS b FROM t_pts WHERE kind = 'grid';
-- temp tables are never scanned by workers: use a regular table
CREATE TABLE public.boundary_par_pts AS SELECT b FROM t_par;
ANALYZE public.boundary_par_pts;
SELECT count(civic.ward_of(b, 2018)) AS n, count(DISTINCT civic.ward_of(b, 2018)) AS wards,
       sum(hashtext(civic.ward_of(b, 2018)::text)) AS h
  FROM public.boundary_par_pts \gset serial_
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT count(civic.ward_of(b, 2018)), sum(hashtext(civic.ward_of(b, 2018)::text))
  FROM public.boundary_par_pts;
SELECT count(civic.ward_of(b, 2018)) = :serial_n AS same_count,
       sum(hashtext(civic.ward_of(b, 2018)::text)) = :serial_h AS same_wards
  FROM public.boundary_par_pts;
RESET ALL;
SET search_path = public, civic;
SET jit = off;
DROP TABLE public.boundary_par_pts;

-- ---------------------------------------------------------------- registry queries
SELECT civic.area_name('E05000644') AS newest_name, civic.area_name('E05000644', 2011) AS name_2011,
       civic.area_name('E09000001', 2018) AS borough, civic.area_name('E12000007') AS region,
       civic.area_name('E05999999') IS NULL AS unknown;
SELECT civic.parent_of('E05000644', 2018) AS ward_parent, civic.parent_of('E09000033') AS borough_parent,
       civic.parent_of('E12000007') IS NULL AS region_parent;
-- the wards of each borough add up to all wards, for every vintage
SELECT v, (SELECT count(*) FROM civic.boundary b, civic.areas_in(b.code, 'ward', v)
            WHERE b.level = 'borough') AS wards_by_borough,
       (SELECT count(*) FROM civic.boundary WHERE level = 'ward' AND vintage = v) AS wards
  FROM unnest(ARRAY[2011, 2014, 2018, 2022]) v;
SELECT count(*) AS city_wards_2022 FROM civic.areas_in('E09000001', 'ward', 2022);
SELECT count(*) AS boroughs FROM civic.areas_in('E12000007', 'borough');
-- neighbours: the City's neighbouring boroughs (the Thames separates it from
-- Southwark: boroughs are clipped to mean high water)
SELECT array_agg(n ORDER BY n) AS city_neighbours FROM civic.neighbours('E09000001') n;
-- neighbourhood is symmetric and never includes the area itself
SELECT bool_and(a.code = ANY (SELECT civic.neighbours(n, 2018))) AS symmetric,
       bool_and(n <> a.code) AS not_self, count(*) > 20 AS enough
  FROM (SELECT code FROM civic.boundary WHERE vintage = 2018 AND level = 'ward'
         ORDER BY code LIMIT 8) a, civic.neighbours(a.code, 2018) n;

-- ---------------------------------------------------------------- labels
SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args,
       p.provolatile, p.proparallel, p.proisstrict,
       obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'civic'
   AND p.proname IN ('ward_of', 'borough_of', 'area_of', 'area_name', 'parent_of',
                     'areas_in', 'neighbours', 'boundary_vintage', 'boundary_invalidate')
 ORDER BY 1, 2;
