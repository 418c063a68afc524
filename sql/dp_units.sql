-- Per-unit (per-person) bounding: a person's rows in a group are combined
-- and bounded before noise.  Checked with epsilon = 1e6, where the noise of
-- a count is 0 with probability 1 - 2e^-999999 and the noise of a sum stays
-- within 40 grid units with probability 1 - 1e-17; then a real-data example.
-- False-failure budget: the near-noiseless checks (< 1e-15 in all) and the
-- example's error-bar check (8 groups at confidence 1 - 1e-9: 8e-9).
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS dp_test;
-- err(q) as in dp_interface (so that this file runs alone)
CREATE OR REPLACE FUNCTION dp_test.err(q text) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- Three people: 'ann' has 5 rows of 100, 'bob' 1 row of 7, 'cy' 2 rows of
-- -3; a NULL unit is ignored.
CREATE TABLE dp_test.people (unit text, v float8);
INSERT INTO dp_test.people VALUES
    ('ann', 100), ('ann', 100), ('ann', 100), ('ann', 100), ('ann', 100),
    ('bob', 7), ('cy', -3), ('cy', -3), (NULL, 50);

SELECT civic.dp_count_units(unit, 1e6) AS units,            -- 3
       civic.dp_count(unit, 2, 1e6) AS rows_capped_2,        -- 2 + 1 + 2
       civic.dp_count(unit, 1, 1e6) AS rows_capped_1,        -- 3
       civic.dp_count(1e6) AS rows_                          -- 9 (NULL unit too)
  FROM dp_test.people;
-- Each person's total is clamped to [0, 50]: 50 + 7 + 0 = 57; their own
-- mean clamped to [0, 50]: (50 + 7 + 0) / 3 = 19.  The plain dp_sum clamps
-- rows, not people: 5 * 50 + 7 + 0 + 50 = 307.
-- At epsilon 1e6 the noise is a few steps of the 2^-14 grid: the mean is
-- off by k steps with probability about 0.13 * 0.033^(k-1) (3000 draws:
-- 2594 exact, 393 one step, 13 two), so 10 steps fail about once in 1e13.
SELECT abs(civic.dp_sum_per_unit(unit, v, 0, 50, 1e6) - 57) <= 40 * 2 ^ -14 AS sum_per_unit,
       abs(civic.dp_avg_per_unit(unit, v, 0, 50, 1e6) - 19) <= 10 * 2 ^ -14 AS avg_per_unit,
       abs(civic.dp_sum(v, 0, 50, 1e6) - 307) <= 40 * 2 ^ -14 AS plain_sum_clamps_rows
  FROM dp_test.people;

-- Units of other types: integers, numeric, uuid, dates.
SELECT civic.dp_count_units(g % 7, 1e6) AS int_units,
       civic.dp_count_units((g % 7)::numeric / 2, 1e6) AS numeric_units,
       civic.dp_count_units(md5((g % 7)::text)::uuid, 1e6) AS uuid_units,
       civic.dp_count_units(date '2020-01-01' + g % 7, 1e6) AS date_units
  FROM generate_series(1, 1000) g;
-- A unit type without hashing is refused clearly.
SELECT dp_test.err('SELECT civic.dp_count_units(point(g, g), 1.0) FROM generate_series(1, 3) g');
-- Units grow the table well past its initial size.
SELECT civic.dp_count_units(g, 1e6) = 100000 AS many_units FROM generate_series(1, 100000) g;

-- GROUP BY cost: with disjoint groups and each person in one group, the
-- release costs epsilon once (parallel composition); a person in k groups
-- costs k * epsilon.  civic does not know the data's structure: bound it
-- in the query, e.g. keep each person's first row only (one group each).
SELECT grp, civic.dp_count_units(unit, 1e6) AS units
  FROM (SELECT DISTINCT ON (unit) unit, grp
          FROM (VALUES ('ann', 'a'), ('ann', 'b'), ('bob', 'b')) x(unit, grp)
         ORDER BY unit, grp) one_group_each
 GROUP BY grp ORDER BY grp;

-- London: Metropolitan Police stop and search, June 2016 (one row per
-- stop).  Counts by age range with epsilon = 1 each over disjoint groups
-- (total cost epsilon = 1 per stop).  Every release is within its
-- 1 - 1e-9 error bar of the true count.
CREATE TABLE dp_test.stops (
    type text, date text, part_of_operation text, operation text,
    latitude float8, longitude float8, gender text, age_range text,
    self_ethnicity text, officer_ethnicity text, legislation text,
    object_of_search text, outcome text, outcome_linked text, removal text);
\set QUIET on
\getenv civic_data CIVIC_DATA
\set f :civic_data '/police_stop_and_search_met/2016-06-metropolitan-stop-and-search.csv'
COPY dp_test.stops FROM :'f' WITH (FORMAT csv, HEADER);
\set QUIET off
SELECT count(*) AS stops FROM dp_test.stops;
SELECT count(*) AS age_groups,
       bool_and(abs(noisy - n) <= civic.dp_count_error(1.0, 1 - 1e-9)) AS within_error_bar
  FROM (SELECT coalesce(age_range, 'unknown'), civic.dp_count(1.0) AS noisy, count(*) AS n
          FROM dp_test.stops GROUP BY 1) s;
DROP TABLE dp_test.people, dp_test.stops;
