-- The year -> vintage rule, in every function that takes a vintage: a year
-- that is not a loaded vintage means the boundaries in force then (the
-- newest loaded vintage before it: 2020 -> the 2018 wards, 2016 -> 2014), a
-- year before the first loaded vintage (wards: 2011) is an error 22023 that
-- lists the loaded vintages, and levels stored under vintage 0 (boroughs,
-- the region) serve every year.  NULL keeps its meaning (the newest).
SET search_path = public, civic;

-- The rule itself, as the point lookups apply it.
SELECT boundary_vintage('ward', 2020) AS ward_2020, boundary_vintage('ward', 2016) AS ward_2016,
       boundary_vintage('ward', 2030) AS ward_2030, boundary_vintage('borough', 1900) AS borough_1900;

-- Two wards: St. James's (Westminster) of 2014/2018, recoded in 2022, and a
-- ward of the 2022 set only.
SELECT area_name('E05000644', 2018) AS name_2018, area_name('E05000644', 2020) AS name_2020,
       area_name('E05000644', 2016) AS name_2016, area_name('E05000644', 2024) AS name_2024,
       area_name('E05013806') AS new_ward_newest, area_name('E05013806', 2023) AS new_ward_2023,
       area_name('E05013806', 2021) AS new_ward_2021;

-- ---------------------------------------------------------- every function
-- For each function and a year that is not a loaded vintage: the same answer
-- as for the vintage in force then.
SELECT area_name(b.code, 2020) IS NOT DISTINCT FROM area_name(b.code, 2018) AS area_name,
       parent_of(b.code, 2020) IS NOT DISTINCT FROM parent_of(b.code, 2018) AS parent_of,
       count(*) AS areas
  FROM civic.boundary b
 WHERE b.vintage IN (0, 2014, 2018, 2022)
 GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) FILTER (WHERE area_name(b.code, 2020) IS NULL) AS nameless_2018_wards,
       count(*) FILTER (WHERE parent_of(b.code, 2020) IS NULL) AS orphan_2018_wards,
       count(*) FILTER (WHERE area_name(b.code, 2016) IS DISTINCT FROM area_name(b.code, 2014)) AS differ_2016
  FROM civic.boundary b
 WHERE b.level = 'ward' AND b.vintage = 2018;
SELECT array(SELECT neighbours('E05000644', 2020)) = array(SELECT neighbours('E05000644', 2018)) AS neighbours,
       (SELECT count(*) FROM neighbours('E05000644', 2020)) AS neighbours_2020,
       (SELECT count(*) FROM neighbours('E05013806', 2021)) AS new_ward_in_2021,
       array(SELECT areas_in('E09000033', 'ward', 2020)) = array(SELECT areas_in('E09000033', 'ward', 2018)) AS areas_in,
       resolve_area('St James''s', 'ward', 2020) = resolve_area('St James''s', 'ward', 2018) AS resolve_area,
       array(SELECT code FROM match_areas('St Jamess', 'ward', 2020))
         = array(SELECT code FROM match_areas('St Jamess', 'ward', 2018)) AS match_areas,
       area_geojson('ward', 2020, 500) = area_geojson('ward', 2018, 500) AS area_geojson,
       choropleth_svg('borough', 2020, '{"E09000001": 1}') = choropleth_svg('borough', 2018, '{"E09000001": 1}') AS choropleth_svg,
       ward_of('SW1A 1AA'::postcode, 2020) = ward_of('SW1A 1AA'::postcode, 2018) AS ward_of_postcode;
-- Crosswalks between two years in force under the same vintage are the
-- identity of that vintage's areas.
SELECT count(*) AS pairs, count(*) FILTER (WHERE from_code = to_code AND weight = 1) AS identity
  FROM crosswalk(2019, 2021);
SELECT change, count(*) FROM area_changes(2019, 2021) GROUP BY 1;
SELECT count(*) AS restated, sum(value) AS total
  FROM restate(ARRAY['E05000644', 'E05000645']::gsscode[], ARRAY[10, 20]::float8[], 2019, 2021);
-- A release for a year publishes the areas in force then: 2020 -> the 657
-- wards of 2018, named so in the table's comment; the registry keeps the year.
CREATE SCHEMA vintage_years_src;
CREATE SCHEMA vintage_years_out;
CREATE TABLE vintage_years_src.points AS
SELECT g AS id, bng(530043.19 + g, 180358.21) AS p FROM generate_series(1, 3) g;
SELECT * FROM publish_release('vintage_years', 'vintage_years_src.points', 'p',
    '[{"name": "n", "kind": "count"}]', 1, 'vintage_years_out', vintage => 2020);
SELECT count(*) AS wards,
       count(*) FILTER (WHERE area_code::gsscode IN (SELECT code FROM civic.boundary
                                                      WHERE level = 'ward' AND vintage = 2018)) AS wards_2018,
       bool_and(area_name = area_name(area_code::gsscode, 2020)) AS names_2020
  FROM vintage_years_out.vintage_years_ward;
SELECT obj_description('vintage_years_out.vintage_years_ward'::regclass) LIKE '%(2018 boundaries)%' AS says_2018;
SELECT vintage FROM civic.releases WHERE name = 'vintage_years';
SELECT drop_release('vintage_years');
-- a year before the first ward vintage: 22023, nothing published
\set VERBOSITY sqlstate
SELECT publish_release('bad', 'vintage_years_src.points', 'p', '[{"name": "n", "kind": "count"}]', 1, 'vintage_years_out', vintage => 2005);
\set VERBOSITY default
SELECT count(*) AS releases FROM civic.releases WHERE name = 'bad';
DROP SCHEMA vintage_years_src CASCADE;
DROP SCHEMA vintage_years_out CASCADE;
-- boroughs are vintage-independent: every year has them
SELECT area_name('E09000001', 1900) AS city_1900, parent_of('E09000033', 1900) AS region_1900,
       (SELECT count(*) FROM neighbours('E09000001', 1900)) AS city_neighbours_1900;

-- --------------------------------------------- a year before the first one
-- The same error as ward_of's, from every function of a ward code or level.
\set VERBOSITY default
SELECT ward_of(bng(530043.19, 180358.21), 2005);
SELECT area_name('E05000644', 2005);
SELECT parent_of('E05000644', 2010);
SELECT * FROM neighbours('E05000644', 2005);
SELECT * FROM areas_in('E09000033', 'ward', 2005);
SELECT resolve_area('St James''s', 'ward', 2005);
SELECT * FROM match_areas('St James''s', 'ward', 2005);
SELECT * FROM crosswalk(2005, 2018);
SELECT * FROM area_changes(2018, 2005);
SELECT * FROM restate(ARRAY['E05000644']::gsscode[], ARRAY[1]::float8[], 2005, 2018);
SELECT area_geojson('ward', 2005);
SELECT choropleth_svg('ward', 2005, '{}');
SELECT ward_of('SW1A 1AA'::postcode, 2005);
\set VERBOSITY terse
-- the SQLSTATE, for each
DO $$
DECLARE
    calls text[] := ARRAY[
        $q$SELECT civic.ward_of(civic.bng(530043.19, 180358.21), 2005)$q$,
        $q$SELECT civic.area_name('E05000644', 2005)$q$,
        $q$SELECT civic.parent_of('E05000644', 2010)$q$,
        $q$SELECT civic.neighbours('E05000644', 2005)$q$,
        $q$SELECT civic.areas_in('E09000033', 'ward', 2005)$q$,
        $q$SELECT civic.resolve_area('St James''s', 'ward', 2005)$q$,
        $q$SELECT civic.match_areas('St James''s', 'ward', 2005)$q$,
        $q$SELECT civic.crosswalk(2005, 2018)$q$,
        $q$SELECT civic.area_changes(2018, 2005)$q$,
        $q$SELECT civic.area_geojson('ward', 2005)$q$,
        $q$SELECT civic.choropleth_svg('ward', 2005, '{}')$q$];
    c text;
    state text;
BEGIN
    FOREACH c IN ARRAY calls LOOP
        BEGIN
            EXECUTE c;
            state := 'no error';
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
        END;
        RAISE NOTICE '%: %', state, c;
    END LOOP;
END
$$;

-- A code that is not an area, or NULL: NULL, whatever the year.
SELECT area_name('E05999999', 2005) AS unknown_code, parent_of(NULL, 2005) AS null_code,
       area_name('E05000644', NULL) AS null_year;
