-- civic's release functions (src/dp_release.c, docs/citus.md "The fast
-- path"): over a Citus table, civic's planner writes dp_count, dp_sum and
-- dp_avg of integers as civic._dp_count_release, civic._dp_sum_release and
-- civic._dp_avg_release over PostgreSQL's count and sum, noted for the
-- meter.  A release function adds noise to whatever number it is given, so
-- every call civic's planner did not write is refused (VB002) before
-- anything runs or is charged: written by hand, in a view, inlined from a
-- SQL function, from plpgsql.
SET search_path = "$user", public, civic;
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_release_user;
RESET client_min_messages;
CREATE ROLE regress_release_user;
CREATE SCHEMA release_test;
GRANT USAGE, CREATE ON SCHEMA release_test TO regress_release_user;

-- err(q): SQLSTATE and message of running q, or 'ok'.
CREATE FUNCTION release_test.err(q text) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    st text;
    msg text;
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    RETURN st || ': ' || msg;
END $$;
GRANT EXECUTE ON FUNCTION release_test.err(text) TO PUBLIC;

CREATE TABLE release_test.t AS
    SELECT g AS id, g % 7 AS grp, (g * 37) % 1000 AS income FROM generate_series(1, 2000) g;
GRANT SELECT ON release_test.t TO regress_release_user;
SELECT civic.set_budget('regress_release_user', 'release_test.t', 10.0);

-- The release functions: civic's, each refusing a call it was not given.
SELECT p.oid::regprocedure AS release_function, p.provolatile, p.proparallel
  FROM pg_proc p
 WHERE p.pronamespace = 'civic'::regnamespace AND p.proname LIKE '\_dp\_%\_release'
 ORDER BY 1::text;

SET ROLE regress_release_user;
-- written by hand, over the exact count, sum or a single row's value
SELECT release_test.err($q$SELECT civic._dp_count_release(count(*), 0.5, 0, 0) FROM release_test.t$q$);
SELECT release_test.err($q$SELECT grp, civic._dp_count_release(count(*), 0.5, 0, 0) FROM release_test.t GROUP BY grp$q$);
SELECT release_test.err($q$SELECT civic._dp_sum_release(sum(income)::bigint, 0::bigint, 1000::bigint, 0.5, 0, 0) FROM release_test.t$q$);
SELECT release_test.err($q$SELECT civic._dp_sum_release(sum(income), 0::float8, 1000::float8, 0.5, 0, 0) FROM release_test.t$q$);
SELECT release_test.err($q$SELECT civic._dp_avg_release(sum(income), count(income), 0, 1000, 0.5, 0, 0) FROM release_test.t$q$);
SELECT release_test.err($q$SELECT civic._dp_count_release(income, 0.5, 0, 0) FROM release_test.t WHERE id = 1$q$);
SELECT release_test.err($q$SELECT civic._dp_count_release(42, 0.5, 0, 0)$q$);
-- beside a DP aggregate the meter charges
SELECT release_test.err($q$SELECT civic.dp_count(0.5), civic._dp_count_release(count(*), 0.5, 0, 0) FROM release_test.t$q$);
-- inlined from a SQL function (the planner sees the call only after inlining)
CREATE FUNCTION release_test.noisy(bigint) RETURNS bigint LANGUAGE sql VOLATILE
    AS $f$SELECT civic._dp_count_release($1, 0.5, 0, 0)$f$;
SELECT release_test.err($q$SELECT release_test.noisy(count(*)) FROM release_test.t$q$);
SELECT release_test.err($q$SELECT civic.dp_count(0.5), release_test.noisy(count(*)) FROM release_test.t$q$);
SELECT count(*) AS charges FROM civic.privacy_ledger WHERE dataset = 'release_test.t';
-- not inlined (an IMMUTABLE function over a VOLATILE one): the call is
-- planned when the function runs, and refused there; the DP count beside it
-- was charged when its query started, and a charge is never refunded.
CREATE FUNCTION release_test.noisy_late(bigint) RETURNS bigint LANGUAGE sql IMMUTABLE
    AS $f$SELECT civic._dp_count_release($1, 0.5, 0, 0)$f$;
SELECT release_test.err($q$SELECT civic.dp_count(0.5), release_test.noisy_late(count(*)) FROM release_test.t$q$);
SELECT count(*) AS charges FROM civic.privacy_ledger WHERE dataset = 'release_test.t';
-- in a view, in plpgsql
CREATE VIEW release_test.v AS SELECT grp, civic._dp_count_release(count(*), 0.5, 0, 0) AS n FROM release_test.t GROUP BY grp;
SELECT release_test.err($q$SELECT * FROM release_test.v$q$);
CREATE FUNCTION release_test.pl() RETURNS bigint LANGUAGE plpgsql AS
    $f$BEGIN RETURN civic._dp_count_release((SELECT count(*) FROM release_test.t), 0.5, 0, 0); END$f$;
SELECT release_test.err($q$SELECT release_test.pl()$q$);
-- as a window function's argument, in a WHERE clause
SELECT release_test.err($q$SELECT civic._dp_count_release(count(*) OVER (), 0.5, 0, 0) FROM release_test.t LIMIT 1$q$);
SELECT release_test.err($q$SELECT count(*) FROM release_test.t WHERE civic._dp_count_release(income, 0.5, 0, 0) > 500$q$);
RESET ROLE;

-- a superuser is refused too
SELECT release_test.err($q$SELECT civic._dp_count_release(count(*), 0.5, 0, 0) FROM release_test.t$q$);

-- Nothing else was charged.
SELECT count(*) AS charges FROM civic.privacy_ledger WHERE dataset = 'release_test.t';

SET client_min_messages = warning;
DROP SCHEMA release_test CASCADE;
DROP OWNED BY regress_release_user;
DROP ROLE regress_release_user;
RESET client_min_messages;
