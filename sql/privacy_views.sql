-- Privacy-safe views, rule 2: a private view's rows are exactly the rows of
-- its public key table, whatever the private data.  Each shape below was
-- accepted by civic 0.1.0 and let an analyst who selects only the key column
-- learn a fact about private rows for free.  Every shape is tried twice:
-- through civic.create_private_view (checked when created), and as the same
-- security_barrier view made by hand and granted to the analyst (checked
-- when the analyst reads it).
--
-- Set-up of issue 8: superuser-owned people(id, ward_code, age, income),
-- 5,000 rows; ward WSOLO holds exactly one person (the only income above
-- 100,000), WEMPTY nobody; a public list of wards.
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_pv_analyst;
DROP ROLE IF EXISTS regress_pv_owner;
CREATE ROLE regress_pv_analyst;
CREATE SCHEMA pv;
GRANT USAGE ON SCHEMA pv TO PUBLIC;
CREATE TABLE pv.people (id int PRIMARY KEY, ward_code text NOT NULL, age int, income int);
INSERT INTO pv.people
SELECT g, 'W' || lpad((g % 20)::text, 2, '0'), 18 + g % 70, 10000 + (g * 7919) % 90000
  FROM generate_series(1, 4999) g;
INSERT INTO pv.people VALUES (5000, 'WSOLO', 44, 123456);
CREATE TABLE pv.wards (ward_code text PRIMARY KEY, borough text NOT NULL);
INSERT INTO pv.wards SELECT 'W' || lpad(i::text, 2, '0'), 'B' || (i % 4) FROM generate_series(0, 19) i;
INSERT INTO pv.wards VALUES ('WSOLO', 'B0'), ('WEMPTY', 'B1');
GRANT SELECT ON pv.wards TO regress_pv_analyst;
-- a plain view of the raw rows (for the DBA), and a function that reads them
-- with its owner's rights
CREATE VIEW pv.people_raw AS SELECT * FROM pv.people;
CREATE FUNCTION pv.has_rich(text) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT EXISTS (SELECT 1 FROM pv.people WHERE ward_code = $1 AND income > 100000) $$;
-- a helper whose body is parsed when it runs (no fixed search_path), and
-- one the analyst owns
CREATE FUNCTION pv.bucket(int) RETURNS int8 LANGUAGE sql IMMUTABLE
AS $$ SELECT abs($1 / 10000)::int8 $$;
CREATE SCHEMA pv_evil AUTHORIZATION regress_pv_analyst;
CREATE FUNCTION pv_evil.scaled(int) RETURNS int8 LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp AS $$ SELECT ($1 / 10000)::int8 $$;
ALTER FUNCTION pv_evil.scaled(int) OWNER TO regress_pv_analyst;
ANALYZE pv.people, pv.wards;
SELECT civic.set_budget('regress_pv_analyst', 'pv.people', 1000);
SELECT count(*) AS people, count(*) FILTER (WHERE income > 100000) AS rich,
       count(*) FILTER (WHERE ward_code = 'WSOLO') AS in_wsolo FROM pv.people;

-- Try a definition through create_private_view: 'accepted' or the refusal.
CREATE FUNCTION pv.try_create(name text, def text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM civic.create_private_view('pv.' || name, def, 'regress_pv_analyst');
    RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
    RETURN 'refused ' || SQLSTATE || ': ' || SQLERRM;
END $$;
-- The same view made by hand (no check), granted to the analyst.
CREATE FUNCTION pv.make_by_hand(name text, def text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE VIEW pv.%I WITH (security_barrier) AS %s', name, def);
    EXECUTE format('GRANT SELECT ON pv.%I TO regress_pv_analyst', name);
END $$;
-- Read every column of a view (nothing is planned away): the number of rows,
-- or the refusal.
CREATE FUNCTION pv.try_read(name text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format('SELECT count(v.*) FROM pv.%I v', name) INTO n;
    RETURN n || ' rows';
EXCEPTION WHEN OTHERS THEN
    RETURN 'refused ' || SQLSTATE || ': ' || SQLERRM;
END $$;
GRANT EXECUTE ON FUNCTION pv.try_read(text) TO regress_pv_analyst;

CREATE TABLE pv.shape (n int PRIMARY KEY, what text, def text);
INSERT INTO pv.shape VALUES
-- the recommended shape, and variants that keep every ward
(1, 'LEFT JOIN from the key table', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code GROUP BY w.ward_code$$),
(2, 'RIGHT JOIN to the key table', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.people p RIGHT JOIN pv.wards w ON p.ward_code = w.ward_code GROUP BY w.ward_code$$),
(3, 'private condition in the ON clause', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS rich
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code AND p.income > 100000
     GROUP BY w.ward_code$$),
(4, 'private condition in FILTER', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) FILTER (WHERE p.income > 100000) AS rich
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code GROUP BY w.ward_code$$),
(5, 'LEFT JOIN LATERAL subquery', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w LEFT JOIN LATERAL (SELECT id FROM pv.people q WHERE q.ward_code = w.ward_code) p ON true
     GROUP BY w.ward_code$$),
(6, 'WHERE on key-table columns only', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code
     WHERE w.borough <> 'B3' GROUP BY w.ward_code$$),
(7, 'no GROUP BY: one row, whatever the data', $$
    SELECT civic.dp_count(0.5) AS rich FROM pv.people p WHERE p.income > 100000$$),
-- the three shapes of the issue
(10, 'inner join (WEMPTY missing)', $$
    SELECT w.ward_code, civic.dp_count(0.5) AS n
      FROM pv.people p JOIN pv.wards w ON p.ward_code = w.ward_code GROUP BY w.ward_code$$),
(11, 'LEFT JOIN + WHERE on private column (only WSOLO left)', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code
     WHERE p.income > 100000 GROUP BY w.ward_code$$),
(12, 'GROUP BY a private column not shown (rows = distinct ages)', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code GROUP BY w.ward_code, p.age$$),
-- the next ones of the class
(20, 'key table on the nullable side of a LEFT JOIN', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.people p LEFT JOIN pv.wards w ON p.ward_code = w.ward_code GROUP BY w.ward_code$$),
(21, 'FULL JOIN', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w FULL JOIN pv.people p ON p.ward_code = w.ward_code GROUP BY w.ward_code$$),
(22, 'comma join', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w, pv.people p WHERE p.ward_code = w.ward_code GROUP BY w.ward_code$$),
(23, 'inner join after the LEFT JOIN', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code
      JOIN pv.people q ON q.id = p.id GROUP BY w.ward_code$$),
(24, 'CROSS JOIN LATERAL', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w CROSS JOIN LATERAL (SELECT id FROM pv.people q WHERE q.ward_code = w.ward_code) p
     GROUP BY w.ward_code$$),
(25, 'keys from a subquery over private data', $$
    SELECT k.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM (SELECT DISTINCT ward_code FROM pv.people) k LEFT JOIN pv.people p ON p.ward_code = k.ward_code
     GROUP BY k.ward_code$$),
(26, 'keys from a private table', $$
    SELECT p.ward_code, civic.dp_count(0.5) AS n FROM pv.people p GROUP BY p.ward_code$$),
(27, 'GROUP BY an expression', $$
    SELECT lower(w.ward_code) AS ward, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code GROUP BY lower(w.ward_code)$$),
(28, 'WHERE EXISTS over private data', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code
     WHERE EXISTS (SELECT 1 FROM pv.people r WHERE r.ward_code = w.ward_code AND r.income > 100000)
     GROUP BY w.ward_code$$),
(29, 'WHERE calls a SECURITY DEFINER function', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code
     WHERE pv.has_rich(w.ward_code) GROUP BY w.ward_code$$),
(30, 'HAVING on a DP aggregate', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code
     GROUP BY w.ward_code HAVING civic.dp_count_units(p.id, 0.5) > 100$$),
(31, 'DISTINCT', $$
    SELECT DISTINCT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code GROUP BY w.ward_code$$),
(32, 'ORDER BY a DP aggregate with LIMIT', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code
     GROUP BY w.ward_code ORDER BY 2 DESC LIMIT 3$$),
(33, 'OFFSET', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code GROUP BY w.ward_code OFFSET 1$$),
(34, 'UNION', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code GROUP BY w.ward_code
    UNION SELECT 'X', civic.dp_count(0.5) FROM pv.people$$),
(35, 'WITH query', $$
    WITH k AS (SELECT * FROM pv.wards)
    SELECT k.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM k LEFT JOIN pv.people p ON p.ward_code = k.ward_code GROUP BY k.ward_code$$),
(36, 'GROUPING SETS', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code
     GROUP BY GROUPING SETS ((w.ward_code), ())$$),
(37, 'set-returning function in the select list', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n, generate_series(1, 2) AS copy
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code GROUP BY w.ward_code$$),
(38, 'scalar subquery over private data in the select list', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n,
           (SELECT r.income FROM pv.people r WHERE r.ward_code = w.ward_code LIMIT 1) AS income
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code GROUP BY w.ward_code$$),
(39, 'scalar subquery inside a DP aggregate', $$
    SELECT w.ward_code,
           civic.dp_sum((SELECT r.income FROM pv.people r WHERE r.ward_code = 'WSOLO')::int8, 0, 200000, 0.5) AS s
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code GROUP BY w.ward_code$$),
(40, 'CASE around a DP aggregate', $$
    SELECT w.ward_code,
           CASE WHEN civic.dp_count_units(p.id, 0.5) > 100 THEN 'many' END AS n
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code GROUP BY w.ward_code$$),
(41, 'private table read through another view', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w LEFT JOIN pv.people_raw p ON p.ward_code = w.ward_code GROUP BY w.ward_code$$),
(42, 'TABLESAMPLE on the key table', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w TABLESAMPLE SYSTEM (50) LEFT JOIN pv.people p ON p.ward_code = w.ward_code
     GROUP BY w.ward_code$$),
(44, 'function without a fixed search_path', $$
    SELECT w.ward_code, civic.dp_sum(pv.bucket(p.income), 0, 20, 0.5) AS income_band
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code GROUP BY w.ward_code$$),
(45, 'function owned by the analyst', $$
    SELECT w.ward_code, civic.dp_sum(pv_evil.scaled(p.income), 0, 20, 0.5) AS income_band
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code GROUP BY w.ward_code$$),
(43, 'a column of the key table that is not a key', $$
    SELECT w.borough, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards w LEFT JOIN pv.people p ON p.ward_code = w.ward_code GROUP BY w.borough$$);

SELECT n, what, pv.try_create('c' || n, def) AS created FROM pv.shape ORDER BY n;
SELECT count(pv.make_by_hand('h' || n, def)) AS made_by_hand FROM pv.shape;
GRANT SELECT ON pv.shape TO regress_pv_analyst;
SET SESSION AUTHORIZATION regress_pv_analyst;
SELECT n, what, pv.try_read('h' || n) AS read_by_analyst FROM pv.shape ORDER BY n;
-- (had h44 been read: the analyst's own abs(), first on search_path,
-- receives every income; had h45 been read, so would the analyst's
-- replacement of pv_evil.scaled)
CREATE TABLE pv_evil.seen (v int);
CREATE FUNCTION pv_evil.abs(int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pv_evil.seen VALUES ($1);
    RETURN 0;
END $$;
CREATE OR REPLACE FUNCTION pv_evil.scaled(int) RETURNS int8 LANGUAGE sql
SET search_path = pg_catalog, pg_temp AS $$ SELECT pv_evil.abs($1)::int8 $$;
SET search_path = pv_evil, pg_catalog;
SELECT pv.try_read('h44') AS h44, pv.try_read('h45') AS h45;
RESET search_path;
SELECT count(*) AS incomes_seen FROM pv_evil.seen;
RESET SESSION AUTHORIZATION;
-- only the accepted shapes were created, and each of them keeps every ward
SELECT count(*) AS private_views FROM pg_class
 WHERE relnamespace = 'pv'::regnamespace AND relname ~ '^c[0-9]+$';
SET SESSION AUTHORIZATION regress_pv_analyst;
SELECT (SELECT array_agg(ward_code ORDER BY ward_code) FROM pv.c1 WHERE n IS NOT NULL)
     = (SELECT array_agg(ward_code ORDER BY ward_code) FROM pv.wards) AS c1_every_ward,
       (SELECT count(*) FROM pv.c3 WHERE rich IS NOT NULL) AS c3_wards,
       (SELECT count(*) FROM pv.c4 WHERE rich IS NOT NULL) AS c4_wards;
RESET SESSION AUTHORIZATION;

-- A key table whose row-level security applies to the view's owner: its
-- policy (here: only wards with a rich resident) decides which key rows the
-- view sees.
CREATE ROLE regress_pv_owner;
GRANT USAGE ON SCHEMA pv TO regress_pv_owner;
CREATE TABLE pv.wards_rls (ward_code text PRIMARY KEY);
INSERT INTO pv.wards_rls SELECT ward_code FROM pv.wards;
ALTER TABLE pv.wards_rls ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone ON pv.wards_rls FOR SELECT TO regress_pv_analyst USING (true);
CREATE POLICY rich_only ON pv.wards_rls FOR SELECT TO regress_pv_owner
    USING (EXISTS (SELECT 1 FROM pv.people r WHERE r.ward_code = wards_rls.ward_code AND r.income > 100000));
GRANT SELECT ON pv.wards_rls, pv.people TO regress_pv_owner;
GRANT SELECT ON pv.wards_rls TO regress_pv_analyst;
SELECT pv.make_by_hand('h_rls', $$
    SELECT w.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pv.wards_rls w LEFT JOIN pv.people p ON p.ward_code = w.ward_code GROUP BY w.ward_code$$);
ALTER VIEW pv.h_rls OWNER TO regress_pv_owner;
SET SESSION AUTHORIZATION regress_pv_analyst;
SELECT pv.try_read('h_rls') AS read_by_analyst;
RESET SESSION AUTHORIZATION;

-- the refusal in full: the rule, why, and what to do
\set VERBOSITY default
SELECT civic.check_private_view('pv.h11', ARRAY['regress_pv_analyst']::regrole[]);
SET SESSION AUTHORIZATION regress_pv_analyst;
SELECT ward_code FROM pv.h10 ORDER BY 1 LIMIT 1;
RESET SESSION AUTHORIZATION;
\set VERBOSITY terse
-- the DBA, who may read every table directly, is not refused
SELECT count(*) AS rows_for_dba FROM pv.h10;
-- private rows reached through a SECURITY DEFINER function (not a table the
-- analyst lacks) still make the view private: it is checked, and refused
CREATE FUNCTION pv.people_fn() RETURNS SETOF pv.people LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$ SELECT * FROM pv.people $$;
SELECT pv.make_by_hand('h_fn', $$
    SELECT w.ward_code, civic.dp_count(0.5) AS n
      FROM pv.wards w JOIN pv.people_fn() p ON p.ward_code = w.ward_code GROUP BY w.ward_code$$);
SET SESSION AUTHORIZATION regress_pv_analyst;
SELECT pv.try_read('h_fn') AS read_by_analyst;
RESET SESSION AUTHORIZATION;
-- the reader is the session user: a DBA's SECURITY DEFINER function does not
-- make the analyst the DBA
CREATE FUNCTION pv.read_h10() RETURNS bigint LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$ SELECT count(v.*) FROM pv.h10 v $$;
GRANT EXECUTE ON FUNCTION pv.read_h10() TO regress_pv_analyst;
SET SESSION AUTHORIZATION regress_pv_analyst;
SELECT pv.read_h10();
-- views without DP aggregates are ordinary views, not checked: granting one
-- publishes what it shows
RESET SESSION AUTHORIZATION;
CREATE VIEW pv.ward_list AS SELECT ward_code FROM pv.wards;
GRANT SELECT ON pv.ward_list TO regress_pv_analyst;
SET SESSION AUTHORIZATION regress_pv_analyst;
SELECT count(*) AS wards FROM pv.ward_list;
RESET SESSION AUTHORIZATION;

-- clean up
SELECT civic.reset_budget('regress_pv_analyst', 'pv.people');
DROP SCHEMA pv, pv_evil CASCADE;
DROP ROLE regress_pv_analyst;
DROP ROLE regress_pv_owner;
