-- Who pays for a DP answer when the query runs somewhere the leader's
-- charge does not reach.
--
-- 1. A query a parallel worker starts of its own.  civic charges the
--    leader for its plan as a whole; a worker's share of that plan only
--    registers its aggregates.  A function marked PARALLEL SAFE (even one in
--    pg_temp, which any role with TEMP may create) runs SQL inside the
--    worker through SPI: each call read a privacy-safe view there, never
--    charged, never recorded -- a million reads averaged the noise away and
--    gave one person's exact age.  Refused now (VB003), nothing charged.
-- 2. EXPLAIN in such a query was not checked either: EXPLAIN ANALYZE of a
--    view's private tables inside a worker showed exact row counts.
--    Refused now (VB004) as it is in the leader.
-- 3. The analyst's code run in someone else's session: maintenance
--    (ANALYZE, VACUUM, autovacuum, CREATE INDEX, REINDEX, CLUSTER, REFRESH
--    MATERIALIZED VIEW evaluate an object's expressions as its owner), or a
--    SECURITY DEFINER trigger of the analyst's fired by a DBA's write.
--    civic charged only the session user -- a DBA or the autovacuum
--    launcher, a superuser, never limited: an index expression read the view
--    once per sampled row, free.  Now the role whose code runs is charged
--    too (also when it reads through civic._private_view_rows, which runs
--    the view as its owner), and its budget refuses the reads it cannot pay.
SET search_path = "$user", public, civic;  -- as the database's (sql/00_install.sql), so this file runs alone
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_apw_analyst;
DROP ROLE IF EXISTS regress_apw_victim;
CREATE ROLE regress_apw_analyst;
CREATE ROLE regress_apw_victim;
CREATE SCHEMA apw;
GRANT USAGE ON SCHEMA apw TO PUBLIC;
CREATE SCHEMA apw_own AUTHORIZATION regress_apw_analyst;
CREATE SCHEMA apw_victim AUTHORIZATION regress_apw_victim;
CREATE TABLE apw.people (id int PRIMARY KEY, ward_code text NOT NULL, age int);
INSERT INTO apw.people SELECT g, 'W' || (g % 10), 18 + g % 70 FROM generate_series(1, 999) g;
INSERT INTO apw.people VALUES (1000, 'WSOLO', 87);
CREATE TABLE apw.wards (ward_code text PRIMARY KEY);
INSERT INTO apw.wards SELECT DISTINCT ward_code FROM apw.people;
GRANT SELECT ON apw.wards TO regress_apw_analyst, regress_apw_victim;
ANALYZE apw.people, apw.wards;
SELECT civic.create_private_view('apw.by_ward',
  $$SELECT w.ward_code, civic.dp_sum((p.id IS NOT NULL)::int::int8, 0, 1, 0.5) AS residents
      FROM apw.wards w LEFT JOIN apw.people p ON p.ward_code = w.ward_code
     GROUP BY w.ward_code$$,
  'regress_apw_analyst', 'regress_apw_victim') IS NOT NULL AS created;
SELECT civic.set_budget('regress_apw_analyst', 'apw.people', 3.0);
SELECT civic.set_budget('regress_apw_victim', 'apw.people', 1.0);
CREATE FUNCTION apw.spent(r regrole) RETURNS float8 LANGUAGE sql AS
$$SELECT coalesce(sum(epsilon), 0) FROM civic.privacy_ledger WHERE role = r AND dataset = 'apw.people'$$;
CREATE FUNCTION apw.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ran';
EXCEPTION WHEN OTHERS THEN
    RETURN 'refused ' || SQLSTATE;
END $$;
GRANT EXECUTE ON FUNCTION apw.try(text) TO PUBLIC;

SET SESSION AUTHORIZATION regress_apw_analyst;
-- 1. and 2.: PARALLEL SAFE functions of pg_temp, run by parallel workers
CREATE FUNCTION pg_temp.read_view(int) RETURNS bigint VOLATILE PARALLEL SAFE LANGUAGE plpgsql AS $$
DECLARE r bigint;
BEGIN
    SELECT residents INTO r FROM apw.by_ward WHERE ward_code = 'WSOLO';
    RETURN r;
END $$;
CREATE FUNCTION pg_temp.explain_view() RETURNS SETOF text VOLATILE PARALLEL SAFE LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
        SELECT * FROM apw.by_ward WHERE ward_code = ''WSOLO''';
END $$;
SET force_parallel_mode = on;
SET parallel_leader_participation = off;
-- (the plan: the function runs below Gather, in a worker)
EXPLAIN (COSTS OFF) SELECT pg_temp.read_view(g) FROM generate_series(1, 50) g;
SELECT apw.try('SELECT pg_temp.read_view(g) FROM generate_series(1, 50) g') AS view_read_in_worker;
SELECT apw.try('SELECT string_agg(l, '' '') FROM (SELECT pg_temp.explain_view() l) s') AS explain_in_worker;
-- (the same EXPLAIN in the leader: refused as ever)
SELECT apw.try('EXPLAIN ANALYZE SELECT * FROM apw.by_ward') AS explain_in_leader;
RESET force_parallel_mode;
RESET parallel_leader_participation;
DROP FUNCTION pg_temp.read_view(int), pg_temp.explain_view();
-- nothing charged, and the view still reads (and is charged) as usual
SELECT apw.spent('regress_apw_analyst') AS spent_after_worker_attacks;
SELECT residents IS NOT NULL AS read FROM apw.by_ward WHERE ward_code = 'WSOLO';
SELECT apw.spent('regress_apw_analyst') AS spent_after_one_read;

-- the same view served as its owner by civic._private_view_rows (as for
-- views over Citus tables): charged to the reader as a direct read
SELECT residents IS NOT NULL AS read
  FROM civic._private_view_rows('apw.by_ward') AS t(ward_code text, residents bigint)
 WHERE ward_code = 'WSOLO';
SELECT apw.spent('regress_apw_analyst') AS spent_after_rows_read;

-- 3.: the analyst's code, run in someone else's session
CREATE TABLE apw_own.loot (who text, residents bigint);
-- an index expression that reads the view (through _private_view_rows,
-- which switches to the view's owner) when someone else runs it
CREATE TABLE apw_own.bait (x int);
CREATE FUNCTION apw_own.grab_rows() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO apw_own.loot
    SELECT session_user, residents
      FROM civic._private_view_rows('apw.by_ward') AS t(ward_code text, residents bigint)
     WHERE ward_code = 'WSOLO';
END $$;
CREATE FUNCTION apw_own.f(int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$
BEGIN
    IF session_user::text <> 'regress_apw_analyst' THEN PERFORM apw_own.grab_rows(); END IF;
    RETURN $1;
END $$;
INSERT INTO apw_own.bait SELECT generate_series(1, 200);
CREATE INDEX ON apw_own.bait (apw_own.f(x));
-- a SECURITY DEFINER trigger that reads the view when someone else writes
CREATE TABLE apw_own.inbox (x int);
GRANT INSERT ON apw_own.inbox TO PUBLIC;
CREATE FUNCTION apw_own.grab() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    INSERT INTO apw_own.loot SELECT session_user, residents FROM apw.by_ward WHERE ward_code = 'WSOLO';
    RETURN NULL;
END $$;
CREATE TRIGGER grab AFTER INSERT ON apw_own.inbox FOR EACH ROW EXECUTE FUNCTION apw_own.grab();
-- a materialized view of the analyst's over the privacy-safe view: made by
-- the analyst (a security-restricted operation as itself): charged to it
CREATE MATERIALIZED VIEW apw_own.mv AS SELECT residents FROM apw.by_ward WHERE ward_code = 'WSOLO';
SELECT apw.spent('regress_apw_analyst') AS spent_after_own_matview;
RESET SESSION AUTHORIZATION;
-- The DBA's maintenance of the analyst's objects and writes into its
-- tables run the analyst's code: each read is charged to the analyst (and
-- recorded for the DBA), until the analyst's budget refuses it.
SELECT apw.try('REFRESH MATERIALIZED VIEW apw_own.mv') AS dba_refresh;
SELECT apw.spent('regress_apw_analyst') AS spent_after_dba_refresh;
SELECT apw.try('INSERT INTO apw_own.inbox VALUES (1)') AS dba_insert;
SELECT apw.spent('regress_apw_analyst') AS spent_after_dba_insert;
-- ANALYZE samples 200 rows: one read fits the budget, the second is refused
SELECT apw.try('ANALYZE apw_own.bait') AS dba_analyze;
SELECT apw.try('REINDEX TABLE apw_own.bait') AS dba_reindex;
SELECT apw.spent('regress_apw_analyst') AS spent_by_analyst,
       apw.spent(session_user::regrole) AS recorded_for_dba;
SELECT who, count(*) AS loot_rows FROM apw_own.loot GROUP BY who;
SET SESSION AUTHORIZATION regress_apw_analyst;
SELECT apw.try('REFRESH MATERIALIZED VIEW apw_own.mv') AS own_refresh_over_budget;
RESET SESSION AUTHORIZATION;

-- 4. The next of the class: a trigger function that is not SECURITY
-- DEFINER but switches to the analyst with a SET role clause (the role is
-- then the outer user, as after SET ROLE): charged to the analyst too.
SET SESSION AUTHORIZATION regress_apw_analyst;
CREATE TABLE apw_own.inbox_role (x int);
GRANT INSERT ON apw_own.inbox_role TO PUBLIC;
CREATE FUNCTION apw_own.grab_role() RETURNS trigger LANGUAGE plpgsql
SET role = 'regress_apw_analyst' AS $$
BEGIN
    INSERT INTO apw_own.loot SELECT session_user, residents FROM apw.by_ward WHERE ward_code = 'WSOLO';
    RETURN NULL;
END $$;
CREATE TRIGGER grab_role AFTER INSERT ON apw_own.inbox_role FOR EACH ROW EXECUTE FUNCTION apw_own.grab_role();
RESET SESSION AUTHORIZATION;
SELECT apw.try('INSERT INTO apw_own.inbox_role SELECT generate_series(1, 20)') AS dba_insert_set_role;
SELECT who, count(*) AS loot_rows FROM apw_own.loot GROUP BY who;
-- ... but a limited caller never spends a function owner's budget: the
-- victim's SECURITY DEFINER function, called by the analyst (over budget),
-- charges the analyst alone, and is refused
SET SESSION AUTHORIZATION regress_apw_victim;
CREATE FUNCTION apw_victim.report(w text) RETURNS bigint LANGUAGE sql SECURITY DEFINER
AS $$ SELECT residents FROM apw.by_ward WHERE ward_code = w $$;
GRANT USAGE ON SCHEMA apw_victim TO PUBLIC;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_apw_analyst;
SELECT apw.try('SELECT apw_victim.report(''WSOLO'') FROM generate_series(1, 5)') AS call_victims_function;
RESET SESSION AUTHORIZATION;
SELECT apw.spent('regress_apw_victim') AS victim_spent;

SELECT civic.reset_budget('regress_apw_analyst', 'apw.people');
SELECT civic.reset_budget('regress_apw_victim', 'apw.people');
DROP SCHEMA apw_own CASCADE;
DROP SCHEMA apw_victim CASCADE;
DROP SCHEMA apw CASCADE;
DROP ROLE regress_apw_analyst;
DROP ROLE regress_apw_victim;
