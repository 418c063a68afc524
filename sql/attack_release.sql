SET search_path = "$user", public, civic;
-- Attacks on releases (docs/releases.md, "Security of releases"): a
-- publisher who owns its release tables tries to make someone else (a DBA
-- refreshing releases) run its code, read tables it cannot read, or rewrite
-- the registry; an analyst probes the SECURITY DEFINER entry points.
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_relatk_pub;
DROP ROLE IF EXISTS regress_relatk_victim;
RESET client_min_messages;
CREATE ROLE regress_relatk_pub;
CREATE ROLE regress_relatk_victim;
CREATE SCHEMA relatk_src;
CREATE SCHEMA relatk_out AUTHORIZATION regress_relatk_pub;
CREATE SCHEMA relatk_vout AUTHORIZATION regress_relatk_victim;
GRANT USAGE ON SCHEMA relatk_src TO regress_relatk_pub, regress_relatk_victim;
CREATE TABLE relatk_src.people AS
SELECT ST_PointOnSurface(b.geom)::civic.bng AS p
  FROM civic.boundary b CROSS JOIN generate_series(1, 3)
 WHERE b.level = 'borough';
REVOKE ALL ON relatk_src.people FROM PUBLIC;
GRANT SELECT ON relatk_src.people TO regress_relatk_pub, regress_relatk_victim;
-- a table only the DBA reads
CREATE TABLE relatk_src.secret AS SELECT * FROM relatk_src.people;
REVOKE ALL ON relatk_src.secret FROM PUBLIC;
SELECT civic.set_budget('regress_relatk_pub', 'relatk_src.people', 1000);
SELECT civic.set_budget('regress_relatk_victim', 'relatk_src.people', 1000);

SET SESSION AUTHORIZATION regress_relatk_victim;
SELECT count(*) FROM civic.publish_release('relatk_v', 'relatk_src.people', 'p', '[{"name": "n", "kind": "count"}]',
    1, 'relatk_vout', levels => '{borough}');
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION regress_relatk_pub;
SELECT count(*) FROM civic.publish_release('relatk_a', 'relatk_src.people', 'p', '[{"name": "n", "kind": "count"}]',
    1, 'relatk_out', levels => '{borough}', sdc => '{"suppress": 8}');

-- 1. Another role's release: no refresh, no drop, no rewrite of its record,
-- no publication under its name or into its schema.
SELECT civic.refresh_release('relatk_v');
SELECT civic.drop_release('relatk_v');
UPDATE civic.release SET epsilon = 1e9, sdc = NULL WHERE name = 'relatk_v';
DELETE FROM civic.release WHERE name = 'relatk_v';
SELECT count(*) FROM civic.publish_release('relatk_v', 'relatk_src.people', 'p', '[{"name": "n", "kind": "count"}]',
    1, 'relatk_out', levels => '{borough}');
SELECT count(*) FROM civic.publish_release('relatk_b', 'relatk_src.people', 'p', '[{"name": "n", "kind": "count"}]',
    1, 'relatk_vout', levels => '{borough}');
SELECT epsilon, sdc, published_by FROM civic.releases WHERE name = 'relatk_v';

-- 2. JSON edge cases of sdc are refused before anything is charged.
SELECT count(*) FROM civic.publish_release('relatk_c', 'relatk_src.people', 'p', '[{"name": "n", "kind": "count"}]',
    1, 'relatk_out', sdc => '{"suppress": 0}');
SELECT count(*) FROM civic.publish_release('relatk_c', 'relatk_src.people', 'p', '[{"name": "n", "kind": "count"}]',
    1, 'relatk_out', sdc => '{"round": -5}');
SELECT count(*) FROM civic.publish_release('relatk_c', 'relatk_src.people', 'p', '[{"name": "n", "kind": "count"}]',
    1, 'relatk_out', sdc => '{"round": "5"}');
SELECT count(*) FROM civic.publish_release('relatk_c', 'relatk_src.people', 'p', '[{"name": "n", "kind": "count"}]',
    1, 'relatk_out', sdc => '{"round": {"x": 5}}');
SELECT count(*) FROM civic.publish_release('relatk_c', 'relatk_src.people', 'p', '[{"name": "n", "kind": "count"}]',
    1, 'relatk_out', sdc => '{"round": 1e300}');
SELECT count(*) FROM civic.publish_release('relatk_c', 'relatk_src.people', 'p', '[{"name": "n", "kind": "count"}]',
    1, 'relatk_out', sdc => '{"round": 2.5}');
SELECT count(*) FROM civic.publish_release('relatk_c', 'relatk_src.people', 'p', '[{"name": "n", "kind": "count"}]',
    1, 'relatk_out', sdc => '{"suppress": 8, "suppress": 0}');  -- the last key wins: 0, refused
SELECT count(*) FROM civic.publish_release('relatk_c', 'relatk_src.people', 'p', '[{"name": "n", "kind": "count"}]',
    'NaN', 'relatk_out');
SELECT count(*) FROM civic.publish_release('relatk_c', 'relatk_src.people', 'p', '[{"name": "n", "kind": "count"}]',
    'Infinity', 'relatk_out');
SELECT count(*) FROM civic.releases WHERE name = 'relatk_c';

-- 3. The SECURITY DEFINER entry points read only the public boundaries,
-- and ignore the caller's search_path.
CREATE TEMP TABLE boundary (level text, vintage int, code text, geom bytea);
CREATE FUNCTION relatk_out.st_transform(geometry, integer) RETURNS geometry
    LANGUAGE sql AS 'SELECT NULL::geometry';
SET search_path = relatk_out, pg_temp, "$user", public, civic;
SELECT count(*) > 0 AS shapes, bool_and(geojson IS NOT NULL) AS all_shaped
  FROM civic._release_shapes('borough', 2022, 0);
SELECT count(*) AS nan_tolerance FROM civic._release_shapes('borough', 2022, 'NaN');
SELECT count(*) AS unknown_level FROM civic._release_shapes('relatk', 2022, 0);
SET search_path = "$user", public, civic;
DROP TABLE pg_temp.boundary;
DROP FUNCTION relatk_out.st_transform(geometry, integer);

-- 4. The publisher owns its release tables, so it can hang a trigger on
-- them.  Were a DBA to refresh the release, the trigger would run with the
-- DBA's rights; refresh_release runs only as the owner of the tables.
CREATE TABLE relatk_out.log (who name, super bool);
GRANT INSERT ON relatk_out.log TO PUBLIC;
CREATE FUNCTION relatk_out.spy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO relatk_out.log SELECT current_user, r.rolsuper FROM pg_roles r WHERE r.rolname = current_user;
    RETURN NULL;
END $$;
CREATE TRIGGER spy AFTER INSERT OR DELETE ON relatk_out.relatk_a_borough
    FOR EACH STATEMENT EXECUTE FUNCTION relatk_out.spy();
-- 5. ... and it can rewrite its own record: a source it cannot read, no
-- disclosure control, an epsilon large enough for exact counts, someone
-- else as publisher.
UPDATE civic.release SET source = 'relatk_src.secret', sdc = NULL, epsilon = 1e6,
       published_by = 'regress_relatk_victim' WHERE name = 'relatk_a';
RESET SESSION AUTHORIZATION;
\set VERBOSITY terse
SELECT civic.refresh_release('relatk_a');     -- the DBA's mistake (refused)
\set VERBOSITY default
SELECT count(*) AS trigger_ran_as_superuser FROM relatk_out.log WHERE super;
-- the DBA refreshes as the owner: the owner's code runs with the owner's
-- rights, and the declaration replayed is the one published
SET ROLE regress_relatk_pub;
SELECT civic.refresh_release('relatk_a');
RESET ROLE;
SELECT count(*) FILTER (WHERE super) AS ran_as_superuser, count(*) FILTER (WHERE who = 'regress_relatk_pub') AS ran_as_owner
  FROM relatk_out.log;
SELECT source, sdc, epsilon, published_by, computations FROM civic.releases WHERE name = 'relatk_a';
SELECT count(*) FILTER (WHERE n_suppressed) > 0 AS still_suppressed FROM relatk_out.relatk_a_borough;

-- 6. Complementary disclosure (documented, not prevented): in a consistent
-- release the wards add up exactly to their borough, so a borough with one
-- suppressed ward gives that ward's value as borough minus the other wards.
-- Here the noise is zero (epsilon 4000 per level, as in release_sdc), so
-- the value recovered is the true count: 3 people in the first ward of
-- every borough, suppressed, and 20 in the second.
CREATE TABLE relatk_src.wards AS
SELECT ST_PointOnSurface(w.geom)::civic.bng AS p, w.code::text AS ward, w.k
  FROM (SELECT code, geom, row_number() OVER (PARTITION BY parent ORDER BY code) AS k
          FROM civic.boundary WHERE level = 'ward' AND vintage = 2022) w
 CROSS JOIN LATERAL generate_series(1, CASE w.k WHEN 1 THEN 3 ELSE 20 END)
 WHERE w.k <= 2;
GRANT SELECT ON relatk_src.wards TO regress_relatk_pub;
SELECT civic.set_budget('regress_relatk_pub', 'relatk_src.wards', 100000);
SET SESSION AUTHORIZATION regress_relatk_pub;
SELECT count(*) FROM civic.publish_release('relatk_k', 'relatk_src.wards', 'p', '[{"name": "n", "kind": "count"}]',
    8000, 'relatk_out', levels => '{ward,borough}', vintage => 2022, consistent => true, sdc => '{"suppress": 8}');
RESET SESSION AUTHORIZATION;
SELECT count(*) AS boroughs, count(*) FILTER (WHERE r.recovered = t.n) AS suppressed_ward_recovered
  FROM (SELECT w.area_code, b.n - (SELECT sum(o.n) FROM relatk_out.relatk_k_ward o
                                     WHERE o.parent_code = b.area_code AND NOT o.n_suppressed) AS recovered
          FROM relatk_out.relatk_k_ward w JOIN relatk_out.relatk_k_borough b ON b.area_code = w.parent_code
         WHERE w.n_suppressed) r
  JOIN (SELECT ward, count(*) AS n FROM relatk_src.wards GROUP BY 1) t ON t.ward = r.area_code;

-- clean up
SELECT civic.drop_release(name) FROM civic.releases WHERE name LIKE 'relatk%' ORDER BY name;
DROP SCHEMA relatk_out CASCADE;
DROP SCHEMA relatk_vout CASCADE;
DROP SCHEMA relatk_src CASCADE;

DROP ROLE regress_relatk_pub;
DROP ROLE regress_relatk_victim;
