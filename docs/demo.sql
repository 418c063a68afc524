-- civic demo (`make demo`, scripts/run-demo.sh): London's postcodes with
-- their ward and borough codes, from OS Code-Point Open 2024.1.0.
--
-- Contains OS data © Crown copyright and database right 2024
-- Contains Royal Mail data © Royal Mail copyright and database right 2024
-- Contains National Statistics data © Crown copyright and database right 2024
\set ON_ERROR_STOP on
\set QUIET on
\getenv civic_data CIVIC_DATA
CREATE EXTENSION IF NOT EXISTS civic CASCADE;
SET search_path = public, civic;
-- as the README's Install section asks, for later sessions in this database
SELECT format('ALTER DATABASE %I SET search_path = "$user", public, civic', current_database()) \gexec
CREATE TABLE codepoint_raw (
    postcode text, positional_quality_indicator int, eastings int, northings int,
    country_code text, nhs_regional_ha_code text, nhs_ha_code text,
    admin_county_code text, admin_district_code text, admin_ward_code text);
\set f :civic_data '/postcodes_codepoint_open/codepoint_open_2024.1.0_london_dev.csv'
COPY codepoint_raw FROM :'f' WITH (FORMAT csv, HEADER);
-- Text becomes postcode and gsscode on assignment, validated on the way in.
CREATE TABLE london_postcode (
    postcode postcode PRIMARY KEY, eastings int, northings int,
    borough gsscode NOT NULL, ward gsscode NOT NULL);
INSERT INTO london_postcode
SELECT postcode, eastings, northings, admin_district_code, admin_ward_code FROM codepoint_raw;
CREATE INDEX ON london_postcode (ward);
ANALYZE london_postcode;
\set QUIET off

\echo
\echo '== civic.postcode reads any case and spacing, and prints the canonical form'
SELECT input, input::postcode AS postcode, is_valid_postcode(input) AS valid
  FROM (VALUES ('sw1a1aa'), (' SW1A  1AA '), ('ec1a 1bb'), ('gir0aa')) v(input);
SELECT input, is_valid_postcode(input) AS valid
  FROM (VALUES ('SW1A 1AI'), ('QA1 1AA'), ('E05 1AA'), ('not a postcode')) v(input);

\echo '== natural order: district numbers compare as numbers (SW2 before SW10)'
SELECT p AS postcode, postcode_area(p) AS area, postcode_district(p) AS district,
       postcode_sector(p) AS sector, postcode_inward(p) AS inward
  FROM unnest('{SW10 1AA, SW2 1AA, E2 0AA, E1W 1AA, E1 6AN, EC1A 1BB}'::postcode[]) p
 ORDER BY p;

\echo '== London: postcodes per borough, with what each GSS code says about itself'
SELECT borough, gss_level(borough) AS level, gss_country(borough) AS country,
       count(*) AS postcodes, count(DISTINCT ward) AS wards,
       min(postcode) AS first_postcode, max(postcode) AS last_postcode
  FROM london_postcode
 GROUP BY borough ORDER BY postcodes DESC LIMIT 8;

\echo '== the ward of a postcode, and its neighbours in the same sector'
SELECT postcode, ward, gss_entity(ward) AS entity, gss_level(ward) AS level
  FROM london_postcode
 WHERE postcode_sector(postcode) = postcode_sector('SW1A 2AA')
 ORDER BY postcode LIMIT 6;

\echo '== postcode districts spanning the most wards'
SELECT postcode_district(postcode) AS district, count(DISTINCT ward) AS wards,
       count(DISTINCT borough) AS boroughs
  FROM london_postcode GROUP BY 1 ORDER BY wards DESC, district LIMIT 5;

\echo '== 4-byte postcodes and 8-byte codes: the table and its indexes'
SELECT pg_size_pretty(pg_table_size('london_postcode')) AS table_size,
       pg_size_pretty(pg_indexes_size('london_postcode')) AS index_size,
       (SELECT count(*) FROM london_postcode) AS postcodes;

-- ---------------------------------------------------------------------------
-- Points and wards: British National Grid points, and the ward of every
-- London postcode under the boundaries shipped with civic.
-- ---------------------------------------------------------------------------
\set QUIET on
ALTER TABLE london_postcode ADD COLUMN p bng;
UPDATE london_postcode SET p = bng(eastings, northings) WHERE eastings > 0;
CREATE INDEX ON london_postcode USING gist (p);
ANALYZE london_postcode;
\set QUIET off

\echo '== civic.bng: OS grid references both ways, and the postcodes nearest Trafalgar Square'
SELECT postcode, p, bng_gridref(p) AS gridref, bng_gridref(p, 4) AS km_square,
       round((p <-> 'TQ 30015 80454')::numeric, 1) AS metres
  FROM london_postcode ORDER BY p <-> 'TQ 30015 80454' LIMIT 5;

\echo '== the shipped boundaries: London wards of four vintages, boroughs and the region'
SELECT level, vintage, count(*) AS areas FROM civic.boundary GROUP BY 1, 2 ORDER BY 1, 2;

\echo '== which ward is a point in, under each vintage?'
SELECT v AS vintage, ward_of('TQ 30015 80454'::bng, v) AS ward,
       area_name(ward_of('TQ 30015 80454'::bng, v), v) AS name,
       borough_of('TQ 30015 80454'::bng, v) AS borough,
       area_name(borough_of('TQ 30015 80454'::bng, v)) AS borough_name
  FROM unnest(ARRAY[2011, 2014, 2018, 2022]) v;

\echo '== every London postcode assigned to its 2022 ward in one pass, checked against ONS labels'
\timing on
SELECT count(*) AS postcodes,
       count(*) FILTER (WHERE ward_of(p, 2022) = ward) AS same_ward_as_label,
       round(100.0 * count(*) FILTER (WHERE ward_of(p, 2022) = ward) / count(*), 2) AS percent
  FROM london_postcode WHERE p IS NOT NULL;
\timing off

\echo '== one statement, two vintages: Camden postcodes whose ward was renamed or redrawn between 2018 and 2022'
SELECT area_name(w2018, 2018) AS ward_2018, area_name(w2022, 2022) AS ward_2022, count(*) AS postcodes
  FROM (SELECT ward_of(p, 2018) AS w2018, ward_of(p, 2022) AS w2022
          FROM london_postcode WHERE borough = 'E09000007' AND p IS NOT NULL) s
 WHERE area_name(w2018, 2018) <> area_name(w2022, 2022)
 GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 6;

\echo '== the City of London: its wards and its neighbours'
SELECT string_agg(area_name(w, 2022), ', ' ORDER BY area_name(w, 2022)) AS city_wards
  FROM areas_in('E09000001', 'ward', 2022) w;
SELECT n AS neighbour, area_name(n) AS name FROM neighbours('E09000001') n ORDER BY 2;

-- ---------------------------------------------------------------------------
-- Differential privacy: Metropolitan Police stop-and-search records
-- (September 2022) as sensitive microdata, shared with an analyst only
-- through differentially-private views and a privacy budget.
--
-- Contains public sector information licensed under the Open Government
-- Licence v3.0. Source: data.police.uk
-- ---------------------------------------------------------------------------
\set QUIET on
CREATE TABLE stops_raw (type text, date text, part_of_operation text, operation text,
    latitude float8, longitude float8, gender text, age_range text, self_ethnicity text,
    officer_ethnicity text, legislation text, object_of_search text, outcome text,
    outcome_linked text, removal text);
\set f :civic_data '/police_stop_and_search_met/2022-09-metropolitan-stop-and-search.csv'
COPY stops_raw FROM :'f' WITH (FORMAT csv, HEADER);
CREATE TABLE stops AS
SELECT row_number() OVER () AS id, gender, age_range, outcome, outcome = 'Arrest' AS arrest,
       CASE WHEN latitude IS NOT NULL THEN bng_from_lonlat(longitude, latitude) END AS p
  FROM stops_raw;
CREATE TABLE boroughs AS
SELECT code AS borough, name FROM civic.boundary WHERE level = 'borough';
ALTER TABLE boroughs ADD PRIMARY KEY (borough);     -- a private view groups by a unique key
DO $$
BEGIN
    CREATE ROLE demo_analyst LOGIN;
EXCEPTION WHEN duplicate_object THEN
    NULL;                       -- a second run of the demo in the same cluster
END $$;
REVOKE ALL ON stops, stops_raw FROM PUBLIC;
GRANT SELECT ON boroughs TO demo_analyst;
CREATE SCHEMA stats;
GRANT USAGE ON SCHEMA stats TO demo_analyst;
SELECT civic.set_budget('demo_analyst', 'public.stops', 1.5) \g /dev/null
SELECT civic.create_private_view('stats.stops_by_borough',
  $$SELECT b.borough, b.name,
           civic.dp_count_units(s.id, 0.5) AS stops
      FROM boroughs b LEFT JOIN stops s ON civic.borough_of(s.p) = b.borough
     GROUP BY b.borough, b.name$$,
  'demo_analyst') \g /dev/null
\set QUIET off

\echo '== the true counts, which only the DBA can see'
SELECT coalesce(area_name(borough_of(p)), '(no location or outside London)') AS borough, count(*) AS stops
  FROM stops GROUP BY 1 ORDER BY 2 DESC LIMIT 5;

\echo '== the analyst: no access to the raw rows ...'
SET SESSION AUTHORIZATION demo_analyst;
\set ON_ERROR_STOP off
SELECT count(*) FROM stops;
\set ON_ERROR_STOP on
\echo '== ... but a differentially-private view per borough (epsilon 0.5 per read, with its 95% error bar)'
SELECT name, stops, civic.dp_count_error(0.5) AS plus_minus
  FROM stats.stops_by_borough ORDER BY stops DESC LIMIT 5;
SELECT * FROM civic.budget_remaining('public.stops');
SELECT name, stops FROM stats.stops_by_borough ORDER BY stops DESC LIMIT 3;
SELECT name, stops FROM stats.stops_by_borough ORDER BY stops DESC LIMIT 3;
\echo '== the budget (1.5) is spent: a fourth read is refused, and nothing is returned'
\set ON_ERROR_STOP off
SELECT name, stops FROM stats.stops_by_borough ORDER BY stops DESC LIMIT 3;
\set ON_ERROR_STOP on
SELECT dataset, epsilon, delta, aggregate FROM civic.privacy_ledger ORDER BY "time";
RESET SESSION AUTHORIZATION;

-- ---------------------------------------------------------------------------
-- Releases: the DBA publishes the stop-and-search statistics once, as
-- ordinary tables that BI tools read; the budget is charged once, and
-- reading is free for ever.  Wards (2022), boroughs and London, consistent:
-- ward counts are non-negative integers adding up to their borough's, and
-- boroughs to London's.
-- ---------------------------------------------------------------------------
\echo '== a release: published once (epsilon 2 for 2 measures at 3 levels), charged once, with the areas'' boundaries'
SELECT * FROM civic.publish_release('stops_2022_09', 'public.stops', 'p',
    '[{"name": "stops", "kind": "count"},
      {"name": "arrests", "kind": "count", "column": "arrest"}]',
    epsilon => 2.0, target_schema => 'stats',
    levels => ARRAY['ward', 'borough', 'region'], vintage => 2022,
    grantees => ARRAY['demo_analyst']::regrole[], consistent => true, geometry => 'all');
SELECT name, source, levels, epsilon, consistent, published_by, grantees FROM civic.releases;
-- charged once to the DBA (who reads the rows, so no limit applies, but every charge is recorded)
SELECT round(epsilon_spent::numeric, 6) AS dba_epsilon_spent FROM civic.privacy_budgets
 WHERE role = session_user::regrole AND dataset = 'public.stops';

\echo '== the ten wards with the most stops, with their 95% error bars (noise within +-error, 95% of the time)'
SELECT w.area_name AS ward, b.area_name AS borough, w.stops, w.stops_error AS plus_minus,
       w.arrests, w.arrests_error AS arrests_plus_minus
  FROM stats.stops_2022_09_ward w JOIN stats.stops_2022_09_borough b ON b.area_code = w.parent_code
 ORDER BY w.stops DESC, w.area_code LIMIT 10;

\echo '== consistent: every ward of 2022 is there, the wards add up to their borough, the boroughs to London'
SELECT (SELECT count(*) FROM stats.stops_2022_09_ward) AS wards_released,
       (SELECT count(*) FROM stats.stops_2022_09_ward WHERE stops = 0) AS wards_with_no_stops,
       (SELECT count(*) FROM stats.stops_2022_09_borough b
         WHERE b.stops <> (SELECT sum(w.stops) FROM stats.stops_2022_09_ward w WHERE w.parent_code = b.area_code))
         AS boroughs_not_adding_up,
       (SELECT sum(stops) FROM stats.stops_2022_09_borough) AS boroughs_total,
       (SELECT stops FROM stats.stops_2022_09_region) AS london;

\echo '== the analyst, whose budget the views above used up, reads the release as often as needed, for free'
SET SESSION AUTHORIZATION demo_analyst;
SELECT count(*) AS analyst_charges_before FROM civic.privacy_ledger;
SELECT area_name AS borough, stops, stops_error AS plus_minus, arrests
  FROM stats.stops_2022_09_borough ORDER BY stops DESC, area_code LIMIT 5;
SELECT count(*) AS wards_read, sum(stops) AS stops FROM stats.stops_2022_09_ward;
SELECT count(*) AS wards_read_again, sum(stops) AS stops FROM stats.stops_2022_09_ward;
SELECT count(*) AS analyst_charges_after FROM civic.privacy_ledger;
SELECT epsilon AS analyst_epsilon_left FROM civic.budget_remaining('public.stops');
RESET SESSION AUTHORIZATION;
SELECT round(epsilon_spent::numeric, 6) AS dba_epsilon_spent_after_reads FROM civic.privacy_budgets
 WHERE role = session_user::regrole AND dataset = 'public.stops';

\echo '== the boundaries travel with the numbers: typed geometry for QGIS and Tableau, GeoJSON text for Power BI'
SELECT f_table_name AS release_table, f_geometry_column AS geometry_column, srid, type
  FROM geometry_columns WHERE f_table_schema = 'stats'
 ORDER BY array_position('{stops_2022_09_ward,stops_2022_09_borough,stops_2022_09_region}', f_table_name::text), 2;
SELECT 'ward' AS level, count(*) AS areas, pg_size_pretty(sum(length(geojson))) AS geojson_total,
       max(length(geojson)) AS longest_geojson_chars FROM stats.stops_2022_09_ward
UNION ALL
SELECT 'borough', count(*), pg_size_pretty(sum(length(geojson))), max(length(geojson)) FROM stats.stops_2022_09_borough;

-- A choropleth of the ward release, when this build has civic.choropleth_svg.
\set demo_out ''
\getenv demo_out CIVIC_DEMO_OUT
SELECT EXISTS (SELECT FROM pg_proc WHERE proname = 'choropleth_svg' AND pronamespace = 'civic'::regnamespace)
       AND :'demo_out' <> '' AS have_map \gset
\if :have_map
\set svg :demo_out '/stops_by_ward_2022_09.svg'
\set QUIET on
\pset format unaligned
\pset tuples_only on
\o :svg
SELECT civic.choropleth_svg('ward', 2022,
         (SELECT jsonb_object_agg(area_code, stops) FROM stats.stops_2022_09_ward),
         'Stop and search, September 2022, by ward (differentially private, epsilon 2)', 'stops',
         attribution => 'Contains public sector information licensed under the Open Government Licence v3.0. '
                        'Source: data.police.uk. Boundaries: Office for National Statistics (OGL v3.0); '
                        'contains OS data © Crown copyright and database right 2022.');
\o
\pset tuples_only off
\pset format aligned
\set QUIET off
\echo '== the ward release as a map:' :svg
\endif

-- ---------------------------------------------------------------------------
-- Publication rules: a dashboard that must follow the NHS rule for counts of
-- people ("suppress 1 to 7, round the rest to 5") declares it with its
-- release.  The rule is applied to the noisy values after consistency, so it
-- costs nothing beyond the release's own epsilon, and every refresh applies
-- it again.  Rounded wards still add up to their (rounded) borough.
-- ---------------------------------------------------------------------------
\echo '== a release under the NHS rule: counts 1-7 suppressed, the rest rounded to 5 (epsilon 1, charged once)'
SELECT * FROM civic.publish_release('stops_2022_09_nhs', 'public.stops', 'p',
    '[{"name": "stops", "kind": "count"}]',
    epsilon => 1.0, target_schema => 'stats', levels => ARRAY['ward', 'borough'], vintage => 2022,
    grantees => ARRAY['demo_analyst']::regrole[], consistent => true,
    sdc => '{"suppress": 8, "round": 5}');
SELECT name, sdc, epsilon, epsilon_spent FROM civic.releases WHERE name = 'stops_2022_09_nhs';
SELECT count(*) AS wards, count(*) FILTER (WHERE stops_suppressed) AS wards_suppressed,
       count(*) FILTER (WHERE stops % 5 <> 0) AS not_multiples_of_5,
       (SELECT count(*) FROM stats.stops_2022_09_nhs_borough b
         WHERE b.stops < (SELECT coalesce(sum(w.stops), 0) FROM stats.stops_2022_09_nhs_ward w
                           WHERE w.parent_code = b.area_code)) AS boroughs_below_their_wards
  FROM stats.stops_2022_09_nhs_ward;
SELECT coalesce(stops::text, 'suppressed') AS published_stops, count(*) AS wards, min(stops_error) AS plus_minus
  FROM stats.stops_2022_09_nhs_ward GROUP BY 1 ORDER BY min(coalesce(stops, -1)) LIMIT 6;
\if :have_map
\set svg_nhs :demo_out '/stops_by_ward_2022_09_nhs.svg'
\set QUIET on
\pset format unaligned
\pset tuples_only on
\o :svg_nhs
SELECT civic.choropleth_svg('ward', 2022,
         (SELECT jsonb_object_agg(area_code, stops) FROM stats.stops_2022_09_nhs_ward),
         'Stop and search, September 2022, by ward (NHS rule: 1-7 suppressed, hatched; rounded to 5)', 'stops',
         attribution => 'Contains public sector information licensed under the Open Government Licence v3.0. '
                        'Source: data.police.uk. Boundaries: Office for National Statistics (OGL v3.0); '
                        'contains OS data © Crown copyright and database right 2022.');
\o
\pset tuples_only off
\pset format aligned
\set QUIET off
\echo '== the NHS-rule release as a map, suppressed wards hatched:' :svg_nhs
\endif

\echo
\echo 'civic demo done.  Data: OS Code-Point Open 2024.1.0 (Contains OS data © Crown copyright and database right 2024;'
\echo 'Contains Royal Mail data © Royal Mail copyright and database right 2024; Contains National Statistics data'
\echo '© Crown copyright and database right 2024), ONS Wards 2022 and GLA ward/borough boundaries (Contains'
\echo 'National Statistics data © Crown copyright and database right; Contains OS data © Crown copyright and'
\echo 'database right), data.police.uk stop and search (Open Government Licence v3.0).'
