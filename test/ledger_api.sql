-- The ledger's administrative interface: objects, labels, comments, who may
-- call what, and that a healthy ledger verifies.
BEGIN;
SELECT plan(10);

SELECT has_function('civic', 'ledger_verify', ARRAY[]::text[]);
SELECT has_function('civic', 'ledger_accept_damage', ARRAY['bigint']);
SELECT has_function('civic', 'ledger_compact', ARRAY[]::text[]);
SELECT is_empty($$
    SELECT p.proname FROM pg_proc p
     WHERE p.pronamespace = 'civic'::regnamespace
       AND p.proname IN ('ledger_verify', 'ledger_accept_damage', 'ledger_compact')
       AND (obj_description(p.oid, 'pg_proc') IS NULL OR p.provolatile <> 'v'
            OR p.prosecdef OR p.proleakproof) $$,
    'ledger functions are VOLATILE, commented, neither SECURITY DEFINER nor LEAKPROOF');
SELECT ok(NOT has_function_privilege('public', 'civic.ledger_accept_damage(bigint)', 'EXECUTE')
          AND NOT has_function_privilege('civic_budget_admin', 'civic.ledger_accept_damage(bigint)', 'EXECUTE'),
          'only superusers may accept damage');
SELECT ok(NOT has_function_privilege('public', 'civic.ledger_verify()', 'EXECUTE')
          AND has_function_privilege('civic_budget_admin', 'civic.ledger_verify()', 'EXECUTE'),
          'budget administrators, not PUBLIC, may verify');
SELECT ok(NOT has_function_privilege('public', 'civic.ledger_compact()', 'EXECUTE')
          AND has_function_privilege('civic_budget_admin', 'civic.ledger_compact()', 'EXECUTE'),
          'budget administrators, not PUBLIC, may compact');
SELECT is((SELECT status FROM civic.ledger_verify()), 'ok', 'the ledger verifies');
SELECT ok((SELECT damage_offset IS NULL AND problem IS NULL AND records >= 0 FROM civic.ledger_verify()),
          'no damage is reported on a healthy ledger');
SELECT throws_ok('SELECT civic.ledger_accept_damage(0)', '55000', 'the privacy ledger is not damaged',
                 'accepting damage on a healthy ledger is refused');

SELECT * FROM finish();
ROLLBACK;
