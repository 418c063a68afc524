SET search_path = "$user", public, civic;
-- Releases with boundaries (docs/releases.md, "Boundaries in the release
-- tables"): geometry(MultiPolygon) columns in EPSG:27700 and WGS 84 that QGIS
-- and Tableau read, and a GeoJSON text column small enough for Power BI;
-- declared, recorded, re-applied on refresh, free.
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_relgeo_pub;
DROP ROLE IF EXISTS regress_relgeo_analyst;
RESET client_min_messages;
CREATE ROLE regress_relgeo_pub;
CREATE ROLE regress_relgeo_analyst;
CREATE SCHEMA relgeo_src;
CREATE SCHEMA relgeo_out AUTHORIZATION regress_relgeo_pub;
GRANT USAGE ON SCHEMA relgeo_src TO regress_relgeo_pub;
CREATE TABLE relgeo_src.people AS
SELECT pg_catalog.row_number() OVER () AS id, ST_PointOnSurface(w.geom)::civic.bng AS p
  FROM (SELECT code, geom, row_number() OVER (ORDER BY code) AS k
          FROM civic.boundary WHERE level = 'ward' AND vintage = 2022) w
 CROSS JOIN LATERAL generate_series(1, (w.k % 7)::int) n;
REVOKE ALL ON relgeo_src.people FROM PUBLIC;
GRANT SELECT ON relgeo_src.people TO regress_relgeo_pub;
SELECT civic.set_budget('regress_relgeo_pub', 'relgeo_src.people', 10);

SET SESSION AUTHORIZATION regress_relgeo_pub;
CREATE TEMP TABLE spent AS
    SELECT COALESCE((SELECT epsilon_spent FROM civic.privacy_budgets WHERE dataset = 'relgeo_src.people'), 0) AS e;
-- All three: full-resolution geometry in EPSG:27700 and WGS 84, GeoJSON at
-- the default tolerance (25 m).
SELECT * FROM civic.publish_release('geo', 'relgeo_src.people', 'p', '[{"name": "n", "kind": "count"}]',
    1.0, 'relgeo_out', levels => '{ward,borough,region}', vintage => 2022, consistent => true,
    grantees => '{regress_relgeo_analyst}', geometry => 'all');
SELECT abs(p.epsilon_spent - s.e - 1.0) < 1e-7 AS charged_the_release_only
  FROM civic.privacy_budgets p, spent s WHERE p.dataset = 'relgeo_src.people';
SELECT name, geometry, geojson_simplify FROM civic.releases;

-- Typed with their type and SRID, so that geometry_columns (what QGIS reads)
-- lists them; the integer key and the comments stay.
SELECT f_table_name, f_geometry_column, coord_dimension, srid, type
  FROM geometry_columns WHERE f_table_schema = 'relgeo_out' ORDER BY 1, 2;
SELECT attname, format_type(atttypid, atttypmod) AS type, col_description(attrelid, attnum) AS comment
  FROM pg_attribute WHERE attrelid = 'relgeo_out.geo_ward'::regclass AND attnum > 0 ORDER BY attnum;
SELECT obj_description('relgeo_out.geo_borough'::regclass, 'pg_class') LIKE '%with boundaries (geom, geom_wgs84, geojson)%'
       AS table_says_so;
SELECT indexdef FROM pg_indexes WHERE schemaname = 'relgeo_out' AND tablename = 'geo_ward' ORDER BY 1;

-- Every area has its own boundary, exactly (27700) and transformed (4326).
SELECT count(*) AS wards, count(*) FILTER (WHERE ST_AsEWKB(r.geom) = ST_AsEWKB(b.geom)) AS exact,
       count(*) FILTER (WHERE ST_Equals(r.geom_wgs84, ST_Transform(b.geom, 4326))) AS wgs84,
       count(*) FILTER (WHERE r.geojson IS NOT NULL) AS with_geojson
  FROM relgeo_out.geo_ward r JOIN civic.boundary b ON b.code::text = r.area_code AND b.level = 'ward' AND b.vintage = 2022;
SELECT count(*) AS boroughs, count(*) FILTER (WHERE ST_AsEWKB(r.geom) = ST_AsEWKB(b.geom)) AS exact
  FROM relgeo_out.geo_borough r JOIN civic.boundary b ON b.code::text = r.area_code AND b.level = 'borough';
-- GeoJSON: RFC 7946 geometries in longitude and latitude around London,
-- each within Power BI's 32766 characters, and simplified (25 m: within 25 m
-- of the full boundary, and shorter than it)
SELECT count(*) AS not_multipolygon FROM relgeo_out.geo_ward WHERE geojson::jsonb ->> 'type' <> 'MultiPolygon';
SELECT bool_and(ST_Within(ST_GeomFromGeoJSON(geojson), ST_MakeEnvelope(-0.6, 51.2, 0.4, 51.8, 4326))) AS in_london,
       max(length(geojson)) <= 32766 AS fits_power_bi
  FROM (SELECT geojson FROM relgeo_out.geo_ward UNION ALL SELECT geojson FROM relgeo_out.geo_borough
        UNION ALL SELECT geojson FROM relgeo_out.geo_region) g;
SELECT bool_and(ST_HausdorffDistance(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(r.geojson), 4326), 27700), r.geom) < 26)
       AS within_tolerance,
       sum(length(r.geojson)) < sum(length(ST_AsGeoJSON(r.geom_wgs84, 5))) AS simplified
  FROM relgeo_out.geo_borough r;

-- The analyst reads the boundaries with the numbers, for free.
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_relgeo_analyst;
SELECT count(*) AS boroughs, count(geom) AS with_geom, sum(ST_Area(geom)) > 1.5e9 AS london_sized
  FROM relgeo_out.geo_borough;
SELECT count(*) AS analyst_charges FROM civic.privacy_ledger;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_relgeo_pub;

-- Refresh re-applies the declaration: same boundaries, fresh noise, charged once.
CREATE TEMP TABLE before AS SELECT area_code, n, geom, geojson FROM relgeo_out.geo_ward;
SELECT civic.refresh_release('geo');
SELECT count(*) AS wards, count(*) FILTER (WHERE ST_AsEWKB(r.geom) = ST_AsEWKB(b.geom) AND r.geojson = b.geojson) AS same_boundaries
  FROM relgeo_out.geo_ward r JOIN before b USING (area_code);
SELECT abs(p.epsilon_spent - s.e - 2.0) < 1e-7 AS refresh_charged_once
  FROM civic.privacy_budgets p, spent s WHERE p.dataset = 'relgeo_src.people';
DROP TABLE before;

-- GeoJSON only: the table keeps to built-in types (Npgsql, for Power BI).
-- With tolerance 0 every 2022 ward is at full resolution (all fit in 32766
-- characters); London at full resolution does not (about 210,000
-- characters), so it is simplified further until it fits.
SELECT * FROM civic.publish_release('pbi', 'relgeo_src.people', 'p', '[{"name": "n", "kind": "count"}]',
    0.5, 'relgeo_out', levels => '{ward,region}', vintage => 2022, geometry => 'geojson', geojson_simplify => 0);
SELECT attname, format_type(atttypid, atttypmod) AS type
  FROM pg_attribute WHERE attrelid = 'relgeo_out.pbi_ward'::regclass AND attnum > 0 ORDER BY attnum;
SELECT count(*) AS geometry_columns FROM geometry_columns WHERE f_table_schema = 'relgeo_out' AND f_table_name LIKE 'pbi%';
SELECT count(*) FILTER (WHERE r.geojson = ST_AsGeoJSON(ST_Transform(b.geom, 4326), 5)) AS wards_at_full_resolution, count(*) AS wards
  FROM relgeo_out.pbi_ward r JOIN civic.boundary b ON b.code::text = r.area_code AND b.level = 'ward' AND b.vintage = 2022;
SELECT length(ST_AsGeoJSON(ST_Transform(b.geom, 4326), 5)) > 32766 AS london_too_long_at_full_resolution,
       length(r.geojson) <= 32766 AS london_fits, length(r.geojson) > 5000 AS london_still_detailed
  FROM relgeo_out.pbi_region r JOIN civic.boundary b ON b.code::text = r.area_code AND b.level = 'region';
SELECT name, geometry, geojson_simplify FROM civic.releases ORDER BY name;

-- Invalid options: a clear error, nothing created, nothing charged.
DROP TABLE spent;
CREATE TEMP TABLE spent AS SELECT epsilon_spent AS e FROM civic.privacy_budgets WHERE dataset = 'relgeo_src.people';
\set VERBOSITY terse
SELECT civic.publish_release('bad', 'relgeo_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'relgeo_out', geometry => 'shapes');
\echo :LAST_ERROR_SQLSTATE
SELECT civic.publish_release('bad', 'relgeo_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'relgeo_out', geojson_simplify => 10);
\echo :LAST_ERROR_SQLSTATE
SELECT civic.publish_release('bad', 'relgeo_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'relgeo_out', geometry => 'all', geojson_simplify => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT civic.publish_release('bad', 'relgeo_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'relgeo_out', geometry => 'all', geojson_simplify => 'NaN');
\echo :LAST_ERROR_SQLSTATE
SELECT civic.publish_release('bad', 'relgeo_src.people', 'p', '[{"name": "geojson", "kind": "count"}]', 1, 'relgeo_out', geometry => 'geojson');
\echo :LAST_ERROR_SQLSTATE
SELECT civic.publish_release('bad', 'relgeo_src.people', 'p', '[{"name": "geom", "kind": "count"}]', 1, 'relgeo_out');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT array_agg(relname ORDER BY relname) AS tables
  FROM pg_class WHERE relnamespace = 'relgeo_out'::regnamespace AND relkind = 'r';
SELECT array_agg(name ORDER BY name) AS releases FROM civic.releases;
SELECT p.epsilon_spent = s.e AS nothing_charged
  FROM civic.privacy_budgets p, spent s WHERE p.dataset = 'relgeo_src.people';
DROP TABLE spent;

SELECT civic.drop_release(name) FROM civic.releases ORDER BY name;
RESET SESSION AUTHORIZATION;
DROP SCHEMA relgeo_out CASCADE;
DROP SCHEMA relgeo_src CASCADE;
DROP ROLE regress_relgeo_pub;
DROP ROLE regress_relgeo_analyst;
