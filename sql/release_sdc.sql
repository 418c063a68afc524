SET search_path = "$user", public, civic;
-- Releases with disclosure control (docs/releases.md, "Disclosure control"):
-- rounding and suppression of the counts, declared with the release,
-- recorded, re-applied on refresh, free, and drawn hatched on a map.
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_relsdc_pub;
RESET client_min_messages;
CREATE ROLE regress_relsdc_pub;
CREATE SCHEMA relsdc_src;
CREATE SCHEMA relsdc_out AUTHORIZATION regress_relsdc_pub;
GRANT USAGE ON SCHEMA relsdc_src TO regress_relsdc_pub;

-- Sensitive rows: ward number k (in code order) of 2022 has k % 23 people,
-- so the counts run through 0, the small counts 1..7 and the larger ones.
CREATE TABLE relsdc_src.people AS
SELECT pg_catalog.row_number() OVER () AS id, ST_PointOnSurface(w.geom)::civic.bng AS p,
       (n * 7 % 90)::int AS age, n % 3 = 0 AS flag
  FROM (SELECT code, geom, row_number() OVER (ORDER BY code) AS k
          FROM civic.boundary WHERE level = 'ward' AND vintage = 2022) w
 CROSS JOIN LATERAL generate_series(1, (w.k % 23)::int) n;
REVOKE ALL ON relsdc_src.people FROM PUBLIC;
GRANT SELECT ON relsdc_src.people TO regress_relsdc_pub;
SELECT civic.set_budget('regress_relsdc_pub', 'relsdc_src.people', 100000);
-- the true counts per ward (every ward, 0 included), borough and London
CREATE TABLE relsdc_src.truth AS
SELECT b.level, b.code::text AS code, count(x.p) AS n
  FROM civic.boundary b
  LEFT JOIN (SELECT p, civic.ward_of(p, 2022)::text AS ward, civic.borough_of(p)::text AS borough,
                    civic.area_of(p, 'region')::text AS region FROM relsdc_src.people) x
    ON b.code::text = CASE b.level WHEN 'ward' THEN x.ward WHEN 'borough' THEN x.borough ELSE x.region END
 WHERE (b.level = 'ward' AND b.vintage = 2022) OR b.level IN ('borough', 'region')
 GROUP BY 1, 2;
GRANT SELECT ON relsdc_src.truth TO regress_relsdc_pub;
SELECT count(*) FILTER (WHERE n = 0) > 0 AS some_zero, count(*) FILTER (WHERE n BETWEEN 1 AND 7) > 100 AS many_small,
       count(*) FILTER (WHERE n >= 8) > 100 AS many_large
  FROM relsdc_src.truth WHERE level = 'ward';

SET SESSION AUTHORIZATION regress_relsdc_pub;

-- 1. Independent rounding and suppression, the NHS rule "suppress 1-7,
-- round the rest to 5", on a release whose noise is zero (epsilon 4000 for
-- each of the two levels: the noise is 0 with probability 1 - 1e-300), so
-- that the published values can be compared with the rule applied to the
-- truth.
SELECT * FROM civic.publish_release('nhs', 'relsdc_src.people', 'p', '[{"name": "n", "kind": "count"}]',
    8000, 'relsdc_out', levels => '{ward,borough}', vintage => 2022, sdc => '{"suppress": 8, "round": 5.0}');
SELECT count(*) AS wards_not_following_the_rule
  FROM relsdc_out.nhs_ward w JOIN relsdc_src.truth t ON t.level = 'ward' AND t.code = w.area_code
 WHERE w.n IS DISTINCT FROM civic.sdc_round(civic.sdc_suppress(t.n, 8), 5)
    OR w.n_suppressed <> (t.n BETWEEN 1 AND 7);
SELECT count(*) AS boroughs_not_following_the_rule
  FROM relsdc_out.nhs_borough b JOIN relsdc_src.truth t ON t.level = 'borough' AND t.code = b.area_code
 WHERE b.n IS DISTINCT FROM civic.sdc_round(civic.sdc_suppress(t.n, 8), 5) OR b.n_suppressed;
SELECT count(*) FILTER (WHERE n_suppressed) > 100 AS suppressed, count(*) FILTER (WHERE n IS NULL) = count(*) FILTER (WHERE n_suppressed) AS null_iff_flagged,
       count(*) FILTER (WHERE n = 0) > 0 AS zeros_shown
  FROM relsdc_out.nhs_ward;
-- the error bar grows by the most rounding to 5 moves a value (2)
SELECT bool_and(n_error = civic.dp_count_error(4000) + 2) AS error_bar_with_rounding FROM relsdc_out.nhs_ward;
-- recorded as declared (5.0 is 5), and described on the table and the columns
SELECT name, sdc, consistent, geometry FROM civic.releases WHERE name = 'nhs';
SELECT obj_description('relsdc_out.nhs_ward'::regclass, 'pg_class') LIKE '%counts from 1 to 7 suppressed%counts rounded to multiples of 5%' AS table_says_so;
SELECT attname, format_type(atttypid, atttypmod) AS type, col_description(attrelid, attnum) AS comment
  FROM pg_attribute WHERE attrelid = 'relsdc_out.nhs_ward'::regclass AND attnum > 4 ORDER BY attnum;

-- 2. Hierarchical rounding: in a consistent release the top level is
-- rounded to the nearest multiple and each level below to one of the two
-- multiples nearest to each value, so that wards still add up exactly to
-- their borough and boroughs to London.
SELECT * FROM civic.publish_release('tiers', 'relsdc_src.people', 'p',
    '[{"name": "n", "kind": "count"}, {"name": "flagged", "kind": "count", "column": "flag"},
      {"name": "mean_age", "kind": "avg", "column": "age", "lower": 0, "upper": 100}]',
    27000, 'relsdc_out', levels => '{ward,borough,region}', vintage => 2022, consistent => true,
    sdc => '{"round": 5}');
SELECT bool_and(n % 5 = 0 AND flagged % 5 = 0) AS multiples_of_5 FROM relsdc_out.tiers_ward;
SELECT count(*) AS boroughs_not_adding_up
  FROM relsdc_out.tiers_borough b
  JOIN (SELECT parent_code, sum(n) AS n, sum(flagged) AS f FROM relsdc_out.tiers_ward GROUP BY 1) w
    ON w.parent_code = b.area_code
 WHERE b.n <> w.n OR b.flagged <> w.f;
SELECT (SELECT sum(n) FROM relsdc_out.tiers_borough) = (SELECT n FROM relsdc_out.tiers_region) AS boroughs_add_up_to_london;
-- London: the nearest multiple; every borough and ward: one of its two
-- nearest multiples (so within 4), and a multiple of 5 (0 included) unchanged
SELECT r.n = civic.sdc_round(t.n, 5) AS london_rounded_to_nearest
  FROM relsdc_out.tiers_region r JOIN relsdc_src.truth t ON t.code = r.area_code;
SELECT count(*) AS areas_off_by_5_or_more, count(*) FILTER (WHERE x.n <> t.n AND t.n % 5 = 0) AS multiples_moved
  FROM (SELECT area_code, n FROM relsdc_out.tiers_ward UNION ALL SELECT area_code, n FROM relsdc_out.tiers_borough) x
  JOIN relsdc_src.truth t ON t.code = x.area_code
 WHERE abs(x.n - t.n) >= 5 OR (x.n <> t.n AND t.n % 5 = 0);
-- rounding moved many wards, both ways; the error bars say how far it can
SELECT count(*) FILTER (WHERE w.n > t.n) > 50 AS some_up, count(*) FILTER (WHERE w.n < t.n) > 50 AS some_down
  FROM relsdc_out.tiers_ward w JOIN relsdc_src.truth t ON t.code = w.area_code;
SELECT (SELECT bool_and(n_error = civic.dp_count_error(3000) + 4) FROM relsdc_out.tiers_ward)
   AND (SELECT bool_and(n_error = civic.dp_count_error(3000) + 4) FROM relsdc_out.tiers_borough)
   AND (SELECT bool_and(n_error = civic.dp_count_error(3000) + 2) FROM relsdc_out.tiers_region) AS error_bars_by_level;
-- averages are not rounded, and their error bar uses the count before rounding
SELECT bool_and(w.mean_age_error = civic.dp_avg_error(0, 100, 3000, greatest(t.n, 1), 0.95, 0, w.mean_age))
       AS avg_error_from_unrounded_count
  FROM relsdc_out.tiers_ward w JOIN relsdc_src.truth t ON t.code = w.area_code;

-- 3. Real noise: costs no more budget than the release without disclosure
-- control, is re-applied by every refresh, and keeps its declaration.
CREATE TEMP TABLE spent AS
    SELECT epsilon_spent FROM civic.privacy_budgets WHERE dataset = 'relsdc_src.people';
SELECT * FROM civic.publish_release('noisy', 'relsdc_src.people', 'p', '[{"name": "n", "kind": "count"}]',
    1.0, 'relsdc_out', levels => '{ward,borough}', vintage => 2022, consistent => true,
    sdc => '{"suppress": 10, "round": 5}');
SELECT abs(p.epsilon_spent - s.epsilon_spent - 1.0) < 1e-7 AS charged_the_release_only
  FROM civic.privacy_budgets p, spent s WHERE p.dataset = 'relsdc_src.people';
CREATE TEMP TABLE first AS SELECT area_code, n, n_suppressed FROM relsdc_out.noisy_ward;
SELECT civic.refresh_release('noisy');
SELECT abs(p.epsilon_spent - s.epsilon_spent - 2.0) < 1e-7 AS refresh_charged_once
  FROM civic.privacy_budgets p, spent s WHERE p.dataset = 'relsdc_src.people';
DROP TABLE spent;
SELECT name, sdc, computations FROM civic.releases WHERE name = 'noisy';
-- after the refresh: fresh noise, the same rules (8 runs on this table:
-- 250-274 wards suppressed, 42-56 zeros, 298-339 wards changed by the
-- refresh, so the thresholds below are more than 4 standard deviations away)
SELECT count(*) FILTER (WHERE (n IS NULL) <> n_suppressed) AS null_not_flagged,
       count(*) FILTER (WHERE n % 5 <> 0) AS not_multiples_of_5,
       count(*) FILTER (WHERE n_suppressed) > 50 AS many_suppressed,
       count(*) FILTER (WHERE n = 0) > 10 AS zeros_shown
  FROM relsdc_out.noisy_ward;
SELECT count(*) FILTER (WHERE f.n IS DISTINCT FROM w.n) > 100 AS fresh_noise
  FROM first f JOIN relsdc_out.noisy_ward w USING (area_code);
-- published wards never exceed their borough (the suppressed ones are hidden)
SELECT count(*) AS boroughs_below_their_wards
  FROM relsdc_out.noisy_borough b
  JOIN (SELECT parent_code, sum(n) AS n FROM relsdc_out.noisy_ward GROUP BY 1) w ON w.parent_code = b.area_code
 WHERE w.n > b.n;
DROP TABLE first;

-- 4. The map hatches exactly the suppressed wards.
SELECT (length(svg) - length(replace(svg, 'fill="url(#civic-hatch-map)"', '')))
         / length('fill="url(#civic-hatch-map)"')
       = (SELECT count(*) FROM relsdc_out.noisy_ward WHERE n_suppressed) AS hatched_are_suppressed
  FROM (SELECT civic.choropleth_svg('ward', 2022,
                 (SELECT jsonb_object_agg(area_code, n) FROM relsdc_out.noisy_ward), 'test') AS svg) s;

-- 5. Invalid declarations: a clear error, nothing created, nothing charged.
CREATE TEMP TABLE spent AS
    SELECT epsilon_spent FROM civic.privacy_budgets WHERE dataset = 'relsdc_src.people';
\set VERBOSITY terse
SELECT civic.publish_release('bad', 'relsdc_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'relsdc_out', sdc => '[5]');
\echo :LAST_ERROR_SQLSTATE
SELECT civic.publish_release('bad', 'relsdc_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'relsdc_out', sdc => '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT civic.publish_release('bad', 'relsdc_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'relsdc_out', sdc => '{"round": 5, "supress": 10}');
\echo :LAST_ERROR_SQLSTATE
SELECT civic.publish_release('bad', 'relsdc_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'relsdc_out', sdc => '{"round": 0}');
\echo :LAST_ERROR_SQLSTATE
SELECT civic.publish_release('bad', 'relsdc_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'relsdc_out', sdc => '{"round": 2.5}');
\echo :LAST_ERROR_SQLSTATE
SELECT civic.publish_release('bad', 'relsdc_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'relsdc_out', sdc => '{"suppress": "10"}');
\echo :LAST_ERROR_SQLSTATE
SELECT civic.publish_release('bad', 'relsdc_src.people', 'p', '[{"name": "n", "kind": "count"}]', 1, 'relsdc_out', sdc => '{"suppress": 1e9}');
\echo :LAST_ERROR_SQLSTATE
SELECT civic.publish_release('bad', 'relsdc_src.people', 'p', '[{"name": "s", "kind": "sum", "column": "age", "lower": 0, "upper": 90}]', 1, 'relsdc_out', sdc => '{"round": 5}');
\echo :LAST_ERROR_SQLSTATE
SELECT civic.publish_release('bad', 'relsdc_src.people', 'p', '[{"name": "n_suppressed", "kind": "count"}]', 1, 'relsdc_out');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT array_agg(relname ORDER BY relname) AS tables
  FROM pg_class WHERE relnamespace = 'relsdc_out'::regnamespace AND relkind = 'r';
SELECT array_agg(name ORDER BY name) AS releases FROM civic.releases;
SELECT p.epsilon_spent = s.epsilon_spent AS nothing_charged
  FROM civic.privacy_budgets p, spent s WHERE p.dataset = 'relsdc_src.people';
DROP TABLE spent;

SELECT civic.drop_release(name) FROM civic.releases ORDER BY name;
RESET SESSION AUTHORIZATION;
DROP SCHEMA relsdc_out CASCADE;
DROP SCHEMA relsdc_src CASCADE;
DROP ROLE regress_relsdc_pub;
