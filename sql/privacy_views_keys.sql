-- Privacy-safe views, rule 3: no group can be repeated, whoever writes to the
-- key table.  A key table row that appears twice repeats every private row
-- joined to it: 999 copies of WSOLO make WSOLO's noisy count 1000 times its
-- true value with the noise unchanged, so one read at epsilon 0.5 gives the
-- exact count.  civic 0.1.0 refused key tables the analyst can write
-- directly, but not the other paths (an auto-updatable view with INSERT, a
-- rule, a trigger, a SECURITY DEFINER function).  What makes repetition
-- impossible is a unique constraint on the key table's GROUP BY columns:
-- required when the view is created and again whenever it is read.
SET search_path = "$user", public, civic;  -- as the database's (sql/00_install.sql), so this file runs alone
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_pvk_analyst;
CREATE ROLE regress_pvk_analyst;
CREATE SCHEMA pvk;
GRANT USAGE ON SCHEMA pvk TO PUBLIC;
CREATE TABLE pvk.people (id int PRIMARY KEY, ward_code text NOT NULL, age int, income int);
INSERT INTO pvk.people
SELECT g, 'W' || lpad((g % 20)::text, 2, '0'), 18 + g % 70, 10000 + (g * 7919) % 90000
  FROM generate_series(1, 4999) g;
INSERT INTO pvk.people VALUES (5000, 'WSOLO', 44, 123456);
-- the analysts' list of areas of interest: public, without a unique key
CREATE TABLE pvk.areas_of_interest (ward_code text NOT NULL);
INSERT INTO pvk.areas_of_interest SELECT 'W' || lpad(i::text, 2, '0') FROM generate_series(0, 19) i;
INSERT INTO pvk.areas_of_interest VALUES ('WSOLO'), ('WEMPTY');
GRANT SELECT ON pvk.areas_of_interest TO regress_pvk_analyst;
-- write paths that are not a privilege on the table itself
CREATE VIEW pvk.aoi_edit AS SELECT ward_code FROM pvk.areas_of_interest;
GRANT SELECT, INSERT ON pvk.aoi_edit TO regress_pvk_analyst;
CREATE VIEW pvk.aoi_rule AS SELECT ward_code FROM pvk.areas_of_interest;
CREATE RULE aoi_rule_insert AS ON INSERT TO pvk.aoi_rule
    DO INSTEAD INSERT INTO pvk.areas_of_interest VALUES (NEW.ward_code);
GRANT INSERT ON pvk.aoi_rule TO regress_pvk_analyst;
CREATE TABLE pvk.requests (ward_code text);
GRANT INSERT ON pvk.requests TO regress_pvk_analyst;
CREATE FUNCTION pvk.copy_request() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO pvk.areas_of_interest VALUES (NEW.ward_code);
    RETURN NEW;
END $$;
CREATE TRIGGER copy_request AFTER INSERT ON pvk.requests FOR EACH ROW EXECUTE FUNCTION pvk.copy_request();
CREATE FUNCTION pvk.add_area(text, int) RETURNS void LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ INSERT INTO pvk.areas_of_interest SELECT $1 FROM generate_series(1, $2) $$;
GRANT EXECUTE ON FUNCTION pvk.add_area(text, int) TO regress_pvk_analyst;
ANALYZE pvk.people, pvk.areas_of_interest;
SELECT civic.set_budget('regress_pvk_analyst', 'pvk.people', 2.0);

CREATE FUNCTION pvk.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN 'refused ' || SQLSTATE || ': ' || SQLERRM;
END $$;
GRANT EXECUTE ON FUNCTION pvk.try(text) TO regress_pvk_analyst;

-- 1. The attack: a view by areas of interest.  Refused: no unique key.
\set VERBOSITY default
SELECT civic.create_private_view('pvk.by_aoi',
  $$SELECT a.ward_code, civic.dp_sum((p.id IS NOT NULL)::int::int8, 0, 1, 0.5) AS n
      FROM pvk.areas_of_interest a LEFT JOIN pvk.people p ON p.ward_code = a.ward_code
     GROUP BY a.ward_code$$,
  'regress_pvk_analyst') IS NOT NULL AS created;
\set VERBOSITY terse
-- had it been created: 999 copies of WSOLO through the editable view, then
-- one read at epsilon 0.5 would give round(n / 1000) = the true count
SET SESSION AUTHORIZATION regress_pvk_analyst;
INSERT INTO pvk.aoi_edit SELECT 'WSOLO' FROM generate_series(1, 999);
SELECT round(n / 1000.0) AS wsolo_people FROM pvk.by_aoi WHERE ward_code = 'WSOLO';
RESET SESSION AUTHORIZATION;
DELETE FROM pvk.areas_of_interest WHERE ward_code = 'WSOLO';
INSERT INTO pvk.areas_of_interest VALUES ('WSOLO');

-- 2. Only a usable unique key counts: the constraint's columns must all be
-- GROUP BY keys, NOT NULL (or NULLS NOT DISTINCT), enforced at once
-- (not deferrable), on the columns themselves (no expression, no WHERE).
CREATE TABLE pvk.k (ward_code text, borough text, note text);
INSERT INTO pvk.k SELECT ward_code, 'B', 'x' FROM pvk.areas_of_interest;
GRANT SELECT ON pvk.k TO regress_pvk_analyst;
CREATE FUNCTION pvk.try_key(ddl text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text;
BEGIN
    EXECUTE ddl;
    r := pvk.try($q$SELECT civic.create_private_view('pvk.by_k',
        'SELECT k.ward_code, civic.dp_count_units(p.id, 0.5) AS n
           FROM pvk.k k LEFT JOIN pvk.people p ON p.ward_code = k.ward_code GROUP BY k.ward_code',
        'regress_pvk_analyst')$q$);
    RAISE EXCEPTION 'undo' USING DETAIL = r;
EXCEPTION WHEN raise_exception THEN
    GET STACKED DIAGNOSTICS r = PG_EXCEPTION_DETAIL;
    RETURN r;
END $$;
SELECT ddl, pvk.try_key(ddl) AS private_view FROM (VALUES
    ('ALTER TABLE pvk.k ADD PRIMARY KEY (ward_code)'),
    ('ALTER TABLE pvk.k ALTER ward_code SET NOT NULL, ADD UNIQUE (ward_code)'),
    ('ALTER TABLE pvk.k ADD UNIQUE NULLS NOT DISTINCT (ward_code)'),
    ('ALTER TABLE pvk.k ADD UNIQUE (ward_code)'),
    ('ALTER TABLE pvk.k ADD PRIMARY KEY (ward_code) DEFERRABLE'),
    ('ALTER TABLE pvk.k ADD PRIMARY KEY (ward_code) DEFERRABLE INITIALLY IMMEDIATE'),
    ('ALTER TABLE pvk.k ALTER ward_code SET NOT NULL; CREATE UNIQUE INDEX ON pvk.k (ward_code) WHERE note = ''x'''),
    ('ALTER TABLE pvk.k ALTER ward_code SET NOT NULL; CREATE UNIQUE INDEX ON pvk.k (lower(ward_code))'),
    ('ALTER TABLE pvk.k ADD PRIMARY KEY (ward_code, borough)'),
    ('CREATE INDEX ON pvk.k (ward_code)'),
    ('ALTER TABLE pvk.k ADD PRIMARY KEY (ward_code); CREATE TABLE pvk.k_more () INHERITS (pvk.k)')
) t(ddl);

-- the refusal says which key was found and why it does not count
CREATE TABLE pvk.k2 (ward_code text UNIQUE);
GRANT SELECT ON pvk.k2 TO regress_pvk_analyst;
CREATE VIEW pvk.by_k2 WITH (security_barrier) AS
    SELECT k.ward_code, civic.dp_count_units(p.id, 0.5) AS n
      FROM pvk.k2 k LEFT JOIN pvk.people p ON p.ward_code = k.ward_code GROUP BY k.ward_code;
\set VERBOSITY default
SELECT civic.check_private_view('pvk.by_k2', ARRAY['regress_pvk_analyst']::regrole[]);
\set VERBOSITY terse

-- 3. With a primary key the view is created, and no write path repeats a
-- group: each is refused by the constraint, whoever's rights it runs with.
ALTER TABLE pvk.areas_of_interest ADD PRIMARY KEY (ward_code);
SELECT civic.create_private_view('pvk.by_aoi',
  $$SELECT a.ward_code, civic.dp_sum((p.id IS NOT NULL)::int::int8, 0, 1, 0.5) AS n
      FROM pvk.areas_of_interest a LEFT JOIN pvk.people p ON p.ward_code = a.ward_code
     GROUP BY a.ward_code$$,
  'regress_pvk_analyst') IS NOT NULL AS created;
SET SESSION AUTHORIZATION regress_pvk_analyst;
SELECT pvk.try($$INSERT INTO pvk.aoi_edit SELECT 'WSOLO' FROM generate_series(1, 999)$$) AS updatable_view,
       pvk.try($$INSERT INTO pvk.aoi_rule VALUES ('WSOLO')$$) AS rule,
       pvk.try($$INSERT INTO pvk.requests VALUES ('WSOLO')$$) AS trigger,
       pvk.try($$SELECT pvk.add_area('WSOLO', 999)$$) AS security_definer;
SELECT count(*) AS groups, count(*) FILTER (WHERE ward_code = 'WSOLO') AS wsolo_groups,
       bool_and(n BETWEEN -1000 AND 6000) AS in_range
  FROM pvk.by_aoi;
RESET SESSION AUTHORIZATION;

-- 4. Re-checked when read: a key dropped after creation (or made deferrable,
-- or a child table added) stops the view at the analyst's next read, before
-- anything runs or is charged.
SELECT epsilon AS remaining_before FROM civic.budget_remaining('pvk.people', 'regress_pvk_analyst') \gset
ALTER TABLE pvk.areas_of_interest DROP CONSTRAINT areas_of_interest_pkey;
SET SESSION AUTHORIZATION regress_pvk_analyst;
\set VERBOSITY default
SELECT * FROM pvk.by_aoi;
\set VERBOSITY terse
SELECT pvk.try($$INSERT INTO pvk.aoi_edit VALUES ('WSOLO')$$) AS now_possible,
       pvk.try($$SELECT count(v.*) FROM pvk.by_aoi v$$) AS read;
RESET SESSION AUTHORIZATION;
DELETE FROM pvk.areas_of_interest WHERE ctid IN (SELECT max(ctid) FROM pvk.areas_of_interest WHERE ward_code = 'WSOLO');
ALTER TABLE pvk.areas_of_interest ADD PRIMARY KEY (ward_code) DEFERRABLE;
SET SESSION AUTHORIZATION regress_pvk_analyst;
SELECT pvk.try($$SELECT count(v.*) FROM pvk.by_aoi v$$) AS deferrable;
RESET SESSION AUTHORIZATION;
ALTER TABLE pvk.areas_of_interest DROP CONSTRAINT areas_of_interest_pkey,
    ADD PRIMARY KEY (ward_code);
CREATE TABLE pvk.aoi_child () INHERITS (pvk.areas_of_interest);
SET SESSION AUTHORIZATION regress_pvk_analyst;
SELECT pvk.try($$SELECT count(v.*) FROM pvk.by_aoi v$$) AS child_table;
RESET SESSION AUTHORIZATION;
DROP TABLE pvk.aoi_child;
-- a write privilege granted after creation (renaming join values could send
-- one person to several groups) is refused too
GRANT UPDATE (ward_code) ON pvk.areas_of_interest TO regress_pvk_analyst;
SET SESSION AUTHORIZATION regress_pvk_analyst;
SELECT pvk.try($$SELECT count(v.*) FROM pvk.by_aoi v$$) AS writable;
RESET SESSION AUTHORIZATION;
REVOKE UPDATE (ward_code) ON pvk.areas_of_interest FROM regress_pvk_analyst;
SET SESSION AUTHORIZATION regress_pvk_analyst;
SELECT pvk.try($$SELECT count(v.*) FROM pvk.by_aoi v$$) AS repaired;
RESET SESSION AUTHORIZATION;
-- the refused reads cost nothing; the last one cost 0.5
SELECT :remaining_before - epsilon AS spent_since
  FROM civic.budget_remaining('pvk.people', 'regress_pvk_analyst');
-- and check_private_view tells the DBA the same
ALTER TABLE pvk.areas_of_interest DROP CONSTRAINT areas_of_interest_pkey;
SELECT civic.check_private_view('pvk.by_aoi', ARRAY['regress_pvk_analyst']::regrole[]);

-- clean up
SELECT civic.reset_budget('regress_pvk_analyst', 'pvk.people');
DROP SCHEMA pvk CASCADE;
DROP ROLE regress_pvk_analyst;
