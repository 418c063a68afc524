-- civic.postcode against real data: every postcode in the three OS
-- Code-Point Open London releases (2014.3.0, 2018.3.0, 2024.1.0) parses and
-- round-trips to its normalised text.
\set QUIET on
\getenv civic_data CIVIC_DATA
CREATE SCHEMA postcode_data_test;
CREATE TABLE postcode_data_test.codepoint (
    release text, postcode text, positional_quality_indicator int,
    eastings int, northings int, country_code text, nhs_regional_ha_code text,
    nhs_ha_code text, admin_county_code text, admin_district_code text,
    admin_ward_code text);
CREATE TEMP TABLE load (LIKE postcode_data_test.codepoint);
ALTER TABLE load DROP COLUMN release;
\set f :civic_data '/postcodes_codepoint_open/codepoint_open_2014.3.0_london_dev.csv'
COPY load FROM :'f' WITH (FORMAT csv, HEADER);
INSERT INTO postcode_data_test.codepoint SELECT '2014.3.0', * FROM load;
TRUNCATE load;
\set f :civic_data '/postcodes_codepoint_open/codepoint_open_2018.3.0_london_dev.csv'
COPY load FROM :'f' WITH (FORMAT csv, HEADER);
INSERT INTO postcode_data_test.codepoint SELECT '2018.3.0', * FROM load;
TRUNCATE load;
\set f :civic_data '/postcodes_codepoint_open/codepoint_open_2024.1.0_london_dev.csv'
COPY load FROM :'f' WITH (FORMAT csv, HEADER);
INSERT INTO postcode_data_test.codepoint SELECT '2024.1.0', * FROM load;
\set QUIET off

-- The raw text has oddities: the 2014 and 2018 releases use OS's fixed
-- 7-character form (two spaces in "E1  0AA", none in "CR441AA").
SELECT release, count(*) AS postcodes,
       count(*) FILTER (WHERE postcode ~ '  ') AS with_two_spaces,
       count(*) FILTER (WHERE postcode !~ ' ') AS without_space,
       count(*) FILTER (WHERE postcode ~ '^[A-Z0-9]+ [A-Z0-9]+$') AS with_one_space
  FROM postcode_data_test.codepoint GROUP BY release ORDER BY release;

-- Every one is a valid postcode, and text -> postcode -> text gives the
-- normalised original (upper case, the codes split before the last three
-- characters by one space).
SELECT release, count(*) AS postcodes,
       count(*) FILTER (WHERE civic.is_valid_postcode(postcode)) AS valid,
       bool_and(civic.postcode(postcode)::text
                = regexp_replace(upper(replace(postcode, ' ', '')), '(...)$', ' \1')) AS round_trip,
       bool_and(civic.postcode_outward(civic.postcode(postcode)) || ' ' ||
                civic.postcode_inward(civic.postcode(postcode)) = civic.postcode(postcode)::text) AS outward_inward
  FROM postcode_data_test.codepoint GROUP BY release ORDER BY release;

-- Distinct postcodes are distinct values, and the outward codes found are the
-- London areas.
SELECT count(DISTINCT regexp_replace(postcode, '\s', '', 'g')) AS distinct_text,
       count(DISTINCT civic.postcode(postcode)) AS distinct_postcodes,
       string_agg(DISTINCT civic.postcode_area(civic.postcode(postcode)), ' ') AS areas
  FROM postcode_data_test.codepoint;

DROP SCHEMA postcode_data_test CASCADE;
