-- civic.bng: British National Grid points.
SET search_path = public, civic;
SET extra_float_digits = 0;

-- SQLSTATE and message (and detail) of a statement, or 'ok'.
CREATE FUNCTION pg_temp.err(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE FUNCTION pg_temp.err_detail(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text; h text;
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
    RETURN SQLSTATE || ': ' || SQLERRM || E'\n  detail: ' || d || E'\n  hint: ' || h;
END $$;

-- 1. Text input: every accepted form, output as 'E N' in metres.
SELECT input, input::bng AS bng
  FROM (VALUES ('530043.19 180358.21'), ('  530043.19   180358.21  '),
               (E'530043.19\t180358.21'), ('(530043.19,180358.21)'),
               ('( 530043.19 , 180358.21 )'), ('530043.19,180358.21'),
               ('530043.19, 180358.21'), ('530043.19 ,180358.21'),
               ('+530043.190 +180358.210'), ('530043. 180358'), ('.5 .25'),
               ('0 0'), ('700000 1300000'), ('-0 -0.0004'),
               ('530043.1234 180358.9995'), ('0.0005 0.00049'),
               ('TQ 30043 80358'), ('TQ3004380358'), ('tq 30043 80358'),
               ('Tq3004 8035'), ('TQ 3004 8035'), ('TQ 300 803'),
               ('TQ3080'), ('TQ 30 80'), ('TQ 3 8'), ('TQ38'), ('TQ'),
               ('  TQ  30043   80358 '), ('SV 00000 00000'), ('JM 99999 99999'))
       AS t(input);

-- Output has at most three decimals, no trailing zeros, and round-trips.
SELECT b::text, b::text::bng = b AS round_trip
  FROM (VALUES (bng(1.5, 2.25)), (bng(1.001, 2.010)), (bng(530043.999, 180358.1)),
               (bng(699999.999, 1299999.999))) AS t(b);

-- 2. Constructors and accessors.
SELECT bng(530043.19, 180358.21) = '530043.19 180358.21'::bng AS from_float,
       bng(530043.1904, 180358.2096) = '530043.19 180358.21'::bng AS rounded_to_mm,
       bng(0.0005, 0) = '0.001 0'::bng AS halves_away_from_zero,
       bng_easting('530043.19 180358.21') = 530043.19 AS easting,
       bng_northing('530043.19 180358.21') = 180358.21 AS northing,
       bng_easting(bng(1e-3 * 700000000, 0)) = 700000 AS max_easting;

-- 3. OS grid references.  Known 100 km squares (south-west corners).
SELECT sq, (sq || ' 0 0')::bng AS corner, bng_easting((sq || ' 0 0')::bng) = e
           AND bng_northing((sq || ' 0 0')::bng) = n AS ok
  FROM (VALUES ('SV', 0, 0), ('SW', 100000, 0), ('SZ', 400000, 0),
               ('TV', 500000, 0), ('TG', 600000, 300000), ('TQ', 500000, 100000),
               ('TL', 500000, 200000), ('SU', 400000, 100000), ('SJ', 300000, 300000),
               ('NT', 300000, 600000), ('NA', 0, 900000), ('HP', 400000, 1200000),
               ('HU', 400000, 1100000), ('HL', 0, 1200000), ('JM', 600000, 1200000),
               ('TW', 600000, 0)) AS t(sq, e, n);

-- The grid is 7 x 13 squares of 100 km: squares the letter layout names
-- beyond it are refused as input (22P02), whichever edge they lie beyond;
-- points on the grid's east or north edge belong to the last square.
SELECT sq, pg_temp.err(format('SELECT %L::civic.bng', sq)) AS result
  FROM (VALUES ('JH'), ('JN'), ('TX'), ('HF'), ('AA'), ('ZZ'), ('OX'), ('OV 1 1'), ('JJ 0 0')) AS t(sq);
SELECT pg_temp.err_detail($$SELECT 'JH'::civic.bng$$);
SELECT p, bng_gridref(p) AS gridref, bng_gridref(p, 0) AS square,
       bng_gridref(p)::bng <= p AND bng_gridref(p) = bng_gridref(bng_gridref(p)::bng) AS in_square
  FROM (VALUES ('700000 1300000'::bng), ('700000 0'), ('0 1300000'), ('699999.999 1299999.999'),
               ('600000 1299999'), ('699999 1200000'), ('500000 1300000'), ('700000 500000')) AS t(p);
-- every point of a square-corner grid, including both outer edges, has an
-- existing square whose reference reads back inside the grid
SELECT count(*) AS points,
       count(*) FILTER (WHERE pg_temp.err(format('SELECT %L::civic.bng', bng_gridref(p, 0))) = 'ok') AS square_exists,
       count(*) FILTER (WHERE bng_gridref(p)::bng <= p
                          AND bng_easting(p) - bng_easting(bng_gridref(p)::bng) <= 1
                          AND bng_northing(p) - bng_northing(bng_gridref(p)::bng) <= 1) AS within_1m
  FROM (SELECT bng(e, n) AS p FROM generate_series(0, 700000, 50000) AS e,
                                   generate_series(0, 1300000, 50000) AS n) AS g;

-- Nelson's Column, Trafalgar Square: TQ 30015 80454.
SELECT 'TQ 30015 80454'::bng = '530015 180454' AS nelson_in,
       bng_gridref('530015 180454') AS nelson_out;

-- Every precision; digits truncate (south-west corner), never round.
SELECT d, bng_gridref('530049.999 180359.999', d) AS gridref,
       bng_gridref('530049.999 180359.999', d)::bng AS sw_corner
  FROM generate_series(0, 10, 2) AS d;
SELECT bng_gridref('530043.19 180358.21') = bng_gridref('530043.19 180358.21', 10) AS default_is_10;

-- 4. Real points: Code-Point Open 2018 (London postcodes, integer metres).
CREATE TEMP TABLE cpo (
    postcode text, pq int, e int, n int, country text, rha text, ha text,
    county text, district text, ward text);
\getenv civic_data CIVIC_DATA
\set f :civic_data '/postcodes_codepoint_open/codepoint_open_2018.3.0_london_dev.csv'
COPY cpo FROM :'f' WITH (FORMAT csv, HEADER);
CREATE TEMP TABLE pts AS SELECT postcode, e, n, bng(e, n) AS p FROM cpo;
SELECT count(*) > 145000 AS loaded FROM pts;

-- A letter table written out independently of the C code.
CREATE FUNCTION pg_temp.letters(e int, n int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT substr('ABCDEFGHJKLMNOPQRSTUVWXYZ', (3 - n / 500000) * 5 + e / 500000 + 2 + 1, 1)
        || substr('ABCDEFGHJKLMNOPQRSTUVWXYZ', (4 - (n % 500000) / 100000) * 5 + (e % 500000) / 100000 + 1, 1)
$$;
-- 10-digit references are exactly the CodePoint coordinates, every digit
-- count round-trips, and bng(gridref) is the south-west corner of the square.
SELECT count(*) AS points,
       count(*) FILTER (WHERE bng_gridref(p) = pg_temp.letters(e, n) || ' '
                        || lpad((e % 100000)::text, 5, '0') || ' '
                        || lpad((n % 100000)::text, 5, '0')) AS gridref_matches,
       count(*) FILTER (WHERE bng_gridref(p)::bng = p) AS gridref_back_to_point
  FROM pts;
SELECT d, count(*) FILTER (WHERE bng_gridref(bng_gridref(p, d)::bng, d) = bng_gridref(p, d)) = count(*) AS round_trip,
       count(*) FILTER (WHERE bng_gridref(p, d)::bng
                        = bng(e - e % (10 ^ (5 - d / 2))::int, n - n % (10 ^ (5 - d / 2))::int)) = count(*) AS sw_corner
  FROM pts, generate_series(0, 10, 2) AS d
 GROUP BY d ORDER BY d;
SELECT pg_temp.letters(e, n) AS square, count(*) > 0 AS has_points,
       bool_and(bng_gridref(p, 0) = pg_temp.letters(e, n)) AS letters_ok
  FROM pts GROUP BY 1 ORDER BY 1;

-- 5. Errors: malformed input is 22P02, off-grid values are 22003.
SELECT input, pg_temp.err(format('SELECT %L::civic.bng', input)) AS result
  FROM (VALUES (''), ('   '), ('x'), ('1'), ('1 2 3'), ('1,,2'), ('1 , , 2'),
               ('(1 2)'), ('(1,2'), ('1,2)'), ('((1,2))'), ('1e3 2'), ('NaN 1'),
               ('Infinity 0'), ('1 2x'), ('. 1'), ('1..2 3'), ('--1 2'),
               ('T'), ('T1 2'), ('TI 1 1'), ('IT 1 1'), ('TQ 123'), ('TQ 12 345'),
               ('TQ 123456 123456'), ('TQ12345678901'), ('TQ 1 2 3'), ('TQ1a2'),
               ('TQ 1.5 2.5'), ('TQ,1,2'), ('TQX 1 1'), ('T Q 1 1'), (E'1\u00a02'),
               ('-1 0'), ('0 -0.001'), ('700000.001 0'), ('0 1300000.0005'),
               ('0 1300000.0004'), ('99999999999999999999999 1'), ('1 1e'),
               ('AA 1 1'), ('TX 1 1'), ('JH 1 0'), ('JJ 0 0'), ('ZZ')) AS t(input);
-- errors carry a detail and a hint
SELECT pg_temp.err_detail($$SELECT 'TQ 123'::civic.bng$$);
SELECT pg_temp.err_detail($$SELECT '800000 0'::civic.bng$$);
SELECT stmt, pg_temp.err(stmt) AS result
  FROM (VALUES ('SELECT civic.bng(-0.1, 0)'), ('SELECT civic.bng(700000.0006, 0)'),
               ('SELECT civic.bng(0, 1300000.0004)'),
               ($$SELECT civic.bng('NaN', 0)$$), ($$SELECT civic.bng(0, 'Infinity')$$),
               ($$SELECT civic.bng('-Infinity', 0)$$), ('SELECT civic.bng(1e300, 1e300)'),
               ($$SELECT civic.bng_gridref('1 1', 3)$$), ($$SELECT civic.bng_gridref('1 1', -2)$$),
               ($$SELECT civic.bng_gridref('1 1', 12)$$)) AS t(stmt);
SELECT pg_temp.err_detail($$SELECT civic.bng_gridref('1 1', 7)$$);
SELECT bng(NULL, 1) IS NULL AS strict_ctor, bng_gridref(NULL) IS NULL AS strict_gridref;

-- 6. Comparison: by easting, then by northing; btree and hash both work.
SELECT b FROM (VALUES ('2 1'::bng), ('1 3'), ('1 2'), ('TQ'), ('0 0'), ('1 2'), ('0.001 0'))
    AS t(b) ORDER BY b;
SELECT '1 2'::bng = '1.0 2.000'::bng AS eq, '1 2'::bng <> '1 2.001'::bng AS ne,
       '1 5'::bng < '2 0'::bng AS lt_by_easting, '1 2'::bng < '1 3'::bng AS lt_by_northing,
       '1 2'::bng <= '1 2'::bng AS le, '2 0'::bng > '1 5'::bng AS gt, '1 2'::bng >= '1 2'::bng AS ge;
SELECT opcname, amname, amvalidate(c.oid) AS valid
  FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod
 WHERE c.opcintype = 'civic.bng'::regtype ORDER BY amname;
-- DISTINCT / GROUP BY by hashing and by sorting agree with integer keys.
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT p, count(*) FROM pts GROUP BY p;
CREATE TEMP TABLE g_hash AS SELECT p, count(*) AS c FROM pts GROUP BY p;
RESET enable_sort;
SET enable_hashagg = off;
CREATE TEMP TABLE g_sort AS SELECT p, count(*) AS c FROM pts GROUP BY p;
RESET enable_hashagg;
SELECT (SELECT count(*) FROM g_hash) = (SELECT count(DISTINCT (e, n)) FROM pts) AS distinct_points,
       NOT EXISTS (SELECT * FROM g_hash FULL JOIN g_sort USING (p, c) WHERE g_hash.p IS NULL OR g_sort.p IS NULL) AS same_groups,
       (SELECT array_agg(p ORDER BY p) = array_agg(p ORDER BY bng_easting(p), bng_northing(p)) FROM g_sort) AS order_is_easting_northing;
-- hash and merge joins
SET enable_mergejoin = off; SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM g_hash JOIN g_sort USING (p);
SELECT count(*) = (SELECT count(*) FROM g_hash) AS hash_join FROM g_hash JOIN g_sort USING (p);
SET enable_hashjoin = off; SET enable_mergejoin = on;
EXPLAIN (COSTS OFF) SELECT count(*) FROM g_hash JOIN g_sort USING (p);
SELECT count(*) = (SELECT count(*) FROM g_hash) AS merge_join FROM g_hash JOIN g_sort USING (p);
RESET enable_hashjoin; RESET enable_mergejoin; RESET enable_nestloop;

-- 7. Distance in metres, box and circle containment.
SELECT '0 0'::bng <-> '3 4'::bng AS d345, '3 4'::bng <-> '0 0'::bng AS commuted,
       '1 1'::bng <-> '1 1'::bng AS zero, '0.001 0'::bng <-> '0 0'::bng AS one_mm,
       ('0 0'::bng <-> '700000 1300000'::bng) = sqrt(700000.0 ^ 2 + 1300000.0 ^ 2) AS diagonal;
SELECT count(*) FILTER (WHERE abs((p <-> 'TQ 30015 80454') - sqrt((e - 530015.0) ^ 2 + (n - 180454.0) ^ 2)) > 1e-9) AS distance_mismatches
  FROM pts;
SELECT bng_box('530100 180200', '530000 180000') AS box,
       '530000 180000'::bng <@ bng_box('530000 180000', '530100 180200') AS corner_included,
       '530100 180200'::bng <@ box '((530000,180000),(530100,180200))' AS far_corner_included,
       '530100.001 180200'::bng <@ box '((530000,180000),(530100,180200))' AS outside,
       box '((530000,180000),(530100,180200))' @> '530050 180100'::bng AS box_contains,
       '3 4'::bng <@ circle '<(0,0),5>' AS on_circle, '3 4.001'::bng <@ circle '<(0,0),5>' AS off_circle,
       circle '<(0,0),5>' @> '0 0'::bng AS circle_contains;

-- 8. PostGIS: bng <-> geometry (SRID 27700) via EWKB.
SELECT ST_AsEWKT('530043.19 180358.21'::bng::geometry) AS ewkt,
       ST_SRID('1 2'::bng::geometry) AS srid,
       bng_to_ewkb('1 2') = ST_AsEWKB(ST_SetSRID(ST_MakePoint(1, 2), 27700)) AS ewkb_as_postgis;
SELECT 'SRID=27700;POINT(530043.19 180358.21)'::geometry::bng AS from_27700,
       'POINT(530043.19 180358.21)'::geometry::bng AS srid0_taken_as_27700,
       'SRID=27700;POINT Z (1 2 3)'::geometry::bng AS z_ignored,
       'SRID=27700;POINT(1.00049 2.0005)'::geometry::bng AS rounded,
       bng_from_ewkb(ST_AsBinary('POINT(1 2)'::geometry)) AS plain_wkb,
       bng_from_ewkb(ST_AsBinary('POINT(1 2)'::geometry, 'XDR')) AS big_endian_wkb;
-- assignment cast into a geometry column
CREATE TEMP TABLE gcol (g geometry(Point, 27700));
INSERT INTO gcol VALUES ('TQ 30015 80454'::bng);
SELECT ST_AsEWKT(g) FROM gcol;
-- every postcode: bng -> geometry -> bng is the identity, and matches ST_MakePoint
SELECT count(*) FILTER (WHERE p::geometry::bng = p) = count(*) AS identity,
       count(*) FILTER (WHERE ST_Equals(p::geometry, ST_SetSRID(ST_MakePoint(e, n), 27700))) = count(*) AS same_point
  FROM pts;
-- transforms: from WGS 84 and Web Mercator, agreeing with ST_Transform to the mm
CREATE TEMP TABLE ll AS
SELECT p, ST_Transform(p::geometry, 4326) AS g4326, ST_Transform(p::geometry, 3857) AS g3857
  FROM pts WHERE n % 7 = 0;
SELECT count(*) > 15000 AS many,
       max(abs(bng_easting(g4326::bng) - ST_X(ST_Transform(g4326, 27700)))) <= 0.0005 AS e_4326_within_half_mm,
       max(abs(bng_northing(g4326::bng) - ST_Y(ST_Transform(g4326, 27700)))) <= 0.0005 AS n_4326_within_half_mm,
       -- PROJ's own round trip drifts by up to about 0.9 mm, then we round to the mm
       max(greatest(abs(round(1000 * bng_easting(g4326::bng)) - round(1000 * bng_easting(p))),
                    abs(round(1000 * bng_northing(g4326::bng)) - round(1000 * bng_northing(p))))) <= 1 AS back_to_start_within_mm,
       max(greatest(abs(round(1000 * bng_easting(g3857::bng)) - round(1000 * bng_easting(p))),
                    abs(round(1000 * bng_northing(g3857::bng)) - round(1000 * bng_northing(p))))) <= 1 AS mercator_back_within_mm,
       count(*) FILTER (WHERE bng_from_lonlat(ST_X(g4326), ST_Y(g4326)) = g4326::bng) = count(*) AS from_lonlat_same
  FROM ll;
-- Nelson's Column, 51.50778 N 0.12806 W, is in the 100 m square TQ 300 804
SELECT bng_gridref(bng_from_lonlat(-0.12806, 51.50778), 6) AS nelson_lonlat,
       bng_from_lonlat(-0.12806, 51.50778)
         = ST_Transform(ST_SetSRID(ST_MakePoint(-0.12806, 51.50778), 4326), 27700)::bng AS same_as_cast;
SELECT bng_from_lonlat(NULL, 51.5) IS NULL AS strict_lonlat;
-- Inputs that would reach PROJ unfit: clear SQLSTATEs (22023 NaN, 22003
-- infinite or out of range) with a hint, never PostGIS's internal XX000,
-- from every function that transforms.
SELECT stmt, pg_temp.err(stmt) AS result
  FROM (VALUES ($$SELECT civic.bng_from_lonlat('NaN', 51.5)$$),
               ($$SELECT civic.bng_from_lonlat(-0.1, 'NaN')$$),
               ($$SELECT civic.bng_from_lonlat('Infinity', 51.5)$$),
               ($$SELECT civic.bng_from_lonlat(-0.1, '-Infinity')$$),
               ($$SELECT civic.bng_from_lonlat(1e308, 51.5)$$),
               ($$SELECT civic.bng_from_lonlat(-1e308, 51.5)$$),
               ($$SELECT civic.bng_from_lonlat(-0.1, 1e308)$$),
               ($$SELECT civic.bng_from_lonlat(-0.1, 91)$$),
               ($$SELECT civic.bng_from_lonlat(181, 51.5)$$),
               ($$SELECT 'SRID=4326;POINT(NaN 51.5)'::public.geometry::civic.bng$$),
               ($$SELECT 'SRID=4326;POINT(-0.1 1e308)'::public.geometry::civic.bng$$),
               ($$SELECT 'SRID=4258;POINT(-0.1 -91)'::public.geometry::civic.bng$$),
               ($$SELECT civic.bng(public.ST_SetSRID(public.ST_MakePoint('Infinity', 0), 3857))$$),
               ($$SELECT 'SRID=3857;POINT(0 NaN)'::public.geometry::civic.bng$$),
               ($$SELECT civic.bng(public.ST_SetSRID(public.ST_MakePoint('-Infinity', 0), 32630))$$),
               -- finite, but outside the projection's domain, or an unknown SRID
               ($$SELECT civic.bng(public.ST_SetSRID(public.ST_MakePoint(1e308, 0), 32630))$$),
               ($$SELECT civic.bng(public.ST_SetSRID(public.ST_MakePoint(1, 0), 999999))$$)) AS t(stmt);
SELECT pg_temp.err_detail($$SELECT civic.bng(public.ST_SetSRID(public.ST_MakePoint(1e308, 0), 32630))$$);
-- bng_transform calls only PostGIS's ST_Transform(geometry, integer), whose
-- OID bng(geometry) binds: any other function is refused
SELECT pg_temp.err($$SELECT civic.bng_transform('SRID=4326;POINT(0 51)'::public.geometry,
                                                 'public.st_setsrid(public.geometry, integer)'::regprocedure)$$) AS other_function,
       pg_temp.err($$SELECT civic.bng_transform('SRID=4326;POINT(0 51)'::public.geometry,
                                                 'pg_catalog.textout(text)'::regprocedure)$$) AS builtin,
       civic.bng(civic.bng_transform('SRID=4326;POINT(-0.12806 51.50778)'::public.geometry,
                                     'public.st_transform(public.geometry, integer)'::regprocedure))
         = civic.bng_from_lonlat(-0.12806, 51.50778) AS st_transform_itself;
SELECT pg_temp.err_detail($$SELECT civic.bng_from_lonlat('NaN', 51.5)$$);
SELECT pg_temp.err_detail($$SELECT civic.bng_from_lonlat(1e308, 51.5)$$);
SELECT pg_temp.err_detail($$SELECT civic.bng(public.ST_SetSRID(public.ST_MakePoint('Infinity', 0), 3857))$$);
-- the edges of the longitude/latitude ranges are accepted (and lie off the grid)
SELECT pg_temp.err($$SELECT civic.bng_from_lonlat(180, 90)$$) ~ '^22003: bng value out of range' AS edge_is_off_grid;
-- geometry errors (transformed coordinates, whose last digits depend on the
-- PROJ version, are shown as N)
SELECT g, regexp_replace(pg_temp.err(format('SELECT %L::public.geometry::civic.bng', g)),
                         '-?\d+\.\d+', 'N', 'g') AS result
  FROM (VALUES ('SRID=27700;LINESTRING(1 2,3 4)'), ('SRID=27700;MULTIPOINT(1 2)'),
               ('SRID=27700;POLYGON((0 0,1 0,1 1,0 0))'), ('SRID=27700;GEOMETRYCOLLECTION(POINT(1 2))'),
               ('SRID=27700;POINT EMPTY'), ('SRID=4326;POINT EMPTY'), ('SRID=27700;POINT(-1 2)'),
               ('SRID=4326;POINT(-0.1 40)'), ('SRID=27700;POINT(800000 1)')) AS t(g);
SELECT pg_temp.err_detail($$SELECT civic.bng_from_ewkb(public.ST_AsEWKB('SRID=4326;POINT(-0.1 51.5)'::public.geometry))$$);
-- Malformed (E)WKB: 22P03 from civic's one EWKB reader (src/ewkb.c), the
-- detail naming what is wrong; the same reader and errors serve the
-- geometry lookups (sql/boundary.sql) and civic.boundary's polygons.
SELECT what, pg_temp.err_detail(format('SELECT civic.bng_from_ewkb(%L::bytea)', b)) AS error
  FROM (VALUES ('empty', '\x'), ('short', '\x01'), ('bad byte order', '\x05'),
               ('no coordinates', '\x0101000000'),
               ('half a point', '\x01010000000000000000000840'),
               ('Z point without Z', '\x0101000080000000000000f03f0000000000000040'),
               ('cut in the SRID', '\x010100002034'),
               ('big-endian, cut in the SRID', '\x002000000100'),
               ('unknown type', '\x0163000000'),
               ('ISO and EWKB dimensions', '\x01e9030080')) AS t(what, b);
-- Well-formed (E)WKB, big- and little-endian, EWKB and ISO dimensions.
SELECT civic.bng_from_ewkb('\x0101000000000000000000f03f0000000000000040') AS wkb_le,
       civic.bng_from_ewkb('\x00000000013ff00000000000004000000000000000') AS wkb_be,
       civic.bng_from_ewkb(public.ST_AsBinary('POINT ZM(1 2 3 4)'::public.geometry)) AS iso_zm,
       civic.bng_from_ewkb(public.ST_AsEWKB('SRID=27700;POINT M(1 2 3)'::public.geometry)) AS ewkb_m;
SELECT pg_temp.err(format('SELECT civic.bng_from_ewkb(%L::bytea)',
                          public.ST_AsEWKB(g::public.geometry))) AS not_a_point
  FROM (VALUES ('TIN(((0 0 0,0 0 1,0 1 0,0 0 0)))'), ('TRIANGLE((0 0,0 1,1 1,0 0))'),
               ('CIRCULARSTRING(0 0,1 1,2 0)')) AS t(g);

-- The wrappers resolve PostGIS at install time: a hostile search_path
-- with look-alike functions changes nothing.
CREATE SCHEMA bng_hijack;
CREATE FUNCTION bng_hijack.st_transform(geometry, integer) RETURNS geometry
    LANGUAGE sql AS $$ SELECT 'SRID=27700;POINT(1 1)'::geometry $$;
CREATE FUNCTION bng_hijack.st_geomfromewkb(bytea) RETURNS geometry
    LANGUAGE sql AS $$ SELECT 'SRID=27700;POINT(1 1)'::geometry $$;
SET search_path = bng_hijack, public, civic;
SELECT bng_gridref(bng_from_lonlat(-0.12806, 51.50778), 6) AS lonlat_not_hijacked,
       ST_AsText('2 3'::bng::geometry) AS cast_not_hijacked;
SET search_path = pg_catalog;
SELECT civic.bng_gridref(civic.bng_from_lonlat(-0.12806, 51.50778), 6) AS works_without_postgis_in_path;
SET search_path = public, civic;
DROP SCHEMA bng_hijack CASCADE;

-- 9. Binary COPY round trip, and recv validates like input.
\set bf :civic_data '/bng_binary_copy.bin'
COPY (SELECT p FROM pts) TO :'bf' WITH (FORMAT binary);
CREATE TEMP TABLE pts_copy (p bng);
COPY pts_copy FROM :'bf' WITH (FORMAT binary);
SELECT (SELECT count(*) FROM pts_copy) = (SELECT count(*) FROM pts) AS same_count,
       (SELECT array_agg(p ORDER BY p) FROM pts_copy) = (SELECT array_agg(p ORDER BY p) FROM pts) AS same_points;
-- the binary form is the documented int8 layout: easting mm << 32 | northing mm
COPY (SELECT (530043190::int8 << 32) | 180358210) TO :'bf' WITH (FORMAT binary);
TRUNCATE pts_copy;
COPY pts_copy FROM :'bf' WITH (FORMAT binary);
SELECT p FROM pts_copy;
CREATE FUNCTION pg_temp.copy_int8(v int8, f text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('COPY (SELECT %s::int8) TO %L WITH (FORMAT binary)', v, f);
    EXECUTE format('COPY pts_copy FROM %L WITH (FORMAT binary)', f);
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT v, pg_temp.copy_int8(v, :'bf') AS result
  FROM (VALUES (0::int8), ((700000000::int8 << 32) | 1300000000), ((700000001::int8 << 32)),
               (1300000001::int8), (-1::int8), ((1::int8 << 32) | 4294967295)) AS t(v);
SELECT pg_temp.err_detail(format('COPY pts_copy FROM %L WITH (FORMAT binary)', :'bf')) ~ 'detail: Easting 1 mm and northing 4294967295 mm are not both on the British National Grid.' AS recv_detail;

-- 10. Catalogue hygiene: every bng function has explicit labels and a comment.
SELECT p.proname, p.provolatile, p.proparallel, p.proisstrict,
       obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented
  FROM pg_proc p
 WHERE p.pronamespace = 'civic'::regnamespace
   AND (p.proname LIKE '%bng%')
 ORDER BY p.proname, p.oid::regprocedure::text;
SELECT count(*) AS uncommented_operators FROM pg_operator o
 WHERE o.oprnamespace = 'civic'::regnamespace
   AND 'civic.bng'::regtype IN (o.oprleft, o.oprright)
   AND obj_description(o.oid, 'pg_operator') IS NULL;
