-- Metering of queries that read private data through privacy-safe views
-- (docs/budget.md, "What a query costs").  The set-up of docs/budget.md: a
-- superuser-owned private table of people (ward WSOLO holds one person,
-- WEMPTY none), a public list of wards the analyst may read, and a
-- privacy-safe view made by civic.create_private_view.  Every attack runs as
-- the analyst, a role without any privilege on the people table.
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_meter_analyst;
RESET client_min_messages;
CREATE ROLE regress_meter_analyst;
CREATE SCHEMA privacy_meter;
GRANT USAGE ON SCHEMA privacy_meter TO PUBLIC;
CREATE SCHEMA meter_own AUTHORIZATION regress_meter_analyst;
CREATE TABLE privacy_meter.wards (ward_code text PRIMARY KEY);
INSERT INTO privacy_meter.wards
    SELECT 'W' || lpad(i::text, 2, '0') FROM generate_series(1, 20) i;
INSERT INTO privacy_meter.wards VALUES ('WSOLO'), ('WEMPTY');
CREATE TABLE privacy_meter.people (id int PRIMARY KEY, ward_code text, age int, income int);
INSERT INTO privacy_meter.people
    SELECT g, 'W' || lpad((1 + g % 20)::text, 2, '0'), 18 + g % 70, 20000 + (g * 37) % 90000
      FROM generate_series(1, 4999) g;
INSERT INTO privacy_meter.people VALUES (5000, 'WSOLO', 44, 150000);
CREATE INDEX ON privacy_meter.people (ward_code);
REVOKE ALL ON privacy_meter.people FROM PUBLIC;
GRANT SELECT ON privacy_meter.wards TO regress_meter_analyst;
ANALYZE privacy_meter.people, privacy_meter.wards;
SELECT civic.set_budget('regress_meter_analyst', 'privacy_meter.people', 2.0);
SET client_min_messages = warning;
SELECT civic.create_private_view('privacy_meter.people_by_ward',
  $$SELECT w.ward_code,
           civic.dp_sum((p.id IS NOT NULL)::int::int8, 0, 1, 0.5) AS residents,
           civic.dp_avg(p.age::float8, 0, 100, 0.5)                AS mean_age
      FROM privacy_meter.wards w LEFT JOIN privacy_meter.people p ON p.ward_code = w.ward_code
     GROUP BY w.ward_code$$,
  'regress_meter_analyst');
RESET client_min_messages;
-- What the analyst has left on the private table.
CREATE FUNCTION privacy_meter.left() RETURNS float8 LANGUAGE sql STABLE
AS $$ SELECT epsilon FROM civic.budget_remaining('privacy_meter.people') $$;
-- Scans of the private table in the current transaction.
CREATE FUNCTION privacy_meter.scans() RETURNS bigint LANGUAGE sql VOLATILE
AS $$ SELECT seq_scan + coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables
       WHERE relid = 'privacy_meter.people'::regclass $$;

-- 1. A read of a privacy-safe view costs the view's full price (here 1.0:
-- two aggregates of 0.5), whichever of its columns the query uses: the
-- planner drops unused aggregates, but the private table is still read, and
-- its counters, timing and errors depend on private rows.
SET SESSION AUTHORIZATION regress_meter_analyst;
SELECT count(*) FROM privacy_meter.people_by_ward WHERE ward_code = 'WSOLO';
SELECT privacy_meter.left();
-- only the key column
SELECT ward_code FROM privacy_meter.people_by_ward WHERE ward_code = 'WEMPTY';
SELECT privacy_meter.left();
-- Budget spent: every other way of reading the view is refused (VB001)
-- before it runs, and nothing is charged.
SELECT count(*) FROM privacy_meter.people_by_ward WHERE ward_code = 'WSOLO';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT EXISTS (SELECT 1 FROM privacy_meter.people_by_ward WHERE ward_code = 'WSOLO');
SELECT 1 WHERE EXISTS (SELECT FROM privacy_meter.people_by_ward WHERE ward_code = 'WSOLO');
WITH v AS MATERIALIZED (SELECT ward_code FROM privacy_meter.people_by_ward) SELECT count(*) FROM v;
SELECT count(*) FROM generate_series(1, (SELECT count(*) FROM privacy_meter.people_by_ward));
COPY (SELECT ward_code FROM privacy_meter.people_by_ward WHERE ward_code = 'WSOLO') TO STDOUT;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
BEGIN;
DECLARE c CURSOR FOR SELECT ward_code FROM privacy_meter.people_by_ward;
ROLLBACK;
PREPARE probe AS SELECT count(*) FROM privacy_meter.people_by_ward WHERE ward_code = $1;
EXECUTE probe('WSOLO');
DEALLOCATE probe;
CREATE TABLE meter_own.keys (ward_code text);
WITH ins AS (INSERT INTO meter_own.keys SELECT ward_code FROM privacy_meter.people_by_ward RETURNING *)
SELECT count(*) FROM ins;
INSERT INTO meter_own.keys SELECT ward_code FROM privacy_meter.people_by_ward WHERE ward_code = 'WSOLO';
SELECT count(*) AS keys_copied FROM meter_own.keys;
-- a division by zero that would depend on private rows never runs
SELECT ward_code FROM privacy_meter.people_by_ward WHERE 1 / (residents * 0)::int = 1;
-- the analyst's own view and functions over the view
CREATE VIEW meter_own.keys_v AS SELECT ward_code FROM privacy_meter.people_by_ward;
SELECT count(*) FROM meter_own.keys_v;
CREATE FUNCTION meter_own.probe(w text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM privacy_meter.people_by_ward WHERE ward_code = w;
    RETURN FOUND;
END $$;
SELECT meter_own.probe('WSOLO');
CREATE FUNCTION meter_own.probe_sql(w text) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM privacy_meter.people_by_ward WHERE ward_code = w $$;
SELECT meter_own.probe_sql('WSOLO');
-- a DP aggregate of the analyst's own at a tiny epsilon does not lower the price
SELECT civic.dp_count(0.000001) > -1000 FROM privacy_meter.people_by_ward WHERE ward_code = 'WSOLO';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT privacy_meter.left();
RESET SESSION AUTHORIZATION;

-- What each read costs, with a fresh budget of 20.
SELECT civic.reset_budget('regress_meter_analyst', 'privacy_meter.people');
SELECT civic.set_budget('regress_meter_analyst', 'privacy_meter.people', 20);
SET SESSION AUTHORIZATION regress_meter_analyst;
SELECT count(*) AS wards FROM privacy_meter.people_by_ward;
SELECT 20 - privacy_meter.left() AS spent;
-- one column, or all of them: the same price
SELECT count(residents) AS wards FROM privacy_meter.people_by_ward;
SELECT 20 - privacy_meter.left() AS spent;
SELECT count(*) AS wards FROM privacy_meter.people_by_ward WHERE residents IS NOT NULL AND mean_age IS NOT NULL;
SELECT 20 - privacy_meter.left() AS spent;
-- the view read twice costs twice
SELECT count(*) AS wards FROM privacy_meter.people_by_ward a JOIN privacy_meter.people_by_ward b USING (ward_code);
SELECT 20 - privacy_meter.left() AS spent;
-- an aggregate of the analyst's own on top: its cost or the view's, the larger
SELECT civic.dp_count(0.25) > -1000 AS released FROM privacy_meter.people_by_ward;
SELECT 20 - privacy_meter.left() AS spent;
SELECT civic.dp_sum(residents::int8, 0, 10, 3) > -1000 AS released FROM privacy_meter.people_by_ward;
SELECT 20 - privacy_meter.left() AS spent;
-- the price is for one evaluation: a plan that may evaluate the view again
-- and again (LATERAL, correlated subquery), each time reading the private
-- table, is refused (VB003), as the view's aggregates would be
SELECT count(*) FROM privacy_meter.wards w,
       LATERAL (SELECT count(*) AS n FROM privacy_meter.people_by_ward v
                 WHERE v.ward_code = w.ward_code) s;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT w.ward_code, (SELECT count(*) FROM privacy_meter.people_by_ward v
                      WHERE v.ward_code = w.ward_code) AS n
  FROM privacy_meter.wards w WHERE w.ward_code = 'WSOLO';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT 20 - privacy_meter.left() AS spent;
-- (read once in a CTE, then joined, or by an EXISTS that the planner turns
-- into a join: one charge each)
SELECT count(*) FROM privacy_meter.wards w
 WHERE EXISTS (SELECT FROM privacy_meter.people_by_ward v WHERE v.ward_code = w.ward_code);
SELECT 20 - privacy_meter.left() AS spent;
WITH v AS MATERIALIZED (SELECT ward_code FROM privacy_meter.people_by_ward)
SELECT count(*) FROM privacy_meter.wards w WHERE EXISTS (SELECT FROM v WHERE v.ward_code = w.ward_code);
SELECT 20 - privacy_meter.left() AS spent;
-- the charges carry the view's aggregates in the ledger
SELECT aggregate, epsilon FROM civic.privacy_ledger
 WHERE dataset = 'privacy_meter.people' ORDER BY "time" DESC, aggregate LIMIT 2;

-- 2. A plan that returns no row because of a constant LIMIT 0 or a
-- constant-false condition runs nothing and costs nothing (how BI tools
-- probe a view's columns).
SELECT * FROM privacy_meter.people_by_ward LIMIT 0;
SELECT ward_code, residents FROM privacy_meter.people_by_ward WHERE false;
SELECT * FROM privacy_meter.people_by_ward WHERE 1 = 0 ORDER BY ward_code;
SELECT * FROM (SELECT * FROM privacy_meter.people_by_ward LIMIT 0) s ORDER BY 1;
SELECT 20 - privacy_meter.left() AS spent;
-- ... but an aggregate over no row releases a noisy answer: charged
SELECT civic.dp_count(0.5) > -1000 AS released FROM (SELECT * FROM privacy_meter.people_by_ward LIMIT 0) s;
SELECT 20 - privacy_meter.left() AS spent;
-- ... and a LIMIT whose OFFSET reads the view runs the view
SELECT * FROM privacy_meter.people_by_ward LIMIT 0
 OFFSET (SELECT count(*) - count(*) FROM privacy_meter.people_by_ward);
SELECT 20 - privacy_meter.left() AS spent;
RESET SESSION AUTHORIZATION;
-- and nothing of the private table was read by the free ones
-- (counters of this backend, not yet reported, within one transaction)
BEGIN;
SELECT privacy_meter.scans() AS scans_before \gset
SET SESSION AUTHORIZATION regress_meter_analyst;
SELECT * FROM privacy_meter.people_by_ward LIMIT 0;
SELECT * FROM privacy_meter.people_by_ward WHERE false;
RESET SESSION AUTHORIZATION;
SELECT privacy_meter.scans() - :scans_before AS scans_of_people;
SET SESSION AUTHORIZATION regress_meter_analyst;
SELECT count(*) FROM privacy_meter.people_by_ward;
RESET SESSION AUTHORIZATION;
SELECT privacy_meter.scans() - :scans_before > 0 AS read_people;
COMMIT;

-- 3. A table the role may read in full protects nobody from it: it is never
-- charged against a limit, not even a default budget (docs/budget.md's own
-- example with a default budget of 0.5).
SELECT civic.set_default_budget('regress_meter_analyst', 0.5);
SET SESSION AUTHORIZATION regress_meter_analyst;
SELECT count(*) AS wards FROM privacy_meter.people_by_ward WHERE residents IS NOT NULL;
SELECT * FROM civic.budget_remaining('privacy_meter.wards');
SELECT civic.dp_count(1) > -1000 AS released FROM privacy_meter.wards;
SELECT civic.dp_count(1) > -1000 AS released FROM privacy_meter.wards;
SELECT dataset, epsilon_budget, epsilon_remaining FROM civic.privacy_budgets
 WHERE dataset = 'privacy_meter.wards';
RESET SESSION AUTHORIZATION;
-- (the default still limits a private table without a budget of its own)
CREATE TABLE privacy_meter.visits AS SELECT g AS id FROM generate_series(1, 100) g;
CREATE VIEW privacy_meter.visits_v AS SELECT * FROM privacy_meter.visits;
GRANT SELECT ON privacy_meter.visits_v TO regress_meter_analyst;
SET SESSION AUTHORIZATION regress_meter_analyst;
SELECT civic.dp_count(0.5) > -1000 AS released FROM privacy_meter.visits_v;
SELECT civic.dp_count(0.5) > -1000 AS released FROM privacy_meter.visits_v;
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- 4. Datasets are named as the API accepts them: schema-qualified, quoted as
-- needed, in errors, the ledger and the budget views alike.
SET search_path = privacy_meter, civic;
SELECT civic.dp_count(0.5) > -1000 AS released FROM visits_v;
RESET search_path;
RESET SESSION AUTHORIZATION;
CREATE TABLE privacy_meter."Odd Name" AS SELECT g AS id FROM generate_series(1, 10) g;
CREATE VIEW privacy_meter.odd_v AS SELECT * FROM privacy_meter."Odd Name";
GRANT SELECT ON privacy_meter.odd_v TO regress_meter_analyst;
SELECT civic.set_budget('regress_meter_analyst', 'privacy_meter."Odd Name"', 0.75);
SET SESSION AUTHORIZATION regress_meter_analyst;
SET search_path = privacy_meter, civic;
SELECT civic.dp_count(0.5) > -1000 AS released FROM odd_v;
SELECT civic.dp_count(0.5) > -1000 AS released FROM odd_v;
SELECT DISTINCT dataset FROM civic.privacy_ledger ORDER BY 1;
SELECT dataset FROM civic.privacy_budgets ORDER BY 1;
-- every name shown is accepted back
SELECT dataset, r.epsilon FROM civic.privacy_budgets b, civic.budget_remaining(b.dataset) r
 WHERE b.dataset <> '(default)' ORDER BY 1;
RESET search_path;
RESET SESSION AUTHORIZATION;

DROP SCHEMA meter_own CASCADE;
DROP SCHEMA privacy_meter CASCADE;
DROP ROLE regress_meter_analyst;
