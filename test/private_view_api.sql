-- Privacy-safe views and statistics restriction: objects, labels and
-- privileges of their SQL interface.
BEGIN;
SELECT plan(14);

SELECT has_function('civic', 'check_private_view', ARRAY['regclass', 'regrole[]']);
SELECT has_function('civic', 'restrict_statistics', ARRAY[]::text[]);
SELECT has_function('civic', 'unrestrict_statistics', ARRAY[]::text[]);
SELECT has_function('civic', 'statistics_restricted', ARRAY[]::text[]);
SELECT has_function('civic', 'statistics_grants', ARRAY[]::text[]);

-- restrict/unrestrict change catalogue privileges, which needs a superuser:
-- SECURITY DEFINER, owned by a superuser, with a fixed search_path, and
-- executable by budget administrators only
SELECT results_eq($$
    SELECT p.proname::text COLLATE "default", p.prosecdef, p.provolatile::text, p.proparallel::text,
           p.proconfig::text COLLATE "default", r.rolsuper
      FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner
     WHERE p.pronamespace = 'civic'::regnamespace
       AND p.proname IN ('restrict_statistics', 'unrestrict_statistics')
     ORDER BY 1 $$,
    $$VALUES ('restrict_statistics', true, 'v', 'u', '{"search_path=pg_catalog, pg_temp"}', true),
             ('unrestrict_statistics', true, 'v', 'u', '{"search_path=pg_catalog, pg_temp"}', true) $$,
    'restrict_statistics and unrestrict_statistics run as a superuser owner with a fixed search_path');
SELECT ok(NOT has_function_privilege('public', 'civic.restrict_statistics()', 'EXECUTE')
          AND NOT has_function_privilege('public', 'civic.unrestrict_statistics()', 'EXECUTE'),
          'PUBLIC may not restrict or unrestrict the statistics');
SELECT ok(has_function_privilege('civic_budget_admin', 'civic.restrict_statistics()', 'EXECUTE')
          AND has_function_privilege('civic_budget_admin', 'civic.unrestrict_statistics()', 'EXECUTE'),
          'budget administrators may restrict and unrestrict the statistics');
-- the read-only helpers are ordinary, stable, and open to everyone
SELECT results_eq($$
    SELECT p.proname::text COLLATE "default", p.prosecdef, p.provolatile::text, p.proparallel::text,
           has_function_privilege('public', p.oid, 'EXECUTE')
      FROM pg_proc p
     WHERE p.pronamespace = 'civic'::regnamespace
       AND p.proname IN ('statistics_restricted', 'statistics_grants')
     ORDER BY 1 $$,
    $$VALUES ('statistics_grants', false, 's', 's', true),
             ('statistics_restricted', false, 's', 's', true) $$,
    'statistics_grants and statistics_restricted are STABLE, not SECURITY DEFINER, for everyone');
-- no SECURITY DEFINER function of civic runs with the caller's search_path
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'civic'::regnamespace AND p.prosecdef
       AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=%') $$,
    'every SECURITY DEFINER function of civic has a fixed search_path');
-- the check keeps the C symbol that 0.1.0 installed
SELECT is((SELECT prosrc FROM pg_proc WHERE oid = 'civic.check_private_view(regclass, regrole[])'::regprocedure),
          'civic_check_private_view', 'check_private_view keeps its C symbol');
SELECT is((SELECT provolatile::text || proparallel::text FROM pg_proc
            WHERE oid = 'civic.check_private_view(regclass, regrole[])'::regprocedure),
          'sr', 'check_private_view is STABLE PARALLEL RESTRICTED');
-- a fresh database: the statistics are readable by everyone until restricted
SELECT is(civic.statistics_restricted(), false, 'a fresh database is not restricted');
SELECT ok(EXISTS (SELECT 1 FROM civic.statistics_grants()
                   WHERE object = 'view pg_stat_user_tables' AND grantee = 'PUBLIC'),
          'statistics_grants shows PUBLIC reading pg_stat_user_tables');

SELECT * FROM finish();
ROLLBACK;
