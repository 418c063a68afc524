-- civic.crosswalk, civic.restate, civic.area_changes (docs/boundaries.md,
-- "Crosswalks between vintages") and civic.bng_to_lonlat.
SET search_path = public, civic;
\getenv civic_data CIVIC_DATA

-- ------------------------------------------------------------------ crosswalk
-- weights per old area sum to 1, every old area is covered, weights in (0, 1]
SELECT w.kind, count(DISTINCT c.from_code) AS from_areas,
       (SELECT count(*) FROM civic.boundary WHERE level = 'ward' AND vintage = 2018) AS wards_2018,
       bool_and(c.weight > 0 AND c.weight <= 1 + 1e-12) AS weights_in_range
  FROM unnest(ARRAY['area', 'postcodes']) w(kind), civic.crosswalk(2018, 2022, 'ward', w.kind) c
 GROUP BY w.kind ORDER BY w.kind;
SELECT w.kind, max(abs(s.total - 1)) < 1e-9 AS sums_to_1
  FROM unnest(ARRAY['area', 'postcodes']) w(kind),
       LATERAL (SELECT c.from_code, sum(c.weight) AS total
                  FROM civic.crosswalk(2018, 2022, 'ward', w.kind) c GROUP BY 1) s
 GROUP BY w.kind ORDER BY w.kind;
-- the other pairs used below, both directions, by area
SELECT f AS from_vintage, t AS to_vintage,
       (SELECT max(abs(s - 1)) < 1e-9 FROM (SELECT sum(weight) s FROM civic.crosswalk(f, t) GROUP BY from_code) x) AS sums_to_1,
       (SELECT count(DISTINCT from_code) FROM civic.crosswalk(f, t)) =
       (SELECT count(*) FROM civic.boundary WHERE level = 'ward' AND vintage = f) AS all_covered
  FROM (VALUES (2011, 2022), (2022, 2011), (2014, 2018), (2018, 2014), (2022, 2018)) p(f, t)
 ORDER BY 1, 2;
-- identical vintages (and a year whose boundaries are the same) give the identity
SELECT count(*) AS rows, bool_and(from_code = to_code AND weight = 1) AS identity
  FROM civic.crosswalk(2014, 2016);
-- an unchanged ward maps to itself; a ward of 2018 split in 2022 to several
SELECT to_code, round(weight::numeric, 2) AS weight FROM civic.crosswalk(2018, 2022)
 WHERE from_code = 'E05009288' AND weight >= 0.005      -- Aldersgate (City), unchanged
 ORDER BY weight DESC, to_code;
-- the cache: the second call reads it; a change to civic.boundary empties it
SELECT count(*) > 0 AS cached FROM civic.area_overlap_cache WHERE from_vintage = 2018 AND to_vintage = 2022;
BEGIN;
INSERT INTO civic.boundary (vintage, level, code, name, parent, geom)
SELECT 2030, level, code, name, parent, geom FROM civic.boundary WHERE vintage = 2022 AND code = 'E05013806';
SELECT count(*) AS cache_rows_after_change FROM civic.area_overlap_cache;
ROLLBACK;
-- bad arguments
SELECT * FROM civic.crosswalk(2018, 2022, 'ward', 'people');
SELECT * FROM civic.crosswalk(2005, 2022);
SELECT count(*) AS null_vintage_rows FROM civic.crosswalk(NULL, 2022);

-- ---------------------------------------- postcode crosswalk against ONS best fit
-- ONS publishes LSOA -> ward best-fit lookups, not ward -> ward ones; an ONS
-- ward -> ward best fit follows from the LSOAs of one code in both lookups:
-- each old ward goes to the new ward holding most of its LSOAs.  civic's
-- best fit is the new ward with the largest postcode weight.
CREATE TEMP TABLE t_l (lsoa text, ward text, vintage int);
CREATE TEMP TABLE t_load (c1 text, c2 text, c3 text, c4 text, c5 text, c6 text, c7 text, c8 text, c9 text, c10 text);
\set f :civic_data '/ons_lookups_london/lsoa11_to_ward15_to_lad15_london.csv'
COPY t_load (c1, c2, c3, c4, c5, c6, c7, c8) FROM :'f' WITH (FORMAT csv, HEADER);
INSERT INTO t_l SELECT c1, c3, 2014 FROM t_load;
TRUNCATE t_load;
\set f :civic_data '/ons_lookups_london/lsoa11_to_ward18_to_lad18_london.csv'
COPY t_load (c1, c2, c3, c4, c5, c6, c7, c8) FROM :'f' WITH (FORMAT csv, HEADER);
INSERT INTO t_l SELECT c1, c3, 2018 FROM t_load;
TRUNCATE t_load;
\set f :civic_data '/ons_lookups_london/lsoa21_to_ward24_to_lad24_bestfit_london.csv'
COPY t_load FROM :'f' WITH (FORMAT csv, HEADER);
INSERT INTO t_l SELECT c1, c4, 2022 FROM t_load;
CREATE TEMP TABLE t_agree AS
WITH pairs(f, t) AS (VALUES (2014, 2018), (2018, 2022)),
ons AS (SELECT DISTINCT ON (p.f, a.ward) p.f, p.t, a.ward AS from_code, b.ward AS to_code
          FROM pairs p JOIN t_l a ON a.vintage = p.f JOIN t_l b ON b.vintage = p.t AND b.lsoa = a.lsoa
         GROUP BY p.f, p.t, a.ward, b.ward
         ORDER BY p.f, a.ward, count(*) DESC, b.ward),
ours AS (SELECT DISTINCT ON (p.f, c.from_code) p.f, c.from_code::text AS from_code, c.to_code::text AS to_code
           FROM pairs p, civic.crosswalk(p.f, p.t, 'ward', 'postcodes') c
          ORDER BY p.f, c.from_code, c.weight DESC, c.to_code)
SELECT o.f, o.t, count(*) AS wards, count(*) FILTER (WHERE o.to_code = c.to_code) AS agree
  FROM ons o JOIN ours c ON c.f = o.f AND c.from_code = o.from_code
 GROUP BY o.f, o.t;
SELECT f AS from_vintage, t AS to_vintage, wards, agree,
       round(100.0 * agree / wards, 1) AS agree_pct, agree >= 0.95 * wards AS at_least_95pct
  FROM t_agree ORDER BY f;

-- ------------------------------------------------------------------- restate
-- the GLA ward profiles (2011 wards) restated on the 2022 wards: London's
-- total population is unchanged
CREATE TEMP TABLE t_raw (line text);
\set f :civic_data '/ward_statistics/gla_ward_profiles_2015_wards2011.csv'
COPY t_raw FROM :'f' WITH (FORMAT text);
CREATE TEMP TABLE t_profiles AS             -- (the City's row appears twice)
SELECT DISTINCT r[1]::civic.gsscode AS code, replace(btrim(r[2], '"'), ',', '')::float8 AS population
  FROM (SELECT regexp_match(line, '^(?:"[^"]*"|[^,]*),[^,]*,(E[0-9]{8}),("[0-9,]+"|[0-9]+),') r FROM t_raw) s
 WHERE r IS NOT NULL;
-- the City is one row (E09000001) in the profiles: its 25 wards of 2011 share
-- its population by area, like any other figure below ward level
CREATE TEMP TABLE t_wards2011 AS
SELECT p.code, p.population FROM t_profiles p WHERE gss_level(p.code) = 'ward'
UNION ALL
SELECT c.code, p.population * ST_Area(c.geom) / sum(ST_Area(c.geom)) OVER ()
  FROM t_profiles p JOIN civic.boundary c ON c.parent = p.code AND c.level = 'ward' AND c.vintage = 2011
 WHERE p.code = 'E09000001';
CREATE TEMP TABLE t_restated AS
SELECT r.code, r.value
  FROM (SELECT array_agg(code) AS codes, array_agg(population) AS pops FROM t_wards2011) t,
       civic.restate(t.codes, t.pops, 2011, 2022) r;
SELECT (SELECT count(*) FROM t_wards2011) AS wards_2011, count(*) AS wards_2022,
       round((SELECT sum(population) FROM t_wards2011)) AS london_2011_wards,
       round(sum(value)) AS london_2022_wards,
       abs(sum(value) - (SELECT sum(population) FROM t_wards2011)) < 1e-6 * sum(value) AS total_unchanged,
       round((SELECT population FROM t_profiles WHERE code = 'E12000007')) AS london_row
  FROM t_restated;
-- the same by postcode weights
SELECT abs(sum(r.value) - (SELECT sum(population) FROM t_wards2011)) < 1e-6 * sum(r.value) AS total_unchanged_postcodes
  FROM (SELECT array_agg(code) AS codes, array_agg(population) AS pops FROM t_wards2011) t,
       civic.restate(t.codes, t.pops, 2011, 2022, 'ward', 'postcodes') r;
-- codes that are not wards of the vintage are refused, listed
SELECT * FROM civic.restate(ARRAY['E05000026', 'E09000001', 'E05013806']::civic.gsscode[], ARRAY[1, 2, 3]::float8[], 2011, 2022);

-- --------------------------------------------------------------- area_changes
SELECT change, count(*) FROM civic.area_changes(2018, 2022) GROUP BY 1 ORDER BY 1;
SELECT change, count(*) FROM civic.area_changes(2014, 2018) GROUP BY 1 ORDER BY 1;
SELECT from_code, from_name, change, to_codes, to_names FROM civic.area_changes(2018, 2022)
 WHERE from_code IN ('E05009288', 'E05009330', 'E05000646');
SELECT count(*) AS rows, bool_and(change = 'unchanged') AS all_unchanged FROM civic.area_changes(2022, 2022);

-- -------------------------------------------------------------- bng_to_lonlat
SELECT round(lon::numeric, 5) AS lon, round(lat::numeric, 5) AS lat FROM civic.bng_to_lonlat('TQ 30015 80454');
-- the inverse of bng_from_lonlat, to the millimetre, on every 2022 ward's point on surface
SELECT count(*) AS points,
       max(civic.bng_from_lonlat(ll.lon, ll.lat) <-> p) < 0.002 AS round_trip_mm
  FROM (SELECT ST_PointOnSurface(geom)::civic.bng AS p FROM civic.boundary WHERE level = 'ward' AND vintage = 2022) s,
       civic.bng_to_lonlat(s.p) ll;
SELECT civic.bng_to_lonlat(NULL) IS NULL AS null_in_null_out;
