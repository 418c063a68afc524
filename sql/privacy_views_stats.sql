-- Privacy-safe views, rule 1: the activity and I/O counters.  The analyst
-- reads a table's counters (pg_stat_xact_user_tables, pg_stat_user_indexes,
-- the pg_stat_get_* functions behind them) before and after one read of a
-- private view restricted to a ward: the difference is the ward's true
-- number of people, for free.  civic.restrict_statistics() makes every such
-- counter unreadable for roles that are neither budget administrators nor
-- members of pg_monitor, in this database.
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_pvs_analyst;
DROP ROLE IF EXISTS regress_pvs_monitor;
DROP ROLE IF EXISTS regress_pvs_admin;
CREATE ROLE regress_pvs_analyst;
CREATE ROLE regress_pvs_monitor IN ROLE pg_monitor;
CREATE ROLE regress_pvs_admin IN ROLE civic_budget_admin;
CREATE SCHEMA pvs;
GRANT USAGE ON SCHEMA pvs TO PUBLIC;
CREATE TABLE pvs.people (id int PRIMARY KEY, ward_code text NOT NULL, age int, income int);
INSERT INTO pvs.people
SELECT g, 'W' || lpad((g % 20)::text, 2, '0'), 18 + g % 70, 10000 + (g * 7919) % 90000
  FROM generate_series(1, 4999) g;
INSERT INTO pvs.people VALUES (5000, 'WSOLO', 44, 123456);
CREATE INDEX people_ward ON pvs.people (ward_code);
CREATE TABLE pvs.wards (ward_code text PRIMARY KEY);
INSERT INTO pvs.wards SELECT 'W' || lpad(i::text, 2, '0') FROM generate_series(0, 19) i;
INSERT INTO pvs.wards VALUES ('WSOLO'), ('WEMPTY');
GRANT SELECT ON pvs.wards TO regress_pvs_analyst;
ANALYZE pvs.people, pvs.wards;
SELECT civic.set_budget('regress_pvs_analyst', 'pvs.people', 100);
-- The counters of this database start readable by everyone (a fresh
-- database, or one where the restriction was undone).
SELECT civic.statistics_restricted() AS restricted;
RESET client_min_messages;

-- 1. While the counters are readable, create_private_view says so.
SELECT civic.create_private_view('pvs.people_by_ward',
  $$SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS residents
      FROM pvs.wards w LEFT JOIN pvs.people p ON p.ward_code = w.ward_code
     GROUP BY w.ward_code$$,
  'regress_pvs_analyst') IS NOT NULL AS created;

-- 2. The attack: one charged, noised read of WSOLO, and the counters around
-- it.  Within one transaction the pg_stat_xact_* counters are the
-- backend's own and exact.
CREATE FUNCTION pvs.counter(f text, rel regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v bigint;
BEGIN
    EXECUTE format('SELECT pg_catalog.%I($1)', f) USING rel INTO v;
    RETURN v::text;
EXCEPTION WHEN OTHERS THEN
    RETURN 'refused ' || SQLSTATE;
END $$;
GRANT EXECUTE ON FUNCTION pvs.counter(text, regclass) TO regress_pvs_analyst;
CREATE FUNCTION pvs.attack() RETURNS TABLE (counter text, difference text) LANGUAGE plpgsql AS $$
DECLARE
    f text;
    fs text[] := ARRAY['pg_stat_get_xact_tuples_fetched', 'pg_stat_get_xact_tuples_returned',
                       'pg_stat_get_xact_numscans'];
    rels regclass[] := ARRAY['pvs.people', 'pvs.people_ward'];
    r regclass;
    before text[] := '{}';
    after text[] := '{}';
    i int;
    n bigint;
BEGIN
    FOREACH r IN ARRAY rels LOOP
        FOREACH f IN ARRAY fs LOOP
            before := before || pvs.counter(f, r);
        END LOOP;
    END LOOP;
    SELECT count(v.*) INTO n FROM pvs.people_by_ward v WHERE v.ward_code = 'WSOLO';
    FOREACH r IN ARRAY rels LOOP
        FOREACH f IN ARRAY fs LOOP
            after := after || pvs.counter(f, r);
        END LOOP;
    END LOOP;
    i := 0;
    FOREACH r IN ARRAY rels LOOP
        FOREACH f IN ARRAY fs LOOP
            i := i + 1;
            counter := f || '(' || r || ')';
            difference := CASE WHEN before[i] ~ '^[0-9]+$' AND after[i] ~ '^[0-9]+$'
                               THEN (after[i]::bigint - before[i]::bigint)::text
                               ELSE after[i] END;
            RETURN NEXT;
        END LOOP;
    END LOOP;
END $$;
GRANT EXECUTE ON FUNCTION pvs.attack() TO regress_pvs_analyst;
SET SESSION AUTHORIZATION regress_pvs_analyst;
SET enable_seqscan = off;
-- the exact count of WSOLO (1) appears among the counters' differences
BEGIN;
SELECT * FROM pvs.attack();
COMMIT;
-- across transactions, the cumulative counters of pg_stat_user_indexes give
-- the same, once the backend's pending counts are flushed
SELECT pg_stat_force_next_flush();
SELECT idx_tup_read AS idx_tup_read_before FROM pg_stat_user_indexes
 WHERE indexrelname = 'people_ward' \gset
SELECT count(v.*) AS rows_read FROM pvs.people_by_ward v WHERE v.ward_code = 'WSOLO';
SELECT pg_stat_force_next_flush();
SELECT idx_tup_read - :idx_tup_read_before AS wsolo_people FROM pg_stat_user_indexes
 WHERE indexrelname = 'people_ward';
RESET enable_seqscan;
RESET SESSION AUTHORIZATION;

-- 3. Only budget administrators restrict the counters.
SET SESSION AUTHORIZATION regress_pvs_analyst;
SELECT civic.restrict_statistics();
RESET SESSION AUTHORIZATION;
-- What it changes, summarised: every pg_stat_get_* function and every
-- pg_stat_* and pg_statio_* view of pg_catalog, taken from PUBLIC and given
-- to pg_monitor and civic_budget_admin.  A member of civic_budget_admin may
-- call it (it runs as the extension's owner).
SET SESSION AUTHORIZATION regress_pvs_admin;
CREATE TEMP TABLE changes AS SELECT * FROM civic.restrict_statistics();
SELECT split_part(object, ' ', 1) AS kind, privilege, change, count(*) > 10 AS many
  FROM changes GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
SELECT count(*) AS functions_left_out FROM pg_proc
 WHERE proname LIKE 'pg\_stat\_get\_%' AND pronamespace = 'pg_catalog'::regnamespace
   AND NOT EXISTS (SELECT 1 FROM changes WHERE object = 'function ' || oid::regprocedure::text);
SELECT count(*) AS views_left_out FROM pg_class
 WHERE (relname LIKE 'pg\_stat\_%' OR relname LIKE 'pg\_statio\_%') AND relkind = 'v'
   AND relnamespace = 'pg_catalog'::regnamespace
   AND NOT EXISTS (SELECT 1 FROM changes WHERE object = 'view ' || oid::regclass::text);
RESET SESSION AUTHORIZATION;
-- idempotent: a second call changes nothing
SELECT count(*) AS changed_again FROM civic.restrict_statistics();
SELECT civic.statistics_restricted() AS restricted;

-- 4. The same attack is refused, on every path.
SET SESSION AUTHORIZATION regress_pvs_analyst;
SET enable_seqscan = off;
BEGIN;
SELECT * FROM pvs.attack();
COMMIT;
RESET enable_seqscan;
SELECT count(*) AS stat_functions_executable FROM pg_proc
 WHERE proname LIKE 'pg\_stat\_get\_%' AND has_function_privilege(oid, 'EXECUTE');
SELECT count(*) AS stat_views_readable FROM pg_class
 WHERE (relname LIKE 'pg\_stat\_%' OR relname LIKE 'pg\_statio\_%') AND relkind = 'v'
   AND has_table_privilege(oid, 'SELECT');
SELECT idx_tup_read FROM pg_stat_user_indexes WHERE indexrelname = 'people_ward';
SELECT idx_tup_fetch FROM pg_stat_xact_user_tables WHERE relname = 'people';
SELECT n_live_tup, n_tup_ins, seq_tup_read FROM pg_stat_all_tables WHERE relname = 'people';
SELECT heap_blks_read FROM pg_statio_user_tables WHERE relname = 'people';
SELECT tup_fetched FROM pg_stat_database WHERE datname = current_database();
SELECT query FROM pg_stat_activity LIMIT 1;
SELECT pg_stat_get_live_tuples('pvs.people'::regclass);
SELECT pg_stat_get_numscans('pvs.people_ward'::regclass);
SELECT pg_stat_get_blocks_fetched('pvs.people'::regclass);
SELECT pg_stat_get_xact_tuples_fetched('pvs.people'::regclass);
-- the view itself still works, charged as before
SELECT count(*) AS wards FROM pvs.people_by_ward WHERE residents IS NOT NULL;
RESET SESSION AUTHORIZATION;
-- and no more notice when the next view is created
SELECT civic.create_private_view('pvs.people_by_ward2',
  $$SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS residents
      FROM pvs.wards w LEFT JOIN pvs.people p ON p.ward_code = w.ward_code
     GROUP BY w.ward_code$$,
  'regress_pvs_analyst') IS NOT NULL AS created;

-- 5. pg_monitor members and budget administrators still read the counters.
SET SESSION AUTHORIZATION regress_pvs_monitor;
SELECT count(*) >= 1 AS monitor_reads FROM pg_stat_user_tables WHERE relname = 'people';
SELECT pg_stat_get_live_tuples('pvs.people'::regclass) >= 0 AS monitor_calls;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_pvs_admin;
SELECT count(*) >= 1 AS admin_reads FROM pg_stat_user_tables WHERE relname = 'people';
RESET SESSION AUTHORIZATION;

-- 6. A role granted a counter explicitly loses it at the next call; a newly
-- installed statistics extension (pg_stat_statements) makes the database
-- unrestricted again until the next call, which covers it too.
GRANT EXECUTE ON FUNCTION pg_stat_get_live_tuples(oid) TO regress_pvs_analyst;
SELECT civic.statistics_restricted() AS restricted;
SELECT * FROM civic.restrict_statistics();
CREATE EXTENSION pg_stat_statements SCHEMA pvs;
SELECT civic.statistics_restricted() AS restricted;
SELECT * FROM civic.restrict_statistics() ORDER BY 1, 2, 3;
SELECT civic.statistics_restricted() AS restricted;
DROP EXTENSION pg_stat_statements;

-- 7. Undo: the counters are readable by everyone again, as PostgreSQL ships
-- them.
SET SESSION AUTHORIZATION regress_pvs_analyst;
SELECT civic.unrestrict_statistics();
RESET SESSION AUTHORIZATION;
SELECT split_part(object, ' ', 1) AS kind, privilege, change, count(*) > 10 AS many
  FROM civic.unrestrict_statistics() GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
SELECT civic.statistics_restricted() AS restricted;
SELECT count(*) AS changed_again FROM civic.unrestrict_statistics();
SELECT count(*) AS stat_functions_not_public FROM pg_proc
 WHERE proname LIKE 'pg\_stat\_get\_%' AND NOT has_function_privilege('public', oid, 'EXECUTE');
SELECT count(*) AS stat_views_not_public FROM pg_class
 WHERE (relname LIKE 'pg\_stat\_%' OR relname LIKE 'pg\_statio\_%') AND relkind = 'v'
   AND relnamespace = 'pg_catalog'::regnamespace AND NOT has_table_privilege('public', oid, 'SELECT');
SELECT count(*) AS granted_to_admin FROM pg_proc
 WHERE proname LIKE 'pg\_stat\_get\_%' AND proacl::text LIKE '%civic_budget_admin%';

-- clean up
SET client_min_messages = warning;
DROP TABLE changes;
SELECT civic.reset_budget('regress_pvs_analyst', 'pvs.people');
DROP SCHEMA pvs CASCADE;
DROP ROLE regress_pvs_analyst;
DROP ROLE regress_pvs_monitor;
DROP ROLE regress_pvs_admin;
