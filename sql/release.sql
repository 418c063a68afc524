-- Releases: a DP table published once, charged once, read for free.
SET search_path = "$user", public, civic;  -- as the database's (sql/00_install.sql), so this file runs alone
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_release_pub;
DROP ROLE IF EXISTS regress_release_analyst;
DROP ROLE IF EXISTS regress_release_outsider;
DROP ROLE IF EXISTS "Regress Release Viewer";
DROP ROLE IF EXISTS regress_release_rich;
RESET client_min_messages;
CREATE ROLE regress_release_pub;
CREATE ROLE regress_release_analyst;
CREATE ROLE regress_release_outsider;
CREATE ROLE "Regress Release Viewer";
CREATE SCHEMA release_src;
CREATE SCHEMA release_out AUTHORIZATION regress_release_pub;
GRANT USAGE ON SCHEMA release_src TO regress_release_pub;

-- Sensitive rows: one person a row, at an interior point of a 2022 ward;
-- ward number k (in code order) has k % 5 people, so a fifth of the wards
-- have nobody.
CREATE TABLE release_src.people AS
SELECT pg_catalog.row_number() OVER () AS id, w.code AS ward_code,
       ST_PointOnSurface(w.geom) AS g, ST_PointOnSurface(w.geom)::civic.bng AS p,
       (n * 17 % 90)::int AS age, (n * 17 % 90)::numeric(6,1) AS age_n, n % 2 = 1 AS odd
  FROM (SELECT code, geom, row_number() OVER (ORDER BY code) AS k
          FROM civic.boundary WHERE level = 'ward' AND vintage = 2022) w
 CROSS JOIN LATERAL generate_series(1, (w.k % 5)::int) n;
REVOKE ALL ON release_src.people FROM PUBLIC;
GRANT SELECT ON release_src.people TO regress_release_pub;
-- a geometry column that is not all points
CREATE TABLE release_src.shapes AS
SELECT ST_Centroid(geom) AS g FROM civic.boundary WHERE level = 'borough'
UNION ALL SELECT ST_Boundary(geom) FROM civic.boundary WHERE level = 'region';
GRANT SELECT ON release_src.shapes TO regress_release_pub;
SELECT civic.set_budget('regress_release_pub', 'release_src.people', 10.0);
-- the true counts, from the same lookup the release uses
CREATE TABLE release_src.truth AS
SELECT civic.ward_of(p, 2022)::text AS ward, count(*) AS n, count(*) FILTER (WHERE odd) AS odd
  FROM release_src.people GROUP BY 1;

-- Publish as the publisher: ward and borough and London, consistent.
SET SESSION AUTHORIZATION regress_release_pub;
SELECT * FROM civic.publish_release('people', 'release_src.people', 'p',
    '[{"name": "people", "kind": "count"},
      {"name": "total_age", "kind": "sum", "column": "age", "lower": 0, "upper": 100},
      {"name": "mean_age", "kind": "avg", "column": "age", "lower": 0, "upper": 100}]',
    epsilon => 1.5, target_schema => 'release_out',
    levels => ARRAY['region', 'ward', 'borough'], vintage => 2022,
    grantees => ARRAY['regress_release_analyst', '"Regress Release Viewer"']::regrole[], consistent => true);
-- charged once: 1.5 (each of 9 aggregates 1/6, rounded down to 1e-9).  The
-- publisher reads the source in full, so no limit applies to it (noise
-- protects nothing from a role that can read the rows), but every charge is
-- recorded.
SELECT abs(epsilon_spent - 1.5) < 1e-7 AS charged_once
  FROM civic.privacy_budgets WHERE dataset = 'release_src.people';

-- Integer key 1..n in code order; built-in types only; comments on the table and every column.
SELECT bool_and(id = rn) AS key_in_code_order
  FROM (SELECT id, row_number() OVER (ORDER BY area_code) AS rn FROM release_out.people_ward) s;
SELECT attname, format_type(atttypid, atttypmod) AS type, col_description(attrelid, attnum) IS NOT NULL AS commented
  FROM pg_attribute WHERE attrelid = 'release_out.people_ward'::regclass AND attnum > 0 ORDER BY attnum;
SELECT obj_description('release_out.people_ward'::regclass, 'pg_class') LIKE 'civic release people:%' AS table_commented;
-- Consistency holds exactly: non-negative integers, wards add up to their
-- borough, boroughs to London.
SELECT bool_and(people >= 0) AS non_negative FROM release_out.people_ward;
SELECT count(*) AS boroughs_not_matching
  FROM release_out.people_borough b
  LEFT JOIN (SELECT parent_code, sum(people) AS s FROM release_out.people_ward GROUP BY 1) w
    ON w.parent_code = b.area_code
 WHERE b.people IS DISTINCT FROM COALESCE(w.s, 0);
SELECT (SELECT sum(people) FROM release_out.people_borough) = (SELECT people FROM release_out.people_region)
       AS boroughs_add_up_to_london;
-- Error bars beside each measure, from the published parameters (each share
-- 1.5 / 9 rounded down to 1e-9).
SELECT bool_and(people_error = civic.dp_count_error(0.166666666))
       AND bool_and(total_age_error = civic.dp_sum_error(0, 100, 0.166666666))
       AND bool_and(mean_age_error = civic.dp_avg_error(0, 100, 0.166666666, greatest(people, 1), 0.95, 0, mean_age))
       AS error_bars
  FROM release_out.people_ward;
-- The registry.
SELECT name, source, location_kind, levels, vintage, epsilon, consistent, tables, grantees,
       published_by, computations, epsilon_spent
  FROM civic.releases;

-- Reading is free, for the publisher and for the analyst.
SELECT count(*) FROM release_out.people_ward;
SELECT sum(people) > 0 FROM release_out.people_borough;
SELECT abs(epsilon_spent - 1.5) < 1e-7 AS unchanged_after_reads
  FROM civic.privacy_budgets WHERE dataset = 'release_src.people';
RESET SESSION AUTHORIZATION;

-- Every area of the level and vintage appears (a fifth of the wards have
-- nobody), and nothing else.
SELECT (SELECT array_agg(area_code ORDER BY area_code) FROM release_out.people_ward)
     = (SELECT array_agg(code::text ORDER BY code) FROM civic.boundary WHERE level = 'ward' AND vintage = 2022)
       AS every_ward,
       (SELECT count(*) FROM release_out.people_ward w LEFT JOIN release_src.truth t ON t.ward = w.area_code
         WHERE t.ward IS NULL) > 100 AS with_empty_wards,
       (SELECT array_agg(area_code ORDER BY area_code) FROM release_out.people_borough)
     = (SELECT array_agg(code::text ORDER BY code) FROM civic.boundary WHERE level = 'borough')
       AS every_borough,
       (SELECT array_agg(area_code) FROM release_out.people_region) AS region;

SET SESSION AUTHORIZATION regress_release_analyst;
SELECT count(*) AS wards, count(*) FILTER (WHERE people >= 0) AS readable FROM release_out.people_ward;
SELECT area_name, people >= 0 AS has_count FROM release_out.people_region;
SELECT count(*) FROM civic.privacy_ledger;           -- never charged
SELECT * FROM release_src.people LIMIT 1;            -- the source: no
SELECT count(*) FROM release_src.truth;              -- nor anything else
SELECT civic.refresh_release('people');              -- not the analyst's to refresh
SELECT civic.drop_release('people');
INSERT INTO civic.release SELECT * FROM civic.release;   -- nor to forge
UPDATE civic.release SET epsilon = 0.001;
SELECT count(*) AS rows_changed FROM civic.release WHERE epsilon <> 1.5;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_release_outsider;
SELECT count(*) FROM release_out.people_ward;        -- not granted
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION "Regress Release Viewer";
SELECT count(*) AS wards FROM release_out.people_ward;
RESET SESSION AUTHORIZATION;

-- Refresh: new noise, charged once more; same areas and keys.
SET SESSION AUTHORIZATION regress_release_pub;
SELECT civic.refresh_release('people');
SELECT abs(epsilon_spent - 3.0) < 1e-7 AS charged_again
  FROM civic.privacy_budgets WHERE dataset = 'release_src.people';
SELECT count(*) AS wards, min(id), max(id) FROM release_out.people_ward;
SELECT computations, epsilon_spent, refreshed_at IS NOT NULL AS refreshed FROM civic.releases;
-- A refresh that fails (the publisher can no longer read the source) changes
-- nothing and charges nothing.
RESET SESSION AUTHORIZATION;
REVOKE SELECT ON release_src.people FROM regress_release_pub;
SET SESSION AUTHORIZATION regress_release_pub;
CREATE TEMP TABLE before AS SELECT * FROM release_out.people_ward;
\set VERBOSITY terse
SELECT civic.refresh_release('people');
\set VERBOSITY default
SELECT count(*) = 0 AS unchanged FROM (SELECT * FROM release_out.people_ward EXCEPT SELECT * FROM before) d;
SELECT computations FROM civic.releases;
SELECT abs(epsilon_spent - 3.0) < 1e-7 AS failed_refresh_not_charged
  FROM civic.privacy_budgets WHERE dataset = 'release_src.people';
DROP TABLE before;
RESET SESSION AUTHORIZATION;
GRANT SELECT ON release_src.people TO regress_release_pub;

-- Invalid declarations: a clear error, nothing left behind, nothing charged.
SELECT civic.set_budget('regress_release_pub', 'release_src.people', 10.0);
SET SESSION AUTHORIZATION regress_release_pub;
CREATE TEMP TABLE spent_before AS
    SELECT epsilon_spent AS epsilon FROM civic.privacy_budgets WHERE dataset = 'release_src.people';
\set VERBOSITY terse
SELECT civic.publish_release('Bad Name', 'release_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'release_out');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "n", "kind": "count"}]', 0, 'release_out');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'release_out', delta => 1);
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'release_out', levels => '{}');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'release_out', levels => '{lsoa}');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'release_out', levels => '{ward,ward}');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'release_out', levels => '{ward,region}', consistent => true);
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'release_out', vintage => 2005);
SELECT civic.publish_release('bad', 'release_src.people', 'nowhere', '[{"name": "n", "kind": "count"}]', 1, 'release_out');
SELECT civic.publish_release('bad', 'release_src.people', 'age', '[{"name": "n", "kind": "count"}]', 1, 'release_out');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'release_out', unit => 'nobody');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '{"name": "n", "kind": "count"}', 1, 'release_out');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[]', 1, 'release_out');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "n", "kind": "median"}]', 1, 'release_out');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "n", "kind": "count", "colum": "age"}]', 1, 'release_out');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "n", "kind": "count"}, {"name": "n", "kind": "count"}]', 1, 'release_out');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "area_code", "kind": "count"}]', 1, 'release_out');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "n", "kind": "count", "column": "age"}]', 1, 'release_out');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "n", "kind": "count", "column": "odd", "upper": 1}]', 1, 'release_out');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "s", "kind": "sum", "column": "age"}]', 1, 'release_out');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "s", "kind": "sum", "column": "age", "lower": 10, "upper": 0}]', 1, 'release_out');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "s", "kind": "sum", "column": "age", "lower": 0, "upper": 99.5}]', 1, 'release_out');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "s", "kind": "sum", "column": "ward_code", "lower": 0, "upper": 1}]', 1, 'release_out');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "s", "kind": "avg", "column": "nothing", "lower": 0, "upper": 1}]', 1, 'release_out');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'no_such_schema');
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'release_src');
SELECT civic.publish_release('people', 'release_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'release_out');
CREATE TABLE release_out.taken_ward (x int);
SELECT civic.publish_release('taken', 'release_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'release_out');
SELECT civic.publish_release('bad', 'release_src.truth', 'ward', '[{"name": "n", "kind": "count"}]', 1, 'release_out');
SELECT civic.publish_release('bad', 'release_src.shapes', 'g', '[{"name": "n", "kind": "count"}]', 1, 'release_out');
-- an epsilon that is not a positive number
SELECT civic.publish_release('bad', 'release_src.people', 'p', '[{"name": "n", "kind": "count"}]', -1, 'release_out');
\set VERBOSITY default
SELECT array_agg(relname ORDER BY relname) AS tables_in_schema
  FROM pg_class WHERE relnamespace = 'release_out'::regnamespace AND relkind = 'r';
SELECT array_agg(name) AS releases FROM civic.releases;
SELECT r.epsilon_spent = b.epsilon AS nothing_charged
  FROM civic.privacy_budgets r, spent_before b WHERE r.dataset = 'release_src.people';
DROP TABLE release_out.taken_ward, spent_before;
RESET SESSION AUTHORIZATION;

-- Locations: an area-code column and a geometry column give the same
-- release as the bng points (epsilon so large that the noise is zero with
-- probability 1 - 1e-300), and every area appears.
SELECT * FROM civic.publish_release('by_code', 'release_src.people', 'ward_code',
    '[{"name": "n", "kind": "count"}, {"name": "odd", "kind": "count", "column": "odd"}]', 4000, 'release_out',
    levels => '{ward,borough}', vintage => 2022);
SELECT * FROM civic.publish_release('by_geom', 'release_src.people', 'g',
    '[{"name": "n", "kind": "count"}, {"name": "mean_age", "kind": "avg", "column": "age_n", "lower": 0, "upper": 100}]',
    8000, 'release_out', levels => '{ward,borough}', unit => 'id');
SELECT count(*) AS wards_differing
  FROM release_out.by_code_ward c FULL JOIN release_src.truth t ON t.ward = c.area_code
 WHERE c.n IS DISTINCT FROM COALESCE(t.n, 0) OR c.odd IS DISTINCT FROM COALESCE(t.odd, 0);
SELECT count(*) AS geometry_differs_from_truth
  FROM release_out.by_geom_ward c FULL JOIN release_src.truth t ON t.ward = c.area_code
 WHERE c.n IS DISTINCT FROM COALESCE(t.n, 0);
SELECT count(*) AS boroughs_differing
  FROM release_out.by_code_borough c
  JOIN (SELECT parent_code, sum(n) AS n FROM release_out.by_code_ward GROUP BY 1) w ON w.parent_code = c.area_code
 WHERE c.n <> w.n;
SELECT format_type(atttypid, atttypmod) AS by_geom_mean_age_type
  FROM pg_attribute WHERE attrelid = 'release_out.by_geom_ward'::regclass AND attname = 'mean_age';

-- A consistent release needs every area's parent among the areas above: a
-- ward loaded with a parent that is no borough is refused before anything runs.
BEGIN;
INSERT INTO civic.boundary (vintage, level, code, name, parent, geom)
SELECT 2022, 'ward', 'E05999999', 'Nowhere', 'E09999999', ST_Translate(geom, 0, -100000)
  FROM civic.boundary WHERE level = 'ward' AND vintage = 2022 ORDER BY code LIMIT 1;
\set VERBOSITY terse
SELECT civic.publish_release('orphan', 'release_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1,
    'release_out', levels => '{ward,borough}', vintage => 2022, consistent => true);
\set VERBOSITY default
ROLLBACK;

-- Consistency's error, measured (docs/releases.md): on this table (704
-- wards with 0 to 4 people each, epsilon 1/3 for each level) the raw noisy
-- ward counts are off by 2.9 on average and the consistent ones by 1.9
-- (12 runs: standard deviations 0.12 and 0.08), so "consistent is closer"
-- fails with probability below 1e-9; the 95% error bar covers 98.9% of the
-- fitted counts (10 runs: s.d. 0.5%, so "at least 90%" is 17 s.d. away); and
-- London's consistent total stays within the 1 - 1e-9 error bar of its noisy
-- count.
SELECT * FROM civic.publish_release('raw', 'release_src.people', 'p',
    '[{"name": "n", "kind": "count"}]', 1, 'release_out', levels => '{ward,borough,region}');
SELECT * FROM civic.publish_release('fitted', 'release_src.people', 'p',
    '[{"name": "n", "kind": "count"}]', 1, 'release_out', levels => '{ward,borough,region}', consistent => true);
SELECT avg(abs(f.n - COALESCE(t.n, 0))) < avg(abs(r.n - COALESCE(t.n, 0))) AS consistent_is_closer
  FROM release_out.raw_ward r JOIN release_out.fitted_ward f USING (area_code)
  LEFT JOIN release_src.truth t ON t.ward = r.area_code;
SELECT avg((abs(f.n - COALESCE(t.n, 0)) <= f.n_error)::int) >= 0.9 AS error_bar_covers_fitted
  FROM release_out.fitted_ward f LEFT JOIN release_src.truth t ON t.ward = f.area_code;
SELECT abs(f.n - (SELECT sum(n) FROM release_src.truth WHERE ward IS NOT NULL))
       <= civic.dp_count_error(0.333333333, 1 - 1e-9) AS london_within_error_bar
  FROM release_out.fitted_region f;

-- SET ROLE does not change who pays: the session role is charged, whatever
-- role the publisher switched to (a richer role's budget stays untouched).
CREATE ROLE regress_release_rich;
GRANT regress_release_rich TO regress_release_pub;
GRANT USAGE ON SCHEMA release_src TO regress_release_rich;
GRANT SELECT ON release_src.people TO regress_release_rich;
GRANT USAGE, CREATE ON SCHEMA release_out TO regress_release_rich;
SELECT civic.set_budget('regress_release_rich', 'release_src.people', 100);
SELECT civic.set_budget('regress_release_pub', 'release_src.people', 10);
SELECT civic.reset_budget('regress_release_pub', 'release_src.people');
SET SESSION AUTHORIZATION regress_release_pub;
SET ROLE regress_release_rich;
SELECT * FROM civic.publish_release('as_rich', 'release_src.people', 'p', '[{"name": "n", "kind": "count"}]',
    0.5, 'release_out');
RESET ROLE;
SELECT abs(epsilon_spent - 0.5) < 1e-7 AS session_role_paid
  FROM civic.privacy_budgets WHERE dataset = 'release_src.people';
RESET SESSION AUTHORIZATION;
SELECT coalesce(sum(epsilon_spent), 0) AS rich_spent FROM civic.privacy_budgets
 WHERE role = 'regress_release_rich'::regrole AND dataset = 'release_src.people';
SELECT published_by, pg_get_userbyid(relowner) AS owner
  FROM civic.releases, pg_class WHERE name = 'as_rich' AND oid = 'release_out.as_rich_ward'::regclass;
SELECT civic.drop_release('as_rich');

-- Hostile names and a hijacking search_path: column names with quotes and
-- spaces are quoted, and look-alikes of what the release query calls, first
-- on the caller's search_path, are never called.
CREATE SCHEMA release_trap;
CREATE TABLE release_trap."odd ""table""" AS
SELECT p AS "the point", age AS "age); DROP TABLE release_src.people; --" FROM release_src.people;
CREATE FUNCTION release_trap.area_of(civic.bng, text, int) RETURNS civic.gsscode
    LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'trap: area_of'; END $$;
CREATE FUNCTION release_trap.format(text, text) RETURNS text
    LANGUAGE sql AS $$ SELECT 'SELECT 1/0' $$;
CREATE FUNCTION release_trap.dp_count(float8, float8) RETURNS bigint
    LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'trap: dp_count'; END $$;
CREATE OPERATOR release_trap.= (LEFTARG = text, RIGHTARG = text, FUNCTION = pg_catalog.textne);
SET search_path = release_trap, public, civic, pg_catalog;
SELECT * FROM civic.publish_release('hostile', 'release_trap."odd ""table"""', 'the point',
    '[{"name": "n", "kind": "count"},
      {"name": "s", "kind": "sum", "column": "age); DROP TABLE release_src.people; --", "lower": 0, "upper": 100}]',
    1, 'release_out', levels => '{borough,region}', consistent => true);
SET search_path = "$user", public, civic;  -- back to the database's
SELECT count(*) AS boroughs, bool_and(n >= 0) AS counted FROM release_out.hostile_borough;
SELECT count(*) > 0 AS source_still_there FROM release_src.people;
DROP SCHEMA release_trap CASCADE;

-- Drop: tables and record go; the ledger keeps the charges.
SELECT civic.drop_release(name) FROM civic.releases ORDER BY name;
SELECT count(*) AS releases_left FROM civic.releases;
SELECT count(*) AS tables_left FROM pg_class WHERE relnamespace = 'release_out'::regnamespace AND relkind = 'r';
SELECT civic.drop_release('people');

DROP SCHEMA release_out CASCADE;
DROP SCHEMA release_src CASCADE;
DROP ROLE regress_release_pub;
DROP ROLE regress_release_analyst;
DROP ROLE regress_release_outsider;
DROP ROLE "Regress Release Viewer";
DROP ROLE regress_release_rich;
