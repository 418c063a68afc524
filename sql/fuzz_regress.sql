-- Inputs the fuzz targets (test/fuzz/) found a problem with, replayed through
-- SQL: each now gives a clear error with its SQLSTATE, or the right answer.
SET search_path = public, civic;
\set VERBOSITY sqlstate

-- ewkb_index: a boundary polygon with a NaN, infinite or absurdly large
-- vertex made the lookup grid's arithmetic undefined (a NaN or infinite
-- double converted to int; for 1e200 an internal "invalid memory alloc
-- request size" error).  The index build now refuses it with 22023.
BEGIN;
INSERT INTO civic.boundary (vintage, level, code, geom) VALUES
  (2091, 'fuzz_nan', 'E05000001', ST_GeomFromText('MULTIPOLYGON(((0 0,NaN 0,1 1,0 0)))', 27700)),
  -- (PostGIS's WKT parser refuses Infinity; its EWKB reader takes it)
  (2091, 'fuzz_inf', 'E05000002', ST_GeomFromEWKB(decode('0106000020346c0000010000000103000000010000000400000000000000000000000000000000000000000000000000f07f0000000000000000000000000000f03f000000000000f03f00000000000000000000000000000000', 'hex'))),
  (2091, 'fuzz_huge', 'E05000003', ST_GeomFromText('MULTIPOLYGON(((0 0,1e200 0,1e200 1e200,0 0)))', 27700)),
  (2091, 'fuzz_ok', 'E05000004', ST_GeomFromText('MULTIPOLYGON(((0 0,1e9 0,1e9 1e9,0 0)))', 27700));
SAVEPOINT s;
SELECT civic.area_of('1 1'::civic.bng, 'fuzz_nan', 2091);
ROLLBACK TO s;
SELECT civic.area_of('1 1'::civic.bng, 'fuzz_inf', 2091);
ROLLBACK TO s;
SELECT civic.area_of('1 1'::civic.bng, 'fuzz_huge', 2091);
ROLLBACK TO s;
-- large but finite coordinates still index
SELECT civic.area_of('600000 1'::civic.bng, 'fuzz_ok', 2091) AS inside,
       civic.area_of('1 600000'::civic.bng, 'fuzz_ok', 2091) IS NULL AS outside;

-- ewkb_index: a nearly horizontal edge (its slope overflows to infinity)
-- made the cells it crosses depend on converting an infinite double to int.
-- The point (5, 0) lies just below the first polygon's bottom edge and on
-- the second's: it belongs to the second.
INSERT INTO civic.boundary (vintage, level, code, geom) VALUES
  (2091, 'fuzz_flat', 'E05000005',
   ST_GeomFromText('MULTIPOLYGON(((0 0,10 4e-314,10 10,0 10,0 0)))', 27700)),
  (2091, 'fuzz_flat', 'E05000006',
   ST_GeomFromText('MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0)))', 27700));
SELECT civic.area_of('5 0'::civic.bng, 'fuzz_flat', 2091) AS on_the_edge,
       civic.area_of('5 5'::civic.bng, 'fuzz_flat', 2091) AS inside_both;
ROLLBACK;
