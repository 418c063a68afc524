-- The budget's SQL interface: objects, labels, comments and privileges.
BEGIN;
SELECT plan(20);

SELECT has_function('civic', 'set_budget', ARRAY['regrole', 'text', 'double precision', 'double precision']);
SELECT has_function('civic', 'set_budget', ARRAY['regrole', 'text', 'double precision', 'double precision', 'text']);
SELECT has_function('civic', 'set_default_budget', ARRAY['regrole', 'double precision', 'double precision']);
SELECT has_function('civic', 'set_default_budget', ARRAY['regrole', 'double precision', 'double precision', 'text']);
SELECT has_function('civic', 'reset_budget', ARRAY['regrole', 'text']);
SELECT has_function('civic', 'declare_dataset', ARRAY['text', 'regclass[]', 'integer']);
SELECT has_function('civic', 'budget_remaining', ARRAY['text']);
SELECT has_function('civic', 'budget_remaining', ARRAY['text', 'regrole']);
SELECT has_function('civic', 'create_private_view', ARRAY['text', 'text', 'regrole[]']);
SELECT has_view('civic', 'privacy_ledger', 'view civic.privacy_ledger exists');
SELECT has_view('civic', 'privacy_budgets', 'view civic.privacy_budgets exists');
SELECT columns_are('civic', 'privacy_ledger',
    ARRAY['role', 'dataset', 'time', 'epsilon', 'delta', 'mechanism', 'aggregate', 'query_id', 'query', 'rho']);
SELECT columns_are('civic', 'privacy_budgets',
    ARRAY['role', 'dataset', 'epsilon_budget', 'delta_budget', 'epsilon_spent', 'delta_spent',
          'epsilon_remaining', 'delta_remaining', 'accounting', 'rho_budget', 'rho_spent', 'rho_remaining']);
SELECT has_role('civic_budget_admin');

-- every budget object carries a comment
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'civic'::regnamespace
       AND p.proname IN ('set_budget', 'set_default_budget', 'reset_budget', 'declare_dataset',
                         'budget_remaining', 'privacy_ledger_rows', 'privacy_budget_rows',
                         'is_budget_admin', 'check_private_view', 'create_private_view')
       AND obj_description(p.oid, 'pg_proc') IS NULL $$,
    'every budget function has a comment');
SELECT is_empty($$
    SELECT c.relname FROM pg_class c
     WHERE c.oid IN ('civic.privacy_ledger'::regclass, 'civic.privacy_budgets'::regclass)
       AND obj_description(c.oid, 'pg_class') IS NULL $$,
    'every budget view has a comment');
-- functions that change budgets are volatile and parallel unsafe
SELECT is_empty($$
    SELECT p.proname FROM pg_proc p
     WHERE p.pronamespace = 'civic'::regnamespace
       AND p.proname IN ('set_budget', 'set_default_budget', 'reset_budget', 'declare_dataset', 'create_private_view')
       AND (p.provolatile <> 'v' OR p.proparallel <> 'u') $$,
    'budget changes are VOLATILE PARALLEL UNSAFE');
-- nothing of the budget is SECURITY DEFINER or LEAKPROOF
SELECT is_empty($$
    SELECT p.proname FROM pg_proc p
     WHERE p.pronamespace = 'civic'::regnamespace
       AND p.proname IN ('set_budget', 'set_default_budget', 'reset_budget', 'declare_dataset',
                         'budget_remaining', 'privacy_ledger_rows', 'privacy_budget_rows',
                         'is_budget_admin', 'check_private_view', 'create_private_view')
       AND (p.prosecdef OR p.proleakproof) $$,
    'no budget function is SECURITY DEFINER or LEAKPROOF');
-- analysts may read the views (each sees its own rows) but not write them
SELECT ok(has_table_privilege('public', 'civic.privacy_ledger', 'SELECT')
          AND NOT has_table_privilege('public', 'civic.privacy_ledger', 'INSERT,UPDATE,DELETE,TRUNCATE'),
          'PUBLIC may read, not write, civic.privacy_ledger');
-- the DP aggregates are recognised as metered: their final functions would
-- refuse otherwise; here the session user (a superuser) can read the table
CREATE TEMP TABLE api_t AS SELECT g FROM generate_series(1, 100) g;
SELECT ok((SELECT civic.dp_count(1.0) FROM api_t) IS NOT NULL, 'dp_count runs, metered, inside a transaction');

SELECT * FROM finish();
ROLLBACK;
