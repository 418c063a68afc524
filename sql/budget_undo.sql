-- A charge stands whatever the caller's transaction does afterwards.
-- (Cancel, backend kill and server crash are in test/budget_crash.sh.)
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_civic_undo;
RESET client_min_messages;
CREATE ROLE regress_civic_undo;
CREATE SCHEMA budget_undo;
GRANT USAGE ON SCHEMA budget_undo TO PUBLIC;
CREATE TABLE budget_undo.raw AS SELECT g AS id, g % 10 AS grp FROM generate_series(1, 1000) g;
CREATE VIEW budget_undo.v AS SELECT * FROM budget_undo.raw;
GRANT SELECT ON budget_undo.v TO regress_civic_undo;
SELECT civic.set_budget('regress_civic_undo', 'budget_undo.raw', 100);

-- Charges on the ledger, and spending in the shared totals, of the role.
CREATE FUNCTION budget_undo.state(OUT charges bigint, OUT ledger_eps numeric, OUT spent_eps numeric)
LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM civic.privacy_ledger WHERE role = 'regress_civic_undo'::regrole),
           (SELECT round(coalesce(sum(epsilon), 0)::numeric, 9) FROM civic.privacy_ledger
             WHERE role = 'regress_civic_undo'::regrole),
           (SELECT round((100 - epsilon)::numeric, 9)
              FROM civic.budget_remaining('budget_undo.raw', 'regress_civic_undo')) $$;
SELECT * FROM budget_undo.state();

-- ROLLBACK
SET SESSION AUTHORIZATION regress_civic_undo;
BEGIN;
SELECT civic.dp_count(1.0) > 0 AS released FROM budget_undo.v;
ROLLBACK;
RESET SESSION AUTHORIZATION;
SELECT * FROM budget_undo.state();

-- ROLLBACK TO SAVEPOINT
SET SESSION AUTHORIZATION regress_civic_undo;
BEGIN;
SAVEPOINT s;
SELECT civic.dp_count(1.0) > 0 AS released FROM budget_undo.v;
ROLLBACK TO SAVEPOINT s;
COMMIT;
RESET SESSION AUTHORIZATION;
SELECT * FROM budget_undo.state();

-- A PL/pgSQL EXCEPTION block that undoes the subtransaction
SET SESSION AUTHORIZATION regress_civic_undo;
DO $$
DECLARE n bigint;
BEGIN
    BEGIN
        SELECT civic.dp_count(1.0) INTO n FROM budget_undo.v;
        RAISE EXCEPTION 'undo';
    EXCEPTION WHEN raise_exception THEN
        RAISE NOTICE 'subtransaction rolled back';
    END;
END $$;
RESET SESSION AUTHORIZATION;
SELECT * FROM budget_undo.state();

-- A cursor fetched partly and closed, in a transaction rolled back
SET SESSION AUTHORIZATION regress_civic_undo;
BEGIN;
DECLARE c CURSOR FOR SELECT grp, civic.dp_count(1.0) AS n FROM budget_undo.v GROUP BY grp;
FETCH 1 FROM c \gset
CLOSE c;
ROLLBACK;
RESET SESSION AUTHORIZATION;
SELECT * FROM budget_undo.state();

-- A statement cancelled (statement_timeout) after its first rows went out
SET SESSION AUTHORIZATION regress_civic_undo;
SET statement_timeout = '300ms';
SELECT grp, n > -1000 AS released, pg_sleep(0.2) IS NULL AS slept
  FROM (SELECT grp, civic.dp_count(1.0) AS n FROM budget_undo.v GROUP BY grp) s;
RESET statement_timeout;
RESET SESSION AUTHORIZATION;
SELECT * FROM budget_undo.state();

-- An error later in the same statement, after the aggregate has run
SET SESSION AUTHORIZATION regress_civic_undo;
SELECT n / 0 FROM (SELECT civic.dp_count(1.0) AS n FROM budget_undo.v) s;
RESET SESSION AUTHORIZATION;
SELECT * FROM budget_undo.state();

-- The ledger cannot be truncated or edited: it is not a table.
SET SESSION AUTHORIZATION regress_civic_undo;
TRUNCATE civic.privacy_ledger;
DELETE FROM civic.privacy_ledger;
UPDATE civic.privacy_ledger SET epsilon = 0;
RESET SESSION AUTHORIZATION;
-- not even by a superuser
TRUNCATE civic.privacy_ledger;
DELETE FROM civic.privacy_ledger;
SELECT * FROM budget_undo.state();

-- A budget change is durable and immediate too: ROLLBACK does not undo it.
BEGIN;
SELECT civic.set_budget('regress_civic_undo', 'budget_undo.raw', 7);
ROLLBACK;
SELECT epsilon_budget FROM civic.privacy_budgets
 WHERE role = 'regress_civic_undo'::regrole AND dataset = 'budget_undo.raw';
