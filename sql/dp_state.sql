-- civic.dp_state and the twins civic._dist_<name> of the DP aggregates
-- (src/dp_state.c, docs/citus.md "The state type"): every DP aggregate has
-- a twin; nobody can build an aggregate of the twins' support functions that
-- runs unmetered or returns an exact state; the text and binary input
-- refuse every state civic could not have built; a twin answers, under a
-- parallel plan too, and is charged exactly as its original.
--
-- False-failure budget (a correct implementation fails this file with
-- probability below 1e-7):
--   * 8 z-tests at |z| < 6 (means and variances of 4000 draws)  8 * 2e-9
--   * the comparisons at epsilon = 1e6 allow at least 7 standard deviations
--     of the difference of two draws (a count's noise is 0 but with
--     probability below e^-99)                                    < 1e-11
SET search_path = "$user", public, civic;
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_dpstate_user;
RESET client_min_messages;
CREATE ROLE regress_dpstate_user;
CREATE SCHEMA dpstate_test;
GRANT USAGE, CREATE ON SCHEMA dpstate_test TO regress_dpstate_user;

-- err(q): SQLSTATE and detail (or message) of running q, or 'ok'.
CREATE FUNCTION dpstate_test.err(q text) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    st text;
    msg text;
    det text;
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
    RETURN st || ': ' || coalesce(nullif(det, ''), msg);
END $$;
GRANT EXECUTE ON FUNCTION dpstate_test.err(text) TO PUBLIC;

CREATE TABLE dpstate_test.t AS
    SELECT g AS id, g % 50 AS unit, (g % 101)::float8 AS v FROM generate_series(1, 20000) g;
ANALYZE dpstate_test.t;
GRANT SELECT ON dpstate_test.t TO regress_dpstate_user;

-- ------------------------------------------------------------ the twins
-- Every DP aggregate (an aggregate of civic with an epsilon) has a twin with
-- the same argument names and types and result, a dp_state state, a combine
-- function and no serial functions; and every twin is one of those.
CREATE VIEW dpstate_test.dp_aggs AS
    SELECT p.oid, p.proname, p.proargtypes, p.proargnames, p.prorettype
      FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                                     AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'civic'
     WHERE p.prokind = 'a' AND 'epsilon' = ANY (p.proargnames);
SELECT count(*) FILTER (WHERE proname NOT LIKE '\_dist\_%') AS originals,
       count(*) FILTER (WHERE proname LIKE '\_dist\_%') AS twins
  FROM dpstate_test.dp_aggs;
-- A per-unit aggregate (unit anyelement) has one twin per unit type Citus
-- can be given (bigint, text, uuid; control/install/44-dp-state-units.sql);
-- the deprecated unit-first dp_sum and dp_avg use dp_sum_per_unit's and
-- dp_avg_per_unit's.
SELECT o.oid::regprocedure AS original_without_twin, u.unit_type
  FROM dpstate_test.dp_aggs o
 CROSS JOIN LATERAL unnest(CASE WHEN o.proargtypes[0] = 'anyelement'::regtype
                                THEN ARRAY['bigint', 'text', 'uuid']::regtype[]
                                ELSE ARRAY[o.proargtypes[0]]::regtype[] END) AS u(unit_type)
 WHERE o.proname NOT LIKE '\_dist\_%'
   AND NOT EXISTS (
       SELECT FROM dpstate_test.dp_aggs t JOIN pg_aggregate a ON a.aggfnoid = t.oid
                   JOIN pg_proc tp ON tp.oid = t.oid
        WHERE t.proname = '_dist_' || o.proname ||
                          CASE WHEN o.proargnames[1] = 'unit' AND o.proname IN ('dp_sum', 'dp_avg')
                               THEN '_per_unit' ELSE '' END
          AND t.proargtypes[0] = u.unit_type
          AND (string_to_array(t.proargtypes::text, ' '))[2:] = (string_to_array(o.proargtypes::text, ' '))[2:]
          AND t.proargnames = o.proargnames AND t.prorettype = o.prorettype
          AND a.aggtranstype = 'civic.dp_state'::regtype AND a.aggcombinefn <> 0
          AND a.aggserialfn = 0 AND a.aggdeserialfn = 0 AND tp.proparallel = 's');

-- ----------------------------------- attacks: aggregates of the support functions
-- The support functions are executable by every role (Citus checks EXECUTE
-- on them for the role running a distributed query).  An aggregate a role
-- builds of them returns at most the exact state of rows it can already
-- read: on a table it cannot read it gets 42501, and a final function of
-- civic in it refuses to run (VB002).
SELECT count(*) AS support_functions,
       count(*) FILTER (WHERE has_function_privilege('regress_dpstate_user', p.oid, 'EXECUTE')) AS executable
  FROM pg_proc p
 WHERE p.pronamespace = 'civic'::regnamespace AND p.proname LIKE '\_dist\_%' AND p.prokind = 'f';
CREATE TABLE dpstate_test.secret AS SELECT 1.0::float8 AS v;
SET SESSION AUTHORIZATION regress_dpstate_user;
CREATE AGGREGATE dpstate_test.leak(float8) (
    SFUNC = civic._dist_dp_count_trans, STYPE = civic.dp_state);
CREATE AGGREGATE dpstate_test.leak2(float8) (
    SFUNC = civic._dist_dp_count_trans, STYPE = civic.dp_state, FINALFUNC = civic._dist_dp_count_final);
SELECT dpstate_test.err('SELECT dpstate_test.leak(1.0) FROM dpstate_test.secret') AS exact_state_of_unreadable_rows,
       dpstate_test.err('SELECT dpstate_test.leak2(1.0) FROM dpstate_test.t') AS unmetered;
RESET SESSION AUTHORIZATION;
-- An aggregate made of them by a role that may (a superuser) is not a DP
-- aggregate of civic: its final function refuses to run (VB002), so it is
-- never evaluated unmetered.
CREATE AGGREGATE dpstate_test.my_count(epsilon float8) (
    SFUNC = civic._dist_dp_count_trans, STYPE = civic.dp_state,
    FINALFUNC = civic._dist_dp_count_final, COMBINEFUNC = civic._dist_dp_count_combine);
CREATE AGGREGATE dpstate_test.my_sum(value float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dist_dp_sum_trans, STYPE = civic.dp_state,
    FINALFUNC = civic._dist_dp_sum_float8_final);
SELECT dpstate_test.err('SELECT dpstate_test.my_count(1.0) FROM dpstate_test.t') AS my_count,
       dpstate_test.err('SELECT dpstate_test.my_sum(v, 0, 100, 1.0) FROM dpstate_test.t') AS my_sum;
-- ... nor from a given initial state (a transition starts from nothing)
CREATE AGGREGATE dpstate_test.from_state(epsilon float8) (
    SFUNC = civic._dist_dp_count_trans, STYPE = civic.dp_state,
    INITCOND = 'dpstate1:Q0RQUwEBAAAAAAAAAAAAAA==');
SELECT dpstate_test.err('SELECT dpstate_test.from_state(1.0) FROM dpstate_test.t') AS from_state;
-- Outside an aggregate the support functions refuse to run (0A000).
SELECT dpstate_test.err($$SELECT civic._dist_dp_count_trans(NULL, 1.0)$$) AS trans,
       dpstate_test.err($$SELECT civic._dist_dp_count_combine(NULL, 'dpstate1:Q0RQUwEBAAAAAAAAAAAAAA==')$$) AS combine,
       dpstate_test.err($$SELECT civic._dist_dp_count_final('dpstate1:Q0RQUwEBAAAAAAAAAAAAAA==')$$) AS final;

-- ------------------------------------------------------ text form
-- States built by aggregates of the twins' transitions (test-only, no final
-- function: they return the exact state) round-trip through text.
CREATE AGGREGATE dpstate_test.st_count(epsilon float8) (
    SFUNC = civic._dist_dp_count_trans, STYPE = civic.dp_state);
CREATE AGGREGATE dpstate_test.st_sum(value float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dist_dp_sum_trans, STYPE = civic.dp_state);
CREATE AGGREGATE dpstate_test.st_nsum(value numeric, lower numeric, upper numeric, epsilon float8) (
    SFUNC = civic._dist_dp_sum_trans, STYPE = civic.dp_state);
CREATE AGGREGATE dpstate_test.st_median(value float8, lower float8, upper float8, epsilon float8) (
    SFUNC = civic._dist_dp_median_trans, STYPE = civic.dp_state);
CREATE AGGREGATE dpstate_test.st_units(unit anyelement, epsilon float8) (
    SFUNC = civic._dist_dp_unit_count_trans, STYPE = civic.dp_state);
-- merges of states (the twins' combine functions on flat states)
CREATE AGGREGATE dpstate_test.merge_count(civic.dp_state) (
    SFUNC = civic._dist_dp_count_combine, STYPE = civic.dp_state);
CREATE AGGREGATE dpstate_test.merge_sum(civic.dp_state) (
    SFUNC = civic._dist_dp_sum_combine, STYPE = civic.dp_state);
CREATE AGGREGATE dpstate_test.merge_units(civic.dp_state) (
    SFUNC = civic._dist_dp_unit_combine, STYPE = civic.dp_state);
CREATE TABLE dpstate_test.states AS
    SELECT 'count' AS family, dpstate_test.st_count(1.0)::text AS s FROM dpstate_test.t
    UNION ALL SELECT 'sum float8', dpstate_test.st_sum(v, 0, 100, 1.0)::text FROM dpstate_test.t
    UNION ALL SELECT 'sum numeric', dpstate_test.st_nsum(v::numeric, 0, 100, 1.0)::text FROM dpstate_test.t
    UNION ALL SELECT 'median', dpstate_test.st_median(v, 0, 100, 1.0)::text FROM dpstate_test.t
    UNION ALL SELECT 'units int', dpstate_test.st_units(unit, 1.0)::text FROM dpstate_test.t
    UNION ALL SELECT 'units text', dpstate_test.st_units(unit::text || 'x', 1.0)::text FROM dpstate_test.t;
SELECT family, left(s, 9) AS prefix, s::civic.dp_state::text = s AS round_trip
  FROM dpstate_test.states ORDER BY family;
-- Combining states read from text gives the state of all the rows.
SELECT (SELECT dpstate_test.merge_count(s::civic.dp_state)::text
          FROM (SELECT dpstate_test.st_count(1.0) AS s FROM dpstate_test.t GROUP BY id % 3) p)
       = (SELECT s FROM dpstate_test.states WHERE family = 'count') AS count_merged,
       (SELECT dpstate_test.merge_sum(s::text::civic.dp_state)::text
          FROM (SELECT dpstate_test.st_sum(v, 0, 100, 1.0) AS s FROM dpstate_test.t GROUP BY id % 3) p)
       = (SELECT s FROM dpstate_test.states WHERE family = 'sum float8') AS sum_merged,
       (SELECT dpstate_test.err($$SELECT dpstate_test.merge_units(s::text::civic.dp_state)
          FROM (SELECT dpstate_test.st_units(unit, 1.0) AS s FROM dpstate_test.t GROUP BY id % 3) p$$)) AS units_merged;
-- A state of another family is refused by a combine function.
SELECT dpstate_test.err($$SELECT dpstate_test.merge_count(s::civic.dp_state)
                           FROM dpstate_test.states WHERE family = 'sum float8'$$) AS wrong_family;
-- Per-unit states of different unit types do not combine.
SELECT dpstate_test.err($$SELECT dpstate_test.merge_units(s::civic.dp_state)
                           FROM dpstate_test.states WHERE family LIKE 'units%'$$) AS unit_types;

-- Bad text: 22P02, with the reason.  bytes(family) is a state's flat form,
-- st(bytes) its text; crafted ones change bytes at known offsets (8 bytes of
-- header, then the family's serialised state, native byte order).
CREATE FUNCTION dpstate_test.bytes(f text) RETURNS bytea LANGUAGE sql STABLE AS
$$ SELECT decode(substr(s, 10), 'base64') FROM dpstate_test.states WHERE family = f $$;
CREATE FUNCTION dpstate_test.st(b bytea) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT 'dpstate1:' || translate(encode(b, 'base64'), E'\n', '') $$;
CREATE FUNCTION dpstate_test.bad_in(b bytea) RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT dpstate_test.err(format('SELECT %L::civic.dp_state', dpstate_test.st(b))) $$;
\pset format unaligned
\pset fieldsep ' | '
SELECT what, dpstate_test.err(format('SELECT %L::civic.dp_state', s)) AS result
  FROM (VALUES ('no prefix', 'Q0RQUwEBAAAAAAAAAAAAAA=='),
               ('empty', 'dpstate1:'),
               ('not base64', 'dpstate1:Q0RQ!wEBAAAAAAAAAAAAAA=='),
               ('base64 cut', 'dpstate1:Q0RQUwEBAAAAAAAAAAAAAA='),
               ('good count (control)', 'dpstate1:Q0RQUwEBAAAAAAAAAAAAAA==')) v(what, s);
SELECT what, dpstate_test.bad_in(b) AS result
  FROM (VALUES
    ('header only', substr(dpstate_test.bytes('count'), 1, 8)),
    ('short header', substr(dpstate_test.bytes('count'), 1, 5)),
    ('magic', set_byte(dpstate_test.bytes('count'), 0, 0)),
    ('version 2', set_byte(dpstate_test.bytes('count'), 4, 2)),
    ('family 9', set_byte(dpstate_test.bytes('count'), 5, 9)),
    ('family 0', set_byte(dpstate_test.bytes('count'), 5, 0)),
    ('reserved', set_byte(dpstate_test.bytes('count'), 6, 1)),
    ('count truncated', substr(dpstate_test.bytes('count'), 1, 15)),
    ('count too long', dpstate_test.bytes('count') || '\x00'::bytea),
    ('count negative', set_byte(dpstate_test.bytes('count'), 15, 128)),
    ('count header, sum payload', set_byte(dpstate_test.bytes('sum float8'), 5, 1)),
    ('sum header, count payload', set_byte(dpstate_test.bytes('count'), 5, 2)),
    ('sum ready flag 2', set_byte(dpstate_test.bytes('sum float8'), 8, 2)),
    ('sum with a pointer', set_byte(dpstate_test.bytes('sum float8'), 8 + 88, 1)),
    ('sum beyond its rows', set_byte(dpstate_test.bytes('sum float8'), 8 + 8 + 12, 1)),
    ('sum grid', set_byte(dpstate_test.bytes('sum float8'), 8 + 46, 1)),
    ('sum rows negative', set_byte(dpstate_test.bytes('sum float8'), 8 + 31, 128)),
    ('percentile truncated', substr(dpstate_test.bytes('median'), 1, 100)),
    ('percentile grid', set_byte(dpstate_test.bytes('median'), 8 + 16 + 6, 24)),
    ('percentile bins', set_byte(dpstate_test.bytes('median'), length(dpstate_test.bytes('median')) - 100, 1)),
    ('units: no such type', set_byte(set_byte(dpstate_test.bytes('units int'), 10, 255), 11, 127)),
    ('units: type point', set_byte(set_byte(dpstate_test.bytes('units int'), 8, 88), 9, 2)),
    ('units: rows 0', set_byte(set_byte(dpstate_test.bytes('units int'), 24, 0), 25, 0)),
    ('units: trailing byte', dpstate_test.bytes('units int') || '\x00'::bytea),
    ('units: truncated', substr(dpstate_test.bytes('units int'), 1, 60)),
    ('units: by-reference header', set_byte(dpstate_test.bytes('units int'), 40, 8)),
    ('units: TOAST pointer key', set_byte(dpstate_test.bytes('units text'), 44, 1)),
    ('units: key length', set_byte(dpstate_test.bytes('units text'), 44, 255)),
    ('units: text with a zero byte', set_byte(dpstate_test.bytes('units text'), 48, 0)),
    ('good units text (control)', dpstate_test.bytes('units text'))
  ) v(what, b);

-- Binary input (COPY BINARY of a bytea read back as a dp_state) is as strict.
CREATE TEMP TABLE raw (b bytea);
CREATE TEMP TABLE received (s civic.dp_state);
CREATE FUNCTION dpstate_test.try_recv(b bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    f text := '/tmp/civic_dpstate_' || current_setting('port') || '.bin';
    st text;
    det text;
BEGIN
    TRUNCATE raw, received;
    INSERT INTO raw VALUES (b);
    EXECUTE format('COPY raw TO %L WITH (FORMAT binary)', f);
    EXECUTE format('COPY received FROM %L WITH (FORMAT binary)', f);
    RETURN CASE WHEN (SELECT s::text FROM received) = dpstate_test.st(b) THEN 'ok' ELSE 'changed' END;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, det = PG_EXCEPTION_DETAIL;
    RETURN st || ': ' || det;
END $$;
SELECT family, dpstate_test.try_recv(dpstate_test.bytes(family)) AS received
  FROM dpstate_test.states ORDER BY family;
SELECT what, dpstate_test.try_recv(b) AS received
  FROM (VALUES ('magic', set_byte(dpstate_test.bytes('count'), 0, 0)),
               ('count negative', set_byte(dpstate_test.bytes('count'), 15, 128)),
               ('units: trailing byte', dpstate_test.bytes('units int') || '\x00'::bytea),
               ('empty', ''::bytea)) v(what, b);
\pset format aligned

-- Random damage (1 to 4 bytes set to random values anywhere, or a random
-- cut) to each family's state, 300 times each: text input accepts the state
-- or refuses it with 22P02, nothing else; combining a damaged state with
-- the intact one succeeds or refuses the damaged one (22P02), a state of
-- another family or unit type (42804), or another grid (22023).
CREATE AGGREGATE dpstate_test.merge_pct(civic.dp_state) (
    SFUNC = civic._dist_dp_percentile_combine, STYPE = civic.dp_state);
CREATE FUNCTION dpstate_test.damage(b bytea) RETURNS bytea LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    n int := length(b);
BEGIN
    IF random() < 0.2 THEN
        RETURN substr(b, 1, floor(random() * n)::int);
    END IF;
    FOR i IN 1 .. 1 + floor(random() * 4)::int LOOP
        b := set_byte(b, floor(random() * n)::int, floor(random() * 256)::int);
    END LOOP;
    RETURN b;
END $$;
CREATE FUNCTION dpstate_test.merge_fn(f text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN f = 'count' THEN 'merge_count' WHEN f LIKE 'sum%' THEN 'merge_sum'
                WHEN f = 'median' THEN 'merge_pct' ELSE 'merge_units' END $$;
CREATE TABLE dpstate_test.damaged AS
    SELECT family, dpstate_test.bad_in(dpstate_test.damage(dpstate_test.bytes(family))) AS input
      FROM dpstate_test.states, generate_series(1, 300);
SELECT family, count(*) AS damaged,
       count(*) FILTER (WHERE input <> 'ok' AND input NOT LIKE '22P02:%') AS other_input_outcomes
  FROM dpstate_test.damaged GROUP BY family ORDER BY family;
SELECT count(*) FILTER (WHERE r = 'ok') > 0 AS some_merged,
       count(*) FILTER (WHERE r <> 'ok' AND r !~ '^(22P02|42804|22023):') AS other_merge_outcomes
  FROM (SELECT dpstate_test.err(format('SELECT dpstate_test.%s(s::civic.dp_state) FROM (VALUES (%L), (%L)) v(s)',
                                       dpstate_test.merge_fn(d.family), o.s,
                                       dpstate_test.st(dpstate_test.damage(dpstate_test.bytes(d.family))))) AS r
          FROM dpstate_test.states d JOIN dpstate_test.states o USING (family),
               generate_series(1, 300)) m;

-- --------------------------------------------- twins answer as the originals
-- At epsilon 1e6 the noise is negligible (a count's is 0 but with
-- probability 2 e^-1e6; a sum's a few grid steps): each twin's answer is its
-- original's, for all 24 signatures.
CREATE FUNCTION dpstate_test.same(a float8, b float8, tol float8) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$ SELECT abs(a - b) <= tol $$;
SELECT dpstate_test.same(dp_count(1e6), _dist_dp_count(1e6), 0) AS count,
       dpstate_test.same(dp_count(1e6, 1e-9), _dist_dp_count(1e6, 1e-9), 0) AS count_delta,
       dpstate_test.same(dp_sum(v, 0, 100, 1e6), _dist_dp_sum(v, 0, 100, 1e6), 1) AS sum,
       dpstate_test.same(dp_sum(v, 0, 100, 1e6, 1e-9), _dist_dp_sum(v, 0, 100, 1e6, 1e-9), 1) AS sum_delta,
       dpstate_test.same(dp_sum(id::bigint, 0, 100000, 1e6), _dist_dp_sum(id::bigint, 0, 100000, 1e6), 10) AS sum_bigint,
       dpstate_test.same(dp_sum(id::bigint, 0, 100000, 1e6, 1e-9), _dist_dp_sum(id::bigint, 0, 100000, 1e6, 1e-9), 1500) AS sum_bigint_delta,
       dpstate_test.same(dp_sum(v::numeric, 0, 100, 1e6), _dist_dp_sum(v::numeric, 0, 100, 1e6), 1) AS sum_numeric,
       dpstate_test.same(dp_sum(v::numeric, 0, 100, 1e6, 1e-9), _dist_dp_sum(v::numeric, 0, 100, 1e6, 1e-9), 1) AS sum_numeric_delta,
       dpstate_test.same(dp_avg(v, 0, 100, 1e6), _dist_dp_avg(v, 0, 100, 1e6), 0.01) AS avg,
       dpstate_test.same(dp_avg(v, 0, 100, 1e6, 1e-9), _dist_dp_avg(v, 0, 100, 1e6, 1e-9), 0.01) AS avg_delta,
       dpstate_test.same(dp_percentile(v, 0.9, 0, 100, 1e6), _dist_dp_percentile(v, 0.9, 0, 100, 1e6), 0.1) AS percentile,
       dpstate_test.same(dp_median(v, 0, 100, 1e6), _dist_dp_median(v, 0, 100, 1e6), 0.1) AS median
  FROM dpstate_test.t;
SELECT dpstate_test.same(dp_count_units(unit, 1e6), _dist_dp_count_units(unit, 1e6), 0) AS count_units,
       dpstate_test.same(dp_count_units(unit, 1e6, 1e-9), _dist_dp_count_units(unit, 1e6, 1e-9), 0) AS count_units_delta,
       dpstate_test.same(dp_count(unit, 100, 1e6), _dist_dp_count(unit, 100, 1e6), 0) AS count_capped,
       dpstate_test.same(dp_count(unit, 100, 1e6, 1e-9), _dist_dp_count(unit, 100, 1e6, 1e-9), 0) AS count_capped_delta,
       dpstate_test.same(dp_sum_per_unit(unit, v, 0, 20000, 1e6), _dist_dp_sum_per_unit(unit, v, 0, 20000, 1e6), 10) AS sum_per_unit,
       dpstate_test.same(dp_sum_per_unit(unit, v, 0, 20000, 1e6, 1e-9), _dist_dp_sum_per_unit(unit, v, 0, 20000, 1e6, 1e-9), 300) AS sum_per_unit_delta,
       dpstate_test.same(dp_avg_per_unit(unit, v, 0, 100, 1e6), _dist_dp_avg_per_unit(unit, v, 0, 100, 1e6), 0.01) AS avg_per_unit,
       dpstate_test.same(dp_avg_per_unit(unit, v, 0, 100, 1e6, 1e-9), _dist_dp_avg_per_unit(unit, v, 0, 100, 1e6, 1e-9), 0.05) AS avg_per_unit_delta
  FROM dpstate_test.t;
-- the deprecated unit-first names (they warn) answer as the per-unit twins
SELECT dpstate_test.same(dp_sum(unit::text, v, 0, 20000, 1e6), _dist_dp_sum_per_unit(unit::text, v, 0, 20000, 1e6), 10) AS sum_unit_first,
       dpstate_test.same(dp_sum(unit::text, v, 0, 20000, 1e6, 1e-9), _dist_dp_sum_per_unit(unit::text, v, 0, 20000, 1e6, 1e-9), 300) AS sum_unit_first_delta,
       dpstate_test.same(dp_avg(unit::text, v, 0, 100, 1e6), _dist_dp_avg_per_unit(unit::text, v, 0, 100, 1e6), 0.01) AS avg_unit_first,
       dpstate_test.same(dp_avg(unit::text, v, 0, 100, 1e6, 1e-9), _dist_dp_avg_per_unit(unit::text, v, 0, 100, 1e6, 1e-9), 0.05) AS avg_unit_first_delta
  FROM dpstate_test.t;
-- Their errors name the aggregate as the original's do.
SELECT dpstate_test.err('SELECT civic._dist_dp_count(v) FROM dpstate_test.t') AS column_epsilon,
       dpstate_test.err('SELECT civic._dist_dp_sum(v, 100, 0, 1.0) FROM dpstate_test.t') AS swapped_bounds,
       dpstate_test.err('SELECT civic._dist_dp_count(1.0) OVER () FROM dpstate_test.t') AS window;

-- Same distribution: 4000 draws of each at epsilon 1 (groups of one row),
-- the noise's mean and variance against the discrete Laplace's (z-tests).
CREATE FUNCTION dpstate_test.lap_moments(rate float8, OUT var float8, OUT mu4 float8)
LANGUAGE sql IMMUTABLE AS $$
    SELECT sum(p * y * y), sum(p * y ^ 4)
      FROM (SELECT y, (1 - exp(-rate)) / (1 + exp(-rate)) * exp(-rate * abs(y)) AS p
              FROM generate_series(-700, 700) y) s $$;
CREATE FUNCTION dpstate_test.moments_ok(samples float8[], var float8, mu4 float8,
                                        OUT n bigint, OUT mean_ok boolean, OUT var_ok boolean)
LANGUAGE sql IMMUTABLE AS $$
    SELECT count(*), abs(avg(x)) / sqrt(var / count(*)) < 6,
           abs(avg(x ^ 2) - var) / sqrt((mu4 - var ^ 2) / count(*)) < 6
      FROM unnest(samples) x $$;
CREATE TABLE dpstate_test.draws AS
    SELECT id, dp_count(1.0) - 1 AS count_o, _dist_dp_count(1.0) - 1 AS count_t,
           dp_sum(5::bigint, 0, 10, 1.0) - 5 AS sum_o, _dist_dp_sum(5::bigint, 0, 10, 1.0) - 5 AS sum_t
      FROM dpstate_test.t WHERE id <= 4000 GROUP BY id;
SELECT 'count' AS agg, (dpstate_test.moments_ok(array_agg(count_o), m.var, m.mu4)).* AS original,
       (dpstate_test.moments_ok(array_agg(count_t), m.var, m.mu4)).* AS twin
  FROM dpstate_test.draws, dpstate_test.lap_moments(1.0) m GROUP BY m.var, m.mu4
UNION ALL
SELECT 'sum bigint [0, 10]', (dpstate_test.moments_ok(array_agg(sum_o), m.var, m.mu4)).*,
       (dpstate_test.moments_ok(array_agg(sum_t), m.var, m.mu4)).*
  FROM dpstate_test.draws, dpstate_test.lap_moments(0.1) m GROUP BY m.var, m.mu4;

-- ------------------------------------------------------- parallel plans
-- The Finalize Aggregate combines the flat states of the workers.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT _dist_dp_count(1e6), _dist_dp_sum(v, 0, 100, 1e6) FROM dpstate_test.t;
SELECT _dist_dp_count(1e6) = 20000 AS count,
       dpstate_test.same(_dist_dp_sum(v, 0, 100, 1e6), sum(v), 1) AS sum,
       dpstate_test.same(_dist_dp_sum(v::numeric, 0, 100, 1e6), sum(v), 1) AS sum_numeric,
       dpstate_test.same(_dist_dp_avg(v, 0, 100, 1e6), avg(v), 0.01) AS avg,
       dpstate_test.same(_dist_dp_median(v, 0, 100, 1e6),
                         percentile_disc(0.5) WITHIN GROUP (ORDER BY v), 1) AS median,
       _dist_dp_count_units(unit, 1e6) = 50 AS count_units,
       _dist_dp_count_units(unit::text, 1e6) = 50 AS count_units_text,
       dpstate_test.same(_dist_dp_sum_per_unit(unit, v, 0, 100000, 1e6), sum(v), 10) AS sum_per_unit
  FROM dpstate_test.t;
SELECT count(*) AS groups, bool_and(n = 20000 / 4) AS counts_exact
  FROM (SELECT id % 4, _dist_dp_count(1e6) AS n FROM dpstate_test.t GROUP BY 1) s;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- Partitionwise aggregation: the Finalize Aggregate combines the partial
-- states in memory (read-only expanded values); grouping sets and a hash
-- aggregate that spills to disk keep one state per group.
CREATE TABLE dpstate_test.pt (id int, k int, v float8) PARTITION BY HASH (id);
CREATE TABLE dpstate_test.pt0 PARTITION OF dpstate_test.pt FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE dpstate_test.pt1 PARTITION OF dpstate_test.pt FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO dpstate_test.pt SELECT g, g % 7, g % 101 FROM generate_series(1, 20000) g;
ANALYZE dpstate_test.pt;
SET enable_partitionwise_aggregate = on;
SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF)
SELECT _dist_dp_count(1e6), _dist_dp_sum(v, 0, 100, 1e6) FROM dpstate_test.pt;
SELECT _dist_dp_count(1e6) = count(*) AS count,
       dpstate_test.same(_dist_dp_sum(v, 0, 100, 1e6), sum(v), 1) AS sum,
       _dist_dp_count_units(id % 100, 1e6) = 100 AS count_units
  FROM dpstate_test.pt;
RESET enable_partitionwise_aggregate;
SELECT count(*) AS groups, bool_and(c = n) AS counts_exact
  FROM (SELECT _dist_dp_count(1e6) AS c, count(*) AS n FROM dpstate_test.pt
         GROUP BY GROUPING SETS ((k), (id % 300), ())) s;
SET work_mem = '64kB';
SET enable_sort = off;
SELECT count(*) AS groups, bool_and(c = n) AS counts_exact, bool_and(dpstate_test.same(s, t, 1)) AS sums_close
  FROM (SELECT _dist_dp_count(1e6) AS c, count(*) AS n, _dist_dp_sum(v, 0, 100, 1e6) AS s, sum(v) AS t
          FROM dpstate_test.pt GROUP BY id % 5000) s;
RESET work_mem;
RESET enable_sort;
RESET max_parallel_workers_per_gather;

-- ------------------------------------------------------------ the charge
-- A twin is charged as its original: same dataset, aggregate name,
-- mechanism, epsilon and delta.
SELECT civic.set_budget('regress_dpstate_user', 'dpstate_test.t', 10, 1e-5);
SET SESSION AUTHORIZATION regress_dpstate_user;
SELECT dp_count(0.5) > 0 AS o FROM dpstate_test.t;
SELECT _dist_dp_count(0.5) > 0 AS t FROM dpstate_test.t;
SELECT dp_sum(v, 0, 100, 0.25, 1e-7) > 0 AS o FROM dpstate_test.t;
SELECT _dist_dp_sum(v, 0, 100, 0.25, 1e-7) > 0 AS t FROM dpstate_test.t;
SELECT dp_median(v, 0, 100, 0.125) >= 0 AS o FROM dpstate_test.t;
SELECT _dist_dp_median(v, 0, 100, 0.125) >= 0 AS t FROM dpstate_test.t;
RESET SESSION AUTHORIZATION;
SELECT dataset, aggregate, mechanism, epsilon, delta, count(*) AS charges
  FROM civic.privacy_ledger WHERE role = 'regress_dpstate_user'::regrole
 GROUP BY 1, 2, 3, 4, 5 ORDER BY epsilon DESC;

-- ------------------------------------------------------------- clean up
SELECT civic.set_budget('regress_dpstate_user', 'dpstate_test.t', 0);
SET client_min_messages = warning;
DROP SCHEMA dpstate_test CASCADE;
REVOKE ALL ON SCHEMA public FROM regress_dpstate_user;
DROP OWNED BY regress_dpstate_user;
DROP ROLE regress_dpstate_user;
RESET client_min_messages;
