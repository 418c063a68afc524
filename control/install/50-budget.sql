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

-- @include control/shared/50-budget-accounting.sql

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

-- @include control/shared/50-create-private-view.sql
