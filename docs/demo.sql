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
