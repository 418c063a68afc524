SET search_path = "$user", public, civic;
-- Privacy-safe views over Citus tables (src/pv_citus.c, docs/citus.md): a
-- reference to a privacy-safe view that reads a Citus table is served by
-- civic._private_view_rows(), which runs the view as its owner (so that
-- Citus opens its worker connections as the owner) and is metered and
-- charged to the session user like any read of the view.  CI has no Citus:
-- as sql/shard_dataset.sql does, this test fakes Citus's catalogue inside
-- one transaction that is rolled back, so that pvc.people counts as a Citus
-- table (the charges outlive it: the ledger is not transactional).
-- test/citus.sh checks the same on a real Citus cluster.
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_pvc_analyst;
DROP ROLE IF EXISTS regress_pvc_owner;
DROP ROLE IF EXISTS regress_pvc_bob;
RESET client_min_messages;
CREATE ROLE regress_pvc_analyst;
CREATE ROLE regress_pvc_owner;
CREATE ROLE regress_pvc_bob;
BEGIN;
SET LOCAL allow_system_table_mods = on;
CREATE TABLE pg_catalog.pg_dist_shard (logicalrelid regclass NOT NULL, shardid bigint NOT NULL);
CREATE TABLE pg_catalog.pg_dist_partition (logicalrelid regclass NOT NULL);
CREATE TABLE pg_catalog.pg_dist_local_group (groupid int NOT NULL);
SET LOCAL allow_system_table_mods = off;
INSERT INTO pg_dist_local_group VALUES (0);
SET LOCAL client_min_messages = warning;   -- (create_private_view's notices)
CREATE SCHEMA pvc;
GRANT USAGE ON SCHEMA pvc TO PUBLIC;
CREATE TABLE pvc.wards (ward text PRIMARY KEY);
INSERT INTO pvc.wards VALUES ('W1'), ('W2'), ('W3'), ('W4');
GRANT SELECT ON pvc.wards TO PUBLIC;
-- people is "distributed"; local_people is not
CREATE TABLE pvc.people (id int PRIMARY KEY, ward text NOT NULL);
INSERT INTO pvc.people SELECT g, 'W' || (1 + g % 3) FROM generate_series(1, 90) g;
CREATE TABLE pvc.local_people AS SELECT * FROM pvc.people;
INSERT INTO pg_dist_partition VALUES ('pvc.people');
GRANT SELECT ON pvc.people, pvc.local_people TO regress_pvc_owner;
SELECT civic.set_budget('regress_pvc_analyst', 'pvc.people', 100);
SELECT civic.set_budget('regress_pvc_analyst', 'pvc.local_people', 100);
-- Fails unless it runs as the views' owner with search_path pg_catalog,
-- pg_temp, as civic._private_view_rows() runs them.
CREATE FUNCTION pvc.as_owner() RETURNS boolean LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT CASE WHEN current_user = 'regress_pvc_owner'
               AND current_setting('search_path') = 'pg_catalog, pg_temp' THEN true
              ELSE ('run as ' || current_user || ' with ' || current_setting('search_path'))::int = 0 END;
END;
SELECT civic.create_private_view('pvc.people_by_ward',
  $$SELECT w.ward, civic.dp_sum((p.id IS NOT NULL)::int::int8, 0, 1, 0.5) AS residents
      FROM pvc.wards w LEFT JOIN pvc.people p ON p.ward = w.ward AND pvc.as_owner()
     GROUP BY w.ward$$, 'regress_pvc_analyst') IS NOT NULL AS created;
SELECT civic.create_private_view('pvc.secret_by_ward',
  $$SELECT w.ward, civic.dp_sum((p.id IS NOT NULL)::int::int8, 0, 1, 0.5) AS residents
      FROM pvc.wards w LEFT JOIN pvc.people p ON p.ward = w.ward GROUP BY w.ward$$,
  'regress_pvc_bob') IS NOT NULL AS created;
SELECT civic.create_private_view('pvc.local_by_ward',
  $$SELECT w.ward, civic.dp_sum((p.id IS NOT NULL)::int::int8, 0, 1, 0.5) AS residents
      FROM pvc.wards w LEFT JOIN pvc.local_people p ON p.ward = w.ward GROUP BY w.ward$$,
  'regress_pvc_analyst') IS NOT NULL AS created;
RESET client_min_messages;
ALTER VIEW pvc.people_by_ward OWNER TO regress_pvc_owner;
ALTER VIEW pvc.secret_by_ward OWNER TO regress_pvc_owner;
ALTER VIEW pvc.local_by_ward OWNER TO regress_pvc_owner;
-- a plain view, a plain view of bob's over the view only bob may read, and
-- a schema of the analyst's
CREATE VIEW pvc.plain AS SELECT ward FROM pvc.wards;
GRANT SELECT ON pvc.plain TO regress_pvc_analyst;
CREATE VIEW pvc.bob_view AS SELECT ward, residents FROM pvc.secret_by_ward;
ALTER VIEW pvc.bob_view OWNER TO regress_pvc_bob;
GRANT SELECT ON pvc.bob_view TO regress_pvc_analyst;
CREATE SCHEMA pvc_an AUTHORIZATION regress_pvc_analyst;
-- what the analyst has spent, on each dataset
CREATE FUNCTION pvc.spent(ds text) RETURNS numeric LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT round(coalesce(sum(epsilon), 0)::numeric, 6) FROM civic.privacy_ledger
       WHERE role = 'regress_pvc_analyst'::regrole AND dataset = ds $$;
GRANT EXECUTE ON FUNCTION pvc.spent(text) TO PUBLIC;

-- 1. The view over the Citus table is served by the function; the local
-- one is not.
EXPLAIN (COSTS OFF) SELECT * FROM pvc.people_by_ward;
EXPLAIN (COSTS OFF) SELECT ward FROM pvc.local_by_ward;
SET SESSION AUTHORIZATION regress_pvc_analyst;
SELECT pvc.spent('pvc.people') AS spent;
-- 2. Its rows, as the owner reads them (pvc.as_owner() in the view), one
-- charge of the view's price to the analyst; the analyst is back afterwards.
SELECT ward, residents IS NOT NULL AS released FROM pvc.people_by_ward ORDER BY ward;
SELECT pvc.spent('pvc.people') AS spent;
SELECT current_user, current_setting('search_path') AS search_path;
-- 3. One charge per reference, wherever it is: a self-join costs twice;
-- a subquery, a CTE, a correlated or LATERAL subquery (the function runs
-- once, its rows are read again from its store) once.
SELECT count(*) FROM pvc.people_by_ward a JOIN pvc.people_by_ward b USING (ward);
SELECT pvc.spent('pvc.people') AS spent;
SELECT (SELECT count(*) FROM pvc.people_by_ward) AS n;
WITH c AS (SELECT * FROM pvc.people_by_ward) SELECT count(*) FROM c;
SELECT count(*) FROM (SELECT * FROM pvc.people_by_ward WHERE ward > 'W1') s;
SELECT w.ward, (SELECT v.residents IS NOT NULL FROM pvc.people_by_ward v WHERE v.ward = w.ward) AS released
  FROM pvc.wards w ORDER BY w.ward;
SELECT pvc.spent('pvc.people') AS spent;
SELECT count(*) FROM pvc.wards w, LATERAL (SELECT * FROM pvc.people_by_ward v WHERE v.ward = w.ward) s;
SELECT pvc.spent('pvc.people') AS spent;
-- 4. The analyst's own expressions run in the outer query, as the analyst:
-- never inside the owner's query.
CREATE FUNCTION pvc_an.seen(text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN RAISE NOTICE 'filter sees % as %', $1, current_user; RETURN true; END $$;
SELECT count(*) FROM pvc.people_by_ward WHERE pvc_an.seen(ward);
SELECT pvc.spent('pvc.people') AS spent;
-- 5. EXPLAIN is refused to the analyst, as over the tables themselves (the
-- function scan's counters would include the view's reads), in every form;
-- nothing is charged.
\set VERBOSITY sqlstate
SAVEPOINT s;
EXPLAIN (COSTS OFF) SELECT * FROM pvc.people_by_ward;
ROLLBACK TO s;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM pvc.people_by_ward;
ROLLBACK TO s;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
  SELECT * FROM civic._private_view_rows('pvc.people_by_ward') AS t(ward text, residents bigint);
ROLLBACK TO s;
\set VERBOSITY default
SELECT pvc.spent('pvc.people') AS spent;
-- 6. A cursor: charged once, when it first runs; never if never fetched.
DECLARE c SCROLL CURSOR FOR SELECT ward FROM pvc.people_by_ward ORDER BY ward;
FETCH 1 FROM c;
FETCH ALL FROM c;
FETCH BACKWARD 2 FROM c;
CLOSE c;
DECLARE d CURSOR FOR SELECT * FROM pvc.people_by_ward;
CLOSE d;
SELECT pvc.spent('pvc.people') AS spent;
-- 7. Through bob's plain view: the permission check on the DP view is bob's
-- (as PostgreSQL's for any view in a view), the charge the analyst's.
SELECT count(*) FROM pvc.bob_view;
SELECT pvc.spent('pvc.people') AS spent;
\set VERBOSITY sqlstate
SAVEPOINT s;
SELECT count(*) FROM pvc.secret_by_ward;
ROLLBACK TO s;
RESET SESSION AUTHORIZATION;
REVOKE SELECT ON pvc.secret_by_ward FROM regress_pvc_bob;
SET SESSION AUTHORIZATION regress_pvc_analyst;
SAVEPOINT s;
SELECT count(*) FROM pvc.bob_view;
ROLLBACK TO s;
\set VERBOSITY default
SELECT pvc.spent('pvc.people') AS spent;

-- Attacks: calls of civic._private_view_rows() written by hand.
\set VERBOSITY sqlstate
-- a view the analyst cannot read
SAVEPOINT s;
SELECT * FROM civic._private_view_rows('pvc.secret_by_ward') AS t(ward text, residents bigint);
ROLLBACK TO s;
-- a plain view, a table (both readable): not privacy-safe views
SELECT * FROM civic._private_view_rows('pvc.plain') AS t(ward text);
ROLLBACK TO s;
SELECT * FROM civic._private_view_rows('pvc.wards') AS t(ward text);
ROLLBACK TO s;
-- a column definition list that is not the view's, or none
SELECT * FROM civic._private_view_rows('pvc.people_by_ward') AS t(ward text, residents int);
ROLLBACK TO s;
SELECT * FROM civic._private_view_rows('pvc.people_by_ward') AS t(ward text);
ROLLBACK TO s;
SELECT * FROM civic._private_view_rows('pvc.people_by_ward') AS t(ward text, residents bigint, extra int);
ROLLBACK TO s;
SELECT civic._private_view_rows('pvc.people_by_ward');
ROLLBACK TO s;
-- from the analyst's own SECURITY DEFINER function (it runs as the analyst)
CREATE FUNCTION pvc_an.peek() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS
$$ SELECT count(*) FROM civic._private_view_rows('pvc.secret_by_ward') AS t(ward text, residents bigint) $$;
SELECT pvc_an.peek();
ROLLBACK TO s;
\set VERBOSITY default
-- nothing was charged for any of them
SELECT pvc.spent('pvc.people') AS spent;
-- a direct call on a view the analyst may read is a read of it: charged
-- once, twice when called twice
SELECT count(*) FROM civic._private_view_rows('pvc.people_by_ward') AS t(ward text, residents bigint);
SELECT pvc.spent('pvc.people') AS spent;
SELECT count(*) FROM civic._private_view_rows('pvc.people_by_ward') AS a(ward text, residents bigint),
                     civic._private_view_rows('pvc.people_by_ward') AS b(ward text, residents bigint);
SELECT pvc.spent('pvc.people') AS spent;
-- and a call by hand does not stand in for another reference to the view:
-- over the local view (not served by the function), both are charged
SELECT pvc.spent('pvc.local_people') AS spent_local;
SELECT (SELECT count(*) FROM pvc.local_by_ward)
     + (SELECT count(*) FROM civic._private_view_rows('pvc.local_by_ward') AS t(ward text, residents bigint)) AS n;
SELECT pvc.spent('pvc.local_people') AS spent_local;
-- inside a SECURITY DEFINER function the session user is still charged
CREATE FUNCTION pvc_an.count_view() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS
$$ SELECT count(*) FROM pvc.people_by_ward $$;
SELECT pvc_an.count_view();
SELECT pvc.spent('pvc.people') AS spent;
RESET SESSION AUTHORIZATION;

-- 8. The view runs as its owner: code in it owned by anyone who cannot act
-- as the owner is refused (it would run with the owner's rights), and so is
-- a view that is not privacy-safe.
CREATE SCHEMA pvc_bob AUTHORIZATION regress_pvc_bob;
CREATE FUNCTION pvc_bob.yes() RETURNS boolean LANGUAGE sql STABLE BEGIN ATOMIC SELECT true; END;
ALTER FUNCTION pvc_bob.yes() OWNER TO regress_pvc_bob;
GRANT USAGE ON SCHEMA pvc_bob TO regress_pvc_owner;
SET client_min_messages = warning;
SELECT civic.create_private_view('pvc.trojan_by_ward',
  $$SELECT w.ward, civic.dp_sum((p.id IS NOT NULL)::int::int8, 0, 1, 0.5) AS residents
      FROM pvc.wards w LEFT JOIN pvc.people p ON p.ward = w.ward AND pvc_bob.yes() GROUP BY w.ward$$,
  'regress_pvc_analyst') IS NOT NULL AS created;
RESET client_min_messages;
ALTER VIEW pvc.trojan_by_ward OWNER TO regress_pvc_owner;
CREATE VIEW pvc.inner_by_ward WITH (security_barrier) AS
  SELECT w.ward, civic.dp_sum((p.id IS NOT NULL)::int::int8, 0, 1, 0.5) AS residents
    FROM pvc.wards w JOIN pvc.people p ON p.ward = w.ward GROUP BY w.ward;
ALTER VIEW pvc.inner_by_ward OWNER TO regress_pvc_owner;
GRANT SELECT ON pvc.inner_by_ward TO regress_pvc_analyst;
SET SESSION AUTHORIZATION regress_pvc_analyst;
SAVEPOINT s;
SELECT count(*) FROM pvc.trojan_by_ward;
ROLLBACK TO s;
SELECT count(*) FROM pvc.inner_by_ward;
ROLLBACK TO s;
SELECT pvc.spent('pvc.people') AS spent;

-- 9. With the budget spent: refused before anything runs, nothing charged,
-- and the analyst's identity and search_path are back after the error.
RESET SESSION AUTHORIZATION;
SELECT civic.set_budget('regress_pvc_analyst', 'pvc.people', pvc.spent('pvc.people')::float8 + 0.25);
SET SESSION AUTHORIZATION regress_pvc_analyst;
\set VERBOSITY sqlstate
SAVEPOINT s;
SELECT * FROM pvc.people_by_ward;
ROLLBACK TO s;
\set VERBOSITY default
SELECT current_user, current_setting('search_path') AS search_path;
DO $$
BEGIN
  PERFORM count(*) FROM pvc.people_by_ward;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'refused (%), now % with search_path %', SQLSTATE, current_user, current_setting('search_path');
END $$;
SELECT pvc.spent('pvc.people') AS spent;
RESET SESSION AUTHORIZATION;
ROLLBACK;
-- nothing of the fake is left
SELECT count(*) FROM pg_class WHERE relname IN ('pg_dist_shard', 'pg_dist_partition', 'pg_dist_local_group');
DROP ROLE regress_pvc_analyst;
DROP ROLE regress_pvc_owner;
DROP ROLE regress_pvc_bob;
