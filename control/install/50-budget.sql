-- Privacy budget: per-role, per-dataset budgets enforced in the server.
--
-- Needs civic in shared_preload_libraries (shared memory and the executor
-- hook that charges every query using a differential-privacy aggregate);
-- without it the DP aggregates refuse to run.  Budgets, declarations and
-- charges live in shared memory and the durable, append-only ledger file
-- $PGDATA/pg_civic/ledger -- not in tables -- so no transaction can undo a
-- charge and no analyst can edit or truncate it.

-- Budget administrators: members of this role (and superusers).  Roles are
-- cluster-wide, so it is created once and shared by every database.
DO $budget$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'civic_budget_admin') THEN
        CREATE ROLE civic_budget_admin NOLOGIN;
        COMMENT ON ROLE civic_budget_admin IS 'civic: members set, raise and reset privacy budgets and see every role''s spending';
    END IF;
END
$budget$;

-- Analysts call civic's aggregates and read their own budgets and ledger:
-- they need to reach the schema.  (Raw tables stay protected by their own
-- privileges; privileges on civic's objects are granted one by one.)
GRANT USAGE ON SCHEMA civic TO PUBLIC;

CREATE FUNCTION civic.set_budget(role pg_catalog.regrole, dataset pg_catalog.text,
                                 epsilon pg_catalog.float8,
                                 delta pg_catalog.float8 DEFAULT 0)
RETURNS void
AS 'MODULE_PATHNAME', 'civic_set_budget'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION civic.set_budget(pg_catalog.regrole, pg_catalog.text, pg_catalog.float8, pg_catalog.float8) IS
'set the total epsilon and delta a role may spend on a dataset (a declared dataset name, or a table); infinity means unlimited; takes effect at once and is not undone by ROLLBACK; budget administrators only';

-- The same with a choice of accounting: 'basic' (epsilon and delta add up,
-- as above) or 'zcdp' (zero-concentrated DP: each query's rho adds up, and
-- the budget is the rho whose rho-zCDP implies (epsilon, delta)-DP; needs
-- 0 < delta < 1).  Gaussian-noise queries (delta > 0) cost much less under
-- zCDP.  See docs/budget.md, "zCDP accounting".
CREATE FUNCTION civic.set_budget(role pg_catalog.regrole, dataset pg_catalog.text,
                                 epsilon pg_catalog.float8, delta pg_catalog.float8,
                                 accounting pg_catalog.text)
RETURNS void
AS 'MODULE_PATHNAME', 'civic_set_budget'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION civic.set_budget(pg_catalog.regrole, pg_catalog.text, pg_catalog.float8, pg_catalog.float8, pg_catalog.text) IS
'set the budget a role may spend on a dataset, with accounting ''basic'' (epsilon and delta add up) or ''zcdp'' (each query''s zCDP rho adds up to the rho that converts to epsilon and delta); takes effect at once and is not undone by ROLLBACK; budget administrators only';

CREATE FUNCTION civic.set_default_budget(role pg_catalog.regrole,
                                         epsilon pg_catalog.float8,
                                         delta pg_catalog.float8 DEFAULT 0)
RETURNS void
AS 'MODULE_PATHNAME', 'civic_set_default_budget'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION civic.set_default_budget(pg_catalog.regrole, pg_catalog.float8, pg_catalog.float8) IS
'set the budget a role has on each dataset of this database that has no budget of its own (each dataset is spent separately); budget administrators only';

CREATE FUNCTION civic.reset_budget(role pg_catalog.regrole, dataset pg_catalog.text)
RETURNS void
AS 'MODULE_PATHNAME', 'civic_reset_budget'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION civic.reset_budget(pg_catalog.regrole, pg_catalog.text) IS
'forget what a role has spent on a dataset (the ledger keeps the charges); budget administrators only';

CREATE FUNCTION civic.declare_dataset(name pg_catalog.text, tables pg_catalog.regclass[],
                                      max_groups_per_unit pg_catalog.int4 DEFAULT 1)
RETURNS void
AS 'MODULE_PATHNAME', 'civic_declare_dataset'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION civic.declare_dataset(pg_catalog.text, pg_catalog.regclass[], pg_catalog.int4) IS
'declare a named dataset as a group of tables sharing one budget, with the number of GROUP BY groups one person can reach (max_groups_per_unit); redeclaring replaces the tables; budget administrators only';

CREATE FUNCTION civic.budget_remaining(dataset pg_catalog.text,
                                       OUT epsilon pg_catalog.float8,
                                       OUT delta pg_catalog.float8)
AS 'MODULE_PATHNAME', 'civic_budget_remaining'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION civic.budget_remaining(pg_catalog.text) IS
'epsilon and delta the session role may still spend on a dataset';

CREATE FUNCTION civic.budget_remaining(dataset pg_catalog.text, role pg_catalog.regrole,
                                       OUT epsilon pg_catalog.float8,
                                       OUT delta pg_catalog.float8)
AS 'MODULE_PATHNAME', 'civic_budget_remaining'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION civic.budget_remaining(pg_catalog.text, pg_catalog.regrole) IS
'epsilon and delta a role may still spend on a dataset; other roles than the session role need a budget administrator';

CREATE FUNCTION civic.privacy_ledger_rows(
    OUT role pg_catalog.regrole, OUT dataset pg_catalog.text,
    OUT "time" pg_catalog.timestamptz, OUT epsilon pg_catalog.float8,
    OUT delta pg_catalog.float8, OUT mechanism pg_catalog.text,
    OUT aggregate pg_catalog.text, OUT query_id pg_catalog.int8,
    OUT query pg_catalog.text, OUT rho pg_catalog.float8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'civic_privacy_ledger'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION civic.privacy_ledger_rows() IS
'charges of the privacy ledger of this database: the session role''s own, or everyone''s for a budget administrator';

CREATE VIEW civic.privacy_ledger AS
    SELECT role, dataset, "time", epsilon, delta, mechanism, aggregate, query_id, query, rho
      FROM civic.privacy_ledger_rows();
GRANT SELECT ON civic.privacy_ledger TO PUBLIC;
COMMENT ON VIEW civic.privacy_ledger IS
'one row per charge: role, dataset, time, epsilon and delta charged, mechanism, aggregate, query identifier and text, and the charge in zCDP rho; each role sees its own, budget administrators everyone''s';

CREATE FUNCTION civic.privacy_budget_rows(
    OUT role pg_catalog.regrole, OUT dataset pg_catalog.text,
    OUT epsilon_budget pg_catalog.float8, OUT delta_budget pg_catalog.float8,
    OUT epsilon_spent pg_catalog.float8, OUT delta_spent pg_catalog.float8,
    OUT epsilon_remaining pg_catalog.float8, OUT delta_remaining pg_catalog.float8,
    OUT accounting pg_catalog.text, OUT rho_budget pg_catalog.float8,
    OUT rho_spent pg_catalog.float8, OUT rho_remaining pg_catalog.float8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'civic_privacy_budgets'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION civic.privacy_budget_rows() IS
'budget accounts of this database: the session role''s own, or everyone''s for a budget administrator';

CREATE VIEW civic.privacy_budgets AS
    SELECT role, dataset, epsilon_budget, delta_budget, epsilon_spent, delta_spent,
           epsilon_remaining, delta_remaining, accounting, rho_budget, rho_spent, rho_remaining
      FROM civic.privacy_budget_rows();
GRANT SELECT ON civic.privacy_budgets TO PUBLIC;
COMMENT ON VIEW civic.privacy_budgets IS
'budget, spending and remainder per role and dataset ("(default)" rows are a role''s default budget), with the accounting (basic or zcdp) and, in zCDP rho, the budget, spending and remainder; each role sees its own, budget administrators everyone''s';

CREATE FUNCTION civic.is_budget_admin()
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'civic_is_budget_admin_sql'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION civic.is_budget_admin() IS
'whether the current role may manage privacy budgets (superuser or member of civic_budget_admin)';

CREATE FUNCTION civic.check_private_view(view pg_catalog.regclass, analysts pg_catalog.regrole[])
RETURNS void
AS 'MODULE_PATHNAME', 'civic_check_private_view'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION civic.check_private_view(pg_catalog.regclass, pg_catalog.regrole[]) IS
'raise an error unless a view is privacy-safe for the analysts: a security_barrier view of differentially-private aggregates whose rows are exactly the rows of a public key table with a unique key on its GROUP BY columns, reading no table an analyst can change (docs/budget.md lists the rules)';

-- Runs with the caller's rights and search_path, so that the definition is
-- read as the administrator wrote it; every name in the body is qualified.
CREATE FUNCTION civic.create_private_view(view_name pg_catalog.text, definition pg_catalog.text,
                                          VARIADIC analysts pg_catalog.regrole[])
RETURNS pg_catalog.regclass
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
AS $fn$
DECLARE
    v pg_catalog.regclass;
    a pg_catalog.regrole;
BEGIN
    IF NOT civic.is_budget_admin() THEN
        RAISE EXCEPTION 'permission denied to create private views'
            USING ERRCODE = '42501',
                  DETAIL = 'Only superusers and members of role "civic_budget_admin" create private views.';
    END IF;
    EXECUTE pg_catalog.format('CREATE VIEW %s WITH (security_barrier) AS %s',
                              (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(p), '.')
                                 FROM pg_catalog.unnest(pg_catalog.parse_ident(view_name)) AS p),
                              definition);
    v := pg_catalog.to_regclass(view_name);
    PERFORM civic.check_private_view(v, analysts);
    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', v);
    FOREACH a IN ARRAY analysts LOOP
        EXECUTE pg_catalog.format('GRANT SELECT ON %s TO %s', v, a);
    END LOOP;
    IF NOT civic.statistics_restricted() THEN
        RAISE NOTICE 'the activity and I/O statistics of this database are readable by every role'
            USING DETAIL = 'Read before and after a query on a private view, the counters of pg_stat_* views and pg_stat_get_* functions give exact row counts of its tables.',
                  HINT = 'A budget administrator runs SELECT civic.restrict_statistics(); in each database analysts can connect to.';
    END IF;
    RETURN v;
END
$fn$;
COMMENT ON FUNCTION civic.create_private_view(pg_catalog.text, pg_catalog.text, VARIADIC pg_catalog.regrole[]) IS
'create a security_barrier view owned by the caller whose columns are differentially-private aggregates, and grant SELECT on it to the analysts only; budget administrators only';
