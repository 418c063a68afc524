-- No civic function runs an attacker's code (issue 8, section 4).
--
-- A role that may CREATE in a schema some caller searches (the PostGIS
-- schema `public` in databases created before PostgreSQL 15, or any schema a
-- DBA opened up) can define a look-alike of a function or operator with
-- argument types that match a call better than the real one.  Whoever then
-- calls a civic function that resolves that name at call time runs the
-- look-alike with their own rights: a superuser runs it as a superuser.
--
-- 1. The reported attack: an ordinary role with CREATE on `public` plants
--    public.st_dwithin(geometry, geometry, numeric) that makes itself a
--    superuser; a superuser calls civic.neighbours.
-- 2. The class: look-alikes of every function and operator civic's SQL and
--    PL/pgSQL bodies use -- listed from the catalogue (pg_depend of the
--    bodies bound at install time, and the names in string bodies), not by
--    hand -- with every argument type that an implicit cast would turn into
--    the real one's, in `public` and in pg_temp, plus relations named like
--    the ones civic and PostGIS read.  Then every civic function that SQL
--    can call is called, with valid arguments, as a superuser, under the
--    usual search_path and under a hostile one (pg_temp, public before
--    pg_catalog), and nothing planted may run.
--
-- Look-alikes log to trojan_log.fired and bump a sequence (which no
-- rollback of a failed call undoes).  While they exist nothing here calls
-- pgTAP (installed in public, it would reach them): facts go to a table,
-- the look-alikes are dropped, then the facts are checked.  Everything is
-- rolled back at the end.
BEGIN;
SET LOCAL search_path = pg_catalog;
SET LOCAL client_min_messages = warning;

CREATE SCHEMA trojan_log;
CREATE TABLE trojan_log.fired (what pg_catalog.text);
CREATE SEQUENCE trojan_log.hits;
CREATE SEQUENCE trojan_log.int4eq_hits;     -- the look-alike integer = alone
CREATE TABLE trojan_log.facts (fact pg_catalog.text PRIMARY KEY, value pg_catalog.text);
CREATE TABLE trojan_log.planted (kind pg_catalog.text, ident pg_catalog.text, drop_sql pg_catalog.text);
CREATE TABLE trojan_log.calls (fn pg_catalog.regprocedure, path pg_catalog.text, sql pg_catalog.text,
                               ok pg_catalog.bool, error pg_catalog.text,
                               other_hits pg_catalog.int8);   -- look-alikes run but integer =
GRANT USAGE ON SCHEMA trojan_log TO PUBLIC;
GRANT INSERT ON trojan_log.fired TO PUBLIC;
GRANT USAGE, UPDATE ON SEQUENCE trojan_log.hits, trojan_log.int4eq_hits TO PUBLIC;

-- What a look-alike does: log, count, and return NULL of its result type.
CREATE FUNCTION trojan_log.fire(what pg_catalog.text) RETURNS pg_catalog.bool
    LANGUAGE sql AS $$
    INSERT INTO trojan_log.fired VALUES (what);
    SELECT pg_catalog.nextval('trojan_log.int4eq_hits'::pg_catalog.regclass)
     WHERE what OPERATOR(pg_catalog.=) 'operator public.=(integer, integer)';
    SELECT pg_catalog.nextval('trojan_log.hits'::pg_catalog.regclass) OPERATOR(pg_catalog.>) 0;
$$;

-- Facts recorded while look-alikes exist (fully qualified SQL only).
CREATE FUNCTION trojan_log.fact(f pg_catalog.text, v pg_catalog.text) RETURNS void
    LANGUAGE sql AS $$
    INSERT INTO trojan_log.facts VALUES (f, v)
        ON CONFLICT (fact) DO UPDATE SET value = EXCLUDED.value;
$$;

-- Sample data: a dataset, a public key table, an analyst.
CREATE ROLE trojan_analyst NOLOGIN;
CREATE ROLE trojan_mallory NOLOGIN;
CREATE TABLE public.trojan_keys (ward pg_catalog.text PRIMARY KEY);
INSERT INTO public.trojan_keys VALUES ('W1'), ('W2');
CREATE TABLE public.trojan_people (id pg_catalog.int4 PRIMARY KEY, ward pg_catalog.text,
                                   income pg_catalog.float8);
INSERT INTO public.trojan_people
SELECT i, 'W' OPERATOR(pg_catalog.||) (i OPERATOR(pg_catalog.%) 2 OPERATOR(pg_catalog.+) 1)::pg_catalog.text,
       i::pg_catalog.float8
  FROM pg_catalog.generate_series(1, 50) AS i;
GRANT SELECT ON public.trojan_keys TO trojan_analyst;
-- Sample codes from the shipped boundaries: a ward of the newest vintage, its borough.
SELECT FROM trojan_log.fact('ward', (SELECT b.code::pg_catalog.text FROM civic.boundary b
                                 WHERE b.level OPERATOR(pg_catalog.=) 'ward'
                                 ORDER BY b.vintage DESC, b.code LIMIT 1));
SELECT FROM trojan_log.fact('borough', (SELECT b.parent::pg_catalog.text FROM civic.boundary b
                                    WHERE b.level OPERATOR(pg_catalog.=) 'ward'
                                    ORDER BY b.vintage DESC, b.code LIMIT 1));
SELECT FROM trojan_log.fact('vintage', (SELECT pg_catalog.max(b.vintage)::pg_catalog.text FROM civic.boundary b
                                    WHERE b.level OPERATOR(pg_catalog.=) 'ward'));

-- ---------------------------------------------------------------------------
-- 1. The reported attack.
GRANT CREATE ON SCHEMA public TO trojan_mallory;
SET LOCAL ROLE trojan_mallory;
CREATE FUNCTION public.st_dwithin(public.geometry, public.geometry, pg_catalog.numeric)
    RETURNS pg_catalog.bool LANGUAGE sql
    AS $$ ALTER ROLE trojan_mallory SUPERUSER; SELECT trojan_log.fire('escalation') $$;
RESET ROLE;
SET LOCAL search_path = "$user", public, civic;
DO $$
BEGIN
    PERFORM pg_catalog.count(*)
       FROM civic.neighbours((SELECT f.value FROM trojan_log.facts f
                               WHERE f.fact OPERATOR(pg_catalog.=) 'ward')::civic.gsscode);
END
$$;
SET LOCAL search_path = pg_catalog;
SELECT FROM trojan_log.fact('mallory superuser after a superuser called neighbours',
                       (SELECT r.rolsuper::pg_catalog.text FROM pg_catalog.pg_roles r
                         WHERE r.rolname OPERATOR(pg_catalog.=) 'trojan_mallory'));
ALTER ROLE trojan_mallory NOSUPERUSER;
DROP FUNCTION public.st_dwithin(public.geometry, public.geometry, pg_catalog.numeric);
REVOKE CREATE ON SCHEMA public FROM trojan_mallory;

-- ---------------------------------------------------------------------------
-- 2. Look-alikes of everything civic's bodies call, listed from the catalogue.
CREATE TABLE trojan_log.targets (kind pg_catalog.text, oid pg_catalog.oid);
INSERT INTO trojan_log.targets
-- functions and operators that bodies bound at install time (BEGIN ATOMIC,
-- RETURN) depend on
SELECT DISTINCT CASE d.refclassid WHEN 'pg_catalog.pg_proc'::pg_catalog.regclass THEN 'function'
                                  ELSE 'operator' END, d.refobjid
  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) d.objid
 WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
   AND p.pronamespace OPERATOR(pg_catalog.=) 'civic'::pg_catalog.regnamespace
   AND d.refclassid OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.pg_proc'::pg_catalog.regclass,
                                                      'pg_catalog.pg_operator'::pg_catalog.regclass])
UNION
-- every function and operator in the stored parse trees of bound bodies,
-- column defaults and generated columns, constraints and views (pg_depend
-- leaves out pinned built-ins, so read the trees themselves)
SELECT CASE WHEN m[1] OPERATOR(pg_catalog.=) ANY ('{funcid,aggfnoid,winfnoid}') THEN 'function'
            ELSE 'operator' END, m[2]::pg_catalog.oid
  FROM (SELECT p.prosqlbody::pg_catalog.text AS tree FROM pg_catalog.pg_proc p
         WHERE p.pronamespace OPERATOR(pg_catalog.=) 'civic'::pg_catalog.regnamespace
           AND p.prosqlbody IS NOT NULL
        UNION ALL
        SELECT d.adbin::pg_catalog.text FROM pg_catalog.pg_attrdef d
          JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.adrelid
         WHERE c.relnamespace OPERATOR(pg_catalog.=) 'civic'::pg_catalog.regnamespace
        UNION ALL
        SELECT k.conbin::pg_catalog.text FROM pg_catalog.pg_constraint k
         WHERE k.connamespace OPERATOR(pg_catalog.=) 'civic'::pg_catalog.regnamespace
           AND k.conbin IS NOT NULL
        UNION ALL
        SELECT r.ev_action::pg_catalog.text FROM pg_catalog.pg_rewrite r
          JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) r.ev_class
         WHERE c.relnamespace OPERATOR(pg_catalog.=) 'civic'::pg_catalog.regnamespace) AS t
 CROSS JOIN LATERAL pg_catalog.regexp_matches(t.tree, ':(funcid|aggfnoid|winfnoid|opno|sortop|eqop) (\d+)', 'g') AS m
 WHERE m[2] OPERATOR(pg_catalog.<>) '0'
UNION
-- every function whose name appears called in a string body (SQL, PL/pgSQL)
SELECT 'function', f.oid
  FROM pg_catalog.pg_proc p
 CROSS JOIN LATERAL pg_catalog.regexp_matches(p.prosrc, '([A-Za-z_][A-Za-z0-9_]*)\s*\(', 'g') AS m
  JOIN pg_catalog.pg_proc f ON f.proname OPERATOR(pg_catalog.=) pg_catalog.lower(m[1])::pg_catalog.name
 WHERE p.pronamespace OPERATOR(pg_catalog.=) 'civic'::pg_catalog.regnamespace
   AND p.prolang OPERATOR(pg_catalog.<>) ALL (ARRAY(SELECT l.oid FROM pg_catalog.pg_language l
                                                  WHERE l.lanname OPERATOR(pg_catalog.=) ANY ('{c,internal}'::pg_catalog.name[])))
UNION
-- every operator named OPERATOR(schema.op) in a string body
SELECT 'operator', o.oid
  FROM pg_catalog.pg_proc p
 CROSS JOIN LATERAL pg_catalog.regexp_matches(p.prosrc, 'OPERATOR\(\s*([a-z_]+)\.([^)\s]+)\s*\)', 'gi') AS m
  JOIN pg_catalog.pg_operator o ON o.oprname OPERATOR(pg_catalog.=) m[2]::pg_catalog.name
   AND o.oprnamespace OPERATOR(pg_catalog.=) m[1]::pg_catalog.regnamespace
 WHERE p.pronamespace OPERATOR(pg_catalog.=) 'civic'::pg_catalog.regnamespace
UNION
-- what PostGIS reaches from inside the functions civic calls: ST_DWithin's
-- planner support adds && and ST_Expand; ST_Transform reads spatial_ref_sys
-- with srid = integer
SELECT 'function', f.oid FROM pg_catalog.pg_proc f
 WHERE f.proname OPERATOR(pg_catalog.=) ANY ('{st_expand}'::pg_catalog.name[])
UNION
SELECT 'operator', o.oid FROM pg_catalog.pg_operator o
 WHERE (o.oprname OPERATOR(pg_catalog.=) '&&' AND o.oprleft OPERATOR(pg_catalog.=) 'public.geometry'::pg_catalog.regtype)
    OR o.oid OPERATOR(pg_catalog.=) 'pg_catalog.=(pg_catalog.int4, pg_catalog.int4)'::pg_catalog.regoperator;
-- not civic's own objects
DELETE FROM trojan_log.targets t
 WHERE (t.kind OPERATOR(pg_catalog.=) 'function' AND EXISTS (
          SELECT FROM pg_catalog.pg_proc f WHERE f.oid OPERATOR(pg_catalog.=) t.oid
             AND f.pronamespace OPERATOR(pg_catalog.=) 'civic'::pg_catalog.regnamespace))
    OR (t.kind OPERATOR(pg_catalog.=) 'operator' AND EXISTS (
          SELECT FROM pg_catalog.pg_operator o WHERE o.oid OPERATOR(pg_catalog.=) t.oid
             AND o.oprnamespace OPERATOR(pg_catalog.=) 'civic'::pg_catalog.regnamespace));

-- Plant the look-alikes: for each target, in public (unless it lives there:
-- same signature, same schema is impossible) and in pg_temp, the exact
-- signature and every signature with one argument replaced by a type that
-- converts to it implicitly (a literal of that type would pick the
-- look-alike), polymorphic arguments instantiated with common types.
DO $plant$
DECLARE
    t record;
    sig pg_catalog.oid[];
    variants pg_catalog.text[];
    v pg_catalog.oid[];
    vt pg_catalog.text;
    i pg_catalog.int4;
    u pg_catalog.oid;
    s pg_catalog.text;
    n pg_catalog.int4 := 0;
    ret pg_catalog.text;
    args pg_catalog.text;
    fn pg_catalog.text;
    nsp pg_catalog.oid;
    name pg_catalog.text;
    retset pg_catalog.bool;
    rettype pg_catalog.oid;
    poly CONSTANT pg_catalog.oid[] := ARRAY['anyelement'::pg_catalog.regtype, 'anyarray'::pg_catalog.regtype,
        'anynonarray'::pg_catalog.regtype, 'anycompatible'::pg_catalog.regtype,
        'anycompatiblearray'::pg_catalog.regtype, '"any"'::pg_catalog.regtype]::pg_catalog.oid[];
BEGIN
    FOR t IN SELECT * FROM trojan_log.targets LOOP
        IF t.kind OPERATOR(pg_catalog.=) 'function' THEN
            SELECT ARRAY(SELECT pg_catalog.unnest(f.proargtypes)), f.pronamespace, f.proname, f.proretset, f.prorettype
              INTO sig, nsp, name, retset, rettype
              FROM pg_catalog.pg_proc f WHERE f.oid OPERATOR(pg_catalog.=) t.oid;
        ELSE
            SELECT ARRAY[o.oprleft, o.oprright], o.oprnamespace, o.oprname, false, o.oprresult
              INTO sig, nsp, name, retset, rettype
              FROM pg_catalog.pg_operator o WHERE o.oid OPERATOR(pg_catalog.=) t.oid;
        END IF;
        -- the variants of the signature
        variants := ARRAY[pg_catalog.array_to_string(sig, ',')];
        FOR i IN 1 .. pg_catalog.cardinality(sig) LOOP
            IF sig[i] OPERATOR(pg_catalog.=) 0 THEN CONTINUE; END IF;   -- prefix operator
            FOR u IN
                SELECT c.castsource FROM pg_catalog.pg_cast c
                  JOIN pg_catalog.pg_type ty ON ty.oid OPERATOR(pg_catalog.=) c.castsource
                 WHERE c.casttarget OPERATOR(pg_catalog.=) sig[i] AND c.castcontext OPERATOR(pg_catalog.=) 'i'
                   AND ty.typtype OPERATOR(pg_catalog.<>) 'p'
                UNION
                SELECT x FROM pg_catalog.unnest(ARRAY['pg_catalog.text'::pg_catalog.regtype,
                        'pg_catalog.int4'::pg_catalog.regtype, 'pg_catalog.float8'::pg_catalog.regtype,
                        'pg_catalog.numeric'::pg_catalog.regtype]::pg_catalog.oid[]) AS x
                 WHERE sig[i] OPERATOR(pg_catalog.=) ANY (poly)
                   AND sig[i] OPERATOR(pg_catalog.<>) ALL (ARRAY['anyarray'::pg_catalog.regtype,
                        'anycompatiblearray'::pg_catalog.regtype]::pg_catalog.oid[])
                UNION
                SELECT x FROM pg_catalog.unnest(ARRAY['pg_catalog.text[]'::pg_catalog.regtype,
                        'pg_catalog.regrole[]'::pg_catalog.regtype, 'pg_catalog.int4[]'::pg_catalog.regtype]::pg_catalog.oid[]) AS x
                 WHERE sig[i] OPERATOR(pg_catalog.=) ANY (ARRAY['anyarray'::pg_catalog.regtype,
                        'anycompatiblearray'::pg_catalog.regtype]::pg_catalog.oid[])
            LOOP
                v := sig;
                v[i] := u;
                variants := variants OPERATOR(pg_catalog.||) pg_catalog.array_to_string(v, ',');
            END LOOP;
        END LOOP;
        -- result type: polymorphic results become text; record results cannot be faked
        IF rettype OPERATOR(pg_catalog.=) ANY (poly) THEN
            ret := 'pg_catalog.text';
        ELSIF rettype OPERATOR(pg_catalog.=) 'pg_catalog.record'::pg_catalog.regtype THEN
            CONTINUE;
        ELSE
            ret := pg_catalog.format_type(rettype, NULL);
        END IF;
        FOREACH s IN ARRAY ARRAY['public', 'pg_temp'] LOOP
            FOREACH vt IN ARRAY variants LOOP
                v := pg_catalog.string_to_array(vt, ',')::pg_catalog.oid[];
                IF v OPERATOR(pg_catalog.=) sig AND s OPERATOR(pg_catalog.=) 'public'
                   AND nsp OPERATOR(pg_catalog.=) 'public'::pg_catalog.regnamespace THEN
                    CONTINUE;       -- the real one itself
                END IF;
                IF v OPERATOR(pg_catalog.&&) poly THEN
                    CONTINUE;       -- a polymorphic look-alike could not return its NULL
                END IF;
                n := n OPERATOR(pg_catalog.+) 1;
                args := pg_catalog.array_to_string(ARRAY(
                            SELECT CASE WHEN x OPERATOR(pg_catalog.=) 0 THEN 'NONE'
                                        ELSE pg_catalog.format_type(x, NULL) END
                              FROM pg_catalog.unnest(v) WITH ORDINALITY AS a(x, k) ORDER BY k), ', ');
                BEGIN
                    IF t.kind OPERATOR(pg_catalog.=) 'function' THEN
                        fn := pg_catalog.format('%s.%I(%s)', s, name, args);
                        EXECUTE pg_catalog.format(
                            'CREATE FUNCTION %s RETURNS %s%s LANGUAGE sql AS %L',
                            fn, CASE WHEN retset THEN 'SETOF ' ELSE '' END, ret,
                            pg_catalog.format('SELECT trojan_log.fire(%L); SELECT NULL::%s',
                                              'function ' OPERATOR(pg_catalog.||) fn, ret));
                        INSERT INTO trojan_log.planted VALUES ('function', fn,
                            pg_catalog.format('DROP FUNCTION %s', fn));
                    ELSE
                        fn := pg_catalog.format('%s.trojan_op_%s(%s)', s, n,
                                                pg_catalog.array_to_string(ARRAY(
                                                    SELECT pg_catalog.format_type(x, NULL)
                                                      FROM pg_catalog.unnest(v) AS x
                                                     WHERE x OPERATOR(pg_catalog.<>) 0), ', '));
                        EXECUTE pg_catalog.format(
                            'CREATE FUNCTION %s RETURNS %s LANGUAGE sql AS %L',
                            fn, ret,
                            pg_catalog.format('SELECT trojan_log.fire(%L); SELECT NULL::%s',
                                              pg_catalog.format('operator %s.%s(%s)', s, name, args), ret));
                        EXECUTE pg_catalog.format(
                            'CREATE OPERATOR %s.%s (%s RIGHTARG = %s, FUNCTION = %s)',
                            s, name,
                            CASE WHEN v[1] OPERATOR(pg_catalog.=) 0 THEN ''
                                 ELSE 'LEFTARG = ' OPERATOR(pg_catalog.||) pg_catalog.format_type(v[1], NULL)
                                      OPERATOR(pg_catalog.||) ',' END,
                            pg_catalog.format_type(v[2], NULL), pg_catalog.split_part(fn, '(', 1));
                        INSERT INTO trojan_log.planted VALUES ('operator',
                            pg_catalog.format('%s.%s(%s)', s, name, args),
                            pg_catalog.format('DROP FUNCTION %s CASCADE', fn));
                    END IF;
                EXCEPTION WHEN duplicate_function OR duplicate_object OR invalid_function_definition
                               OR invalid_object_definition OR feature_not_supported
                               OR wrong_object_type OR datatype_mismatch OR invalid_parameter_value THEN
                    NULL;           -- a look-alike that cannot exist cannot be planted
                END;
            END LOOP;
        END LOOP;
    END LOOP;
END
$plant$;
SELECT FROM trojan_log.fact('functions planted', (SELECT pg_catalog.count(*)::pg_catalog.text
    FROM trojan_log.planted WHERE kind OPERATOR(pg_catalog.=) 'function'));
SELECT FROM trojan_log.fact('operators planted', (SELECT pg_catalog.count(*)::pg_catalog.text
    FROM trojan_log.planted WHERE kind OPERATOR(pg_catalog.=) 'operator'));
SELECT FROM trojan_log.fact('planted st_dwithin(geometry, geometry, numeric)', (SELECT pg_catalog.count(*)::pg_catalog.text
    FROM trojan_log.planted WHERE ident OPERATOR(pg_catalog.=) 'public.st_dwithin(public.geometry, public.geometry, numeric)'));

-- Relations named like those civic and PostGIS read, in pg_temp (searched
-- first for relations when a path starts with it) and in public.
DO $shadow$
DECLARE
    r pg_catalog.text;
BEGIN
    FOREACH r IN ARRAY ARRAY['boundary', 'spatial_ref_sys', 'pg_extension', 'pg_namespace', 'pg_proc',
                             'pg_class', 'pg_type', 'pg_operator', 'pg_roles', 'pg_settings',
                             'pg_depend', 'pg_authid', 'trojan_keys', 'trojan_people'] LOOP
        EXECUTE pg_catalog.format(
            'CREATE VIEW pg_temp.%1$I AS SELECT * FROM %2$s WHERE trojan_log.fire(%3$L)',
            r, CASE r WHEN 'boundary' THEN 'civic.boundary'
                      WHEN 'spatial_ref_sys' THEN 'public.spatial_ref_sys'
                      WHEN 'trojan_keys' THEN 'public.trojan_keys'
                      WHEN 'trojan_people' THEN 'public.trojan_people'
                      ELSE 'pg_catalog.' OPERATOR(pg_catalog.||) r END,
            'relation pg_temp.' OPERATOR(pg_catalog.||) r);
        IF r OPERATOR(pg_catalog.<>) ALL (ARRAY['spatial_ref_sys', 'trojan_keys', 'trojan_people']) THEN
            EXECUTE pg_catalog.format(
                'CREATE VIEW public.%1$I AS SELECT * FROM %2$s WHERE trojan_log.fire(%3$L)',
                r, CASE r WHEN 'boundary' THEN 'civic.boundary' ELSE 'pg_catalog.' OPERATOR(pg_catalog.||) r END,
                'relation public.' OPERATOR(pg_catalog.||) r);
        END IF;
    END LOOP;
END
$shadow$;
CREATE FUNCTION pg_temp.trojan_only_in_temp() RETURNS pg_catalog.bool
    LANGUAGE sql AS $$ SELECT trojan_log.fire('pg_temp.trojan_only_in_temp()') $$;

-- ---------------------------------------------------------------------------
-- Controls: the traps are armed.
CREATE FUNCTION trojan_log.hits() RETURNS pg_catalog.int8 LANGUAGE sql AS $$
    SELECT CASE WHEN s.is_called THEN s.last_value ELSE 0 END FROM trojan_log.hits s $$;
CREATE FUNCTION trojan_log.int4eq_hits() RETURNS pg_catalog.int8 LANGUAGE sql AS $$
    SELECT CASE WHEN s.is_called THEN s.last_value ELSE 0 END FROM trojan_log.int4eq_hits s $$;
DO $control$
DECLARE
    h0 pg_catalog.int8;
BEGIN
    -- an unqualified call with a numeric literal reaches the public look-alike
    h0 := trojan_log.hits();
    PERFORM pg_catalog.set_config('search_path', '"$user", public, civic', true);
    EXECUTE 'SELECT st_dwithin(''SRID=27700;POINT(0 0)''::public.geometry, ''SRID=27700;POINT(0 0)''::public.geometry, 0.01)';
    PERFORM trojan_log.fact('control: unqualified st_dwithin(g, g, 0.01) fired',
                            (trojan_log.hits() OPERATOR(pg_catalog.-) h0)::pg_catalog.text);
    -- with public before pg_catalog, an unqualified integer = reaches the look-alike
    h0 := trojan_log.hits();
    PERFORM pg_catalog.set_config('search_path', 'pg_temp, public, pg_catalog, civic', true);
    EXECUTE 'SELECT 1 = 1';
    PERFORM trojan_log.fact('control: unqualified 1 = 1 behind public fired',
                            (trojan_log.hits() OPERATOR(pg_catalog.-) h0)::pg_catalog.text);
    -- a temporary relation shadows an unqualified name when pg_temp comes first
    h0 := trojan_log.hits();
    EXECUTE 'SELECT FROM boundary';
    PERFORM trojan_log.fact('control: unqualified boundary read pg_temp.boundary',
                            ((trojan_log.hits() OPERATOR(pg_catalog.-) h0) OPERATOR(pg_catalog.>) 0)::pg_catalog.text);
    -- functions are never looked up in pg_temp unless qualified, even first in the path
    BEGIN
        EXECUTE 'SELECT trojan_only_in_temp()';
        PERFORM trojan_log.fact('control: unqualified pg_temp function', 'found');
    EXCEPTION WHEN undefined_function THEN
        PERFORM trojan_log.fact('control: unqualified pg_temp function', 'not found');
    END;
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog', true);
END
$control$;

DELETE FROM trojan_log.fired;

-- ---------------------------------------------------------------------------
-- Call every civic function that SQL can call (arguments and result not
-- internal, not a trigger), with valid arguments, under two search paths.
-- Each call runs in its own subtransaction, undone after it (so calls do
-- not disturb each other); the sequence keeps count of look-alikes run.
DO $calls$
DECLARE
    f record;
    path pg_catalog.text;
    args pg_catalog.text[];
    a pg_catalog.text;
    i pg_catalog.int4;
    argname pg_catalog.text;
    argtype pg_catalog.text;
    sql pg_catalog.text;
    h0 pg_catalog.int8;
    e0 pg_catalog.int8;
    fired pg_catalog.text;
    err pg_catalog.text;
    ward CONSTANT pg_catalog.text := pg_catalog.quote_literal((SELECT x.value FROM trojan_log.facts x WHERE x.fact OPERATOR(pg_catalog.=) 'ward'));
    borough CONSTANT pg_catalog.text := pg_catalog.quote_literal((SELECT x.value FROM trojan_log.facts x WHERE x.fact OPERATOR(pg_catalog.=) 'borough'));
    vintage CONSTANT pg_catalog.text := (SELECT x.value FROM trojan_log.facts x WHERE x.fact OPERATOR(pg_catalog.=) 'vintage');
    definition CONSTANT pg_catalog.text := pg_catalog.quote_literal(
        'SELECT k.ward, civic.dp_count(0.5::pg_catalog.float8) AS n FROM public.trojan_keys k '
        'LEFT JOIN public.trojan_people p ON p.ward OPERATOR(pg_catalog.=) k.ward GROUP BY k.ward');
BEGIN
    -- Hostile paths first, while PostGIS's caches (spatial_ref_sys) are cold:
    -- a path that puts public even before pg_catalog, then pg_temp before
    -- everything for relations (pg_catalog is searched first for functions
    -- and operators when the path does not name it).
    FOREACH path IN ARRAY ARRAY['pg_temp, public, pg_catalog, civic', 'pg_temp, public, civic',
                                '"$user", public, civic'] LOOP
        FOR f IN
            SELECT p.oid, p.proname::pg_catalog.text AS name, p.prokind, p.provariadic,
                   ARRAY(SELECT pg_catalog.unnest(p.proargtypes)) AS types, p.proargnames AS names
              FROM pg_catalog.pg_proc p
             WHERE p.pronamespace OPERATOR(pg_catalog.=) 'civic'::pg_catalog.regnamespace
               AND p.prokind OPERATOR(pg_catalog.=) ANY ('{f,a}'::pg_catalog.char[])
               AND NOT 'pg_catalog.internal'::pg_catalog.regtype OPERATOR(pg_catalog.=) ANY (p.proargtypes::pg_catalog.oid[])
               AND p.prorettype OPERATOR(pg_catalog.<>) ALL (ARRAY['pg_catalog.internal'::pg_catalog.regtype,
                                                                    'pg_catalog.trigger'::pg_catalog.regtype]::pg_catalog.oid[])
             ORDER BY p.oid
        LOOP
            args := '{}';
            FOR i IN 1 .. pg_catalog.cardinality(f.types) LOOP
                argname := f.names[i];
                argtype := pg_catalog.format_type(f.types[i], NULL);
                a := CASE
                    WHEN f.name OPERATOR(pg_catalog.=) 'bng_in' THEN '''530015 180454''::pg_catalog.cstring'
                    WHEN f.name OPERATOR(pg_catalog.=) 'gsscode_in' THEN ward OPERATOR(pg_catalog.||) '::pg_catalog.cstring'
                    WHEN f.name OPERATOR(pg_catalog.=) 'postcode_in' THEN '''SW1A 1AA''::pg_catalog.cstring'
                    WHEN f.name OPERATOR(pg_catalog.=) ANY ('{gsscode,is_valid_gsscode}') THEN ward OPERATOR(pg_catalog.||) '::pg_catalog.text'
                    WHEN f.name OPERATOR(pg_catalog.=) ANY ('{postcode,is_valid_postcode}') THEN '''SW1A 1AA''::pg_catalog.text'
                    WHEN f.name OPERATOR(pg_catalog.=) ANY ('{bng_from_ewkb,bng_transformable}') THEN 'civic.bng_to_ewkb(''530015 180454''::civic.bng)'
                    WHEN argname OPERATOR(pg_catalog.=) 'parent' THEN borough OPERATOR(pg_catalog.||) '::civic.gsscode'
                    WHEN argname OPERATOR(pg_catalog.=) 'view' THEN
                        pg_catalog.format('civic.create_private_view(%L, %s, %L::pg_catalog.regrole)',
                                          'public.trojan_pv2', definition, 'trojan_analyst')
                    WHEN argtype OPERATOR(pg_catalog.=) 'civic.bng' THEN '''530015 180454''::civic.bng'
                    WHEN argtype OPERATOR(pg_catalog.=) 'civic.gsscode' THEN ward OPERATOR(pg_catalog.||) '::civic.gsscode'
                    WHEN argtype OPERATOR(pg_catalog.=) 'civic.postcode' THEN '''SW1A 1AA''::civic.postcode'
                    WHEN argtype OPERATOR(pg_catalog.=) 'public.geometry' THEN '''SRID=27700;POINT(530015 180454)''::public.geometry'
                    WHEN argtype OPERATOR(pg_catalog.=) 'integer' THEN
                        CASE argname WHEN 'vintage' THEN vintage WHEN 'digits' THEN '10' WHEN 'key_range' THEN '256'
                                     WHEN 'max_perturbation' THEN '5' WHEN 'small_count' THEN '2'
                                     WHEN 'classes' THEN '5' WHEN 'width' THEN '900' WHEN 'key' THEN '7' ELSE '1' END
                        OPERATOR(pg_catalog.||) '::pg_catalog.int4'
                    WHEN argtype OPERATOR(pg_catalog.=) 'double precision' AND f.prokind OPERATOR(pg_catalog.=) 'a'
                         AND argname OPERATOR(pg_catalog.=) 'value' THEN '(g.i OPERATOR(pg_catalog.%) 7)::pg_catalog.float8'
                    WHEN argtype OPERATOR(pg_catalog.=) 'double precision' THEN
                        -- quoted, so that a negative number is a literal, not a prefix minus
                        pg_catalog.quote_literal(
                        CASE argname WHEN 'epsilon' THEN '0.5' WHEN 'delta' THEN '0.000001' WHEN 'lower' THEN '0'
                                     WHEN 'upper' THEN '100' WHEN 'value' THEN '5' WHEN 'p' THEN '0.5'
                                     WHEN 'confidence' THEN '0.95' WHEN 'lon' THEN '-0.1281' WHEN 'lat' THEN '51.508'
                                     WHEN 'easting' THEN '530015' WHEN 'northing' THEN '180454'
                                     WHEN 'variance' THEN '3' WHEN 'simplify' THEN '10' ELSE '1' END)
                        OPERATOR(pg_catalog.||) '::pg_catalog.float8'
                    WHEN argtype OPERATOR(pg_catalog.=) ANY ('{bigint,numeric}') AND f.prokind OPERATOR(pg_catalog.=) 'a'
                         AND argname OPERATOR(pg_catalog.=) 'value' THEN '(g.i OPERATOR(pg_catalog.%) 7)::' OPERATOR(pg_catalog.||) argtype
                    WHEN argtype OPERATOR(pg_catalog.=) ANY ('{bigint,numeric}') THEN
                        CASE argname WHEN 'lower' THEN '0' WHEN 'upper' THEN '100' WHEN 'value' THEN '5'
                                     WHEN 'n' THEN '100' ELSE '1' END
                        OPERATOR(pg_catalog.||) '::' OPERATOR(pg_catalog.||) argtype
                    WHEN argtype OPERATOR(pg_catalog.=) 'text' THEN
                        CASE argname WHEN 'level' THEN '''ward''' WHEN 'dataset' THEN '''public.trojan_people'''
                                     WHEN 'name' THEN '''trojan_ds''' WHEN 'view_name' THEN '''public.trojan_pv'''
                                     WHEN 'definition' THEN definition WHEN 'ptable' THEN '''default'''
                                     ELSE '''ward''' END
                        OPERATOR(pg_catalog.||) '::pg_catalog.text'
                    WHEN argtype OPERATOR(pg_catalog.=) 'regrole' THEN '''trojan_analyst''::pg_catalog.regrole'
                    WHEN argtype OPERATOR(pg_catalog.=) 'regrole[]' THEN 'ARRAY[''trojan_analyst''::pg_catalog.regrole]'
                    WHEN argtype OPERATOR(pg_catalog.=) 'regclass' THEN '''public.trojan_people''::pg_catalog.regclass'
                    WHEN argtype OPERATOR(pg_catalog.=) 'regclass[]' THEN 'ARRAY[''public.trojan_people''::pg_catalog.regclass]'
                    WHEN argtype OPERATOR(pg_catalog.=) 'regprocedure' THEN
                        '(SELECT p.oid::pg_catalog.regprocedure FROM pg_catalog.pg_proc p, pg_catalog.pg_extension e
                           WHERE e.extname OPERATOR(pg_catalog.=) ''postgis'' AND p.pronamespace OPERATOR(pg_catalog.=) e.extnamespace
                             AND p.proname OPERATOR(pg_catalog.=) ''st_transform'' AND p.pronargs OPERATOR(pg_catalog.=) 2
                             AND p.proargtypes[1] OPERATOR(pg_catalog.=) ''pg_catalog.int4''::pg_catalog.regtype
                             AND p.proargtypes[0] OPERATOR(pg_catalog.=) (
                                 SELECT t.oid FROM pg_catalog.pg_type t
                                  WHERE t.typname OPERATOR(pg_catalog.=) ''geometry''
                                    AND t.typnamespace OPERATOR(pg_catalog.=) e.extnamespace))'
                    WHEN argtype OPERATOR(pg_catalog.=) 'jsonb' THEN '''{}''::pg_catalog.jsonb'
                    WHEN argtype OPERATOR(pg_catalog.=) 'box' THEN '''((0,0),(700000,1300000))''::pg_catalog.box'
                    WHEN argtype OPERATOR(pg_catalog.=) 'circle' THEN '''<(530000,180000),1000>''::pg_catalog.circle'
                    WHEN argtype OPERATOR(pg_catalog.=) 'anyelement' AND f.prokind OPERATOR(pg_catalog.=) 'a' THEN
                        '(g.i OPERATOR(pg_catalog.%) 20)::pg_catalog.text'
                    WHEN argtype OPERATOR(pg_catalog.=) 'anyelement' THEN '1::pg_catalog.int4'
                    WHEN argtype OPERATOR(pg_catalog.=) 'bytea' THEN '''\x00''::pg_catalog.bytea'
                    WHEN argtype OPERATOR(pg_catalog.=) 'cstring' THEN '''x''::pg_catalog.cstring'
                    ELSE pg_catalog.format('NULL::%s', argtype) END;
                IF f.provariadic OPERATOR(pg_catalog.<>) 0 AND i OPERATOR(pg_catalog.=) pg_catalog.cardinality(f.types) THEN
                    a := 'VARIADIC ' OPERATOR(pg_catalog.||) a;
                END IF;
                args := args OPERATOR(pg_catalog.||) a;
            END LOOP;
            IF f.prokind OPERATOR(pg_catalog.=) 'a' THEN
                sql := pg_catalog.format('SELECT civic.%I(%s) FROM pg_catalog.generate_series(1, 60) AS g(i)',
                                         f.name, pg_catalog.array_to_string(args, ', '));
            ELSE
                sql := pg_catalog.format('SELECT pg_catalog.count(*) FROM civic.%I(%s) AS t',
                                         f.name, pg_catalog.array_to_string(args, ', '));
            END IF;
            h0 := trojan_log.hits();
            e0 := trojan_log.int4eq_hits();
            fired := NULL;
            err := NULL;
            BEGIN
                PERFORM pg_catalog.set_config('search_path', path, true);
                EXECUTE sql;
                PERFORM pg_catalog.set_config('search_path', 'pg_catalog', true);
                fired := (SELECT pg_catalog.string_agg(DISTINCT x.what, ', ') FROM trojan_log.fired x);
                RAISE EXCEPTION USING ERRCODE = 'TRJOK';     -- undo the call
            EXCEPTION WHEN OTHERS THEN
                IF SQLSTATE OPERATOR(pg_catalog.<>) 'TRJOK' THEN
                    err := SQLSTATE OPERATOR(pg_catalog.||) ': ' OPERATOR(pg_catalog.||) SQLERRM;
                END IF;
            END;
            PERFORM pg_catalog.set_config('search_path', 'pg_catalog', true);
            INSERT INTO trojan_log.calls VALUES (f.oid, path, sql, err IS NULL,
                CASE WHEN trojan_log.hits() OPERATOR(pg_catalog.>) h0
                     THEN pg_catalog.format('%s look-alike(s) ran: %s; ', trojan_log.hits() OPERATOR(pg_catalog.-) h0,
                                            COALESCE(fired, '?'))
                     ELSE '' END OPERATOR(pg_catalog.||) COALESCE(err, ''),
                (trojan_log.hits() OPERATOR(pg_catalog.-) h0)
                    OPERATOR(pg_catalog.-) (trojan_log.int4eq_hits() OPERATOR(pg_catalog.-) e0));
        END LOOP;
    END LOOP;
END
$calls$;

-- Support functions (internal arguments) run through the types' indexes,
-- sorts, hashes and aggregates, under the hostile path.
DO $support$
DECLARE
    h0 pg_catalog.int8 := trojan_log.hits();
BEGIN
    PERFORM pg_catalog.set_config('search_path', 'pg_temp, public, pg_catalog, civic', true);
    CREATE TABLE trojan_log.pts AS
        SELECT civic.bng(g.i::pg_catalog.float8 OPERATOR(pg_catalog.*) 100, g.i::pg_catalog.float8) AS p,
               ('E0500' OPERATOR(pg_catalog.||) (1000 OPERATOR(pg_catalog.+) g.i)::pg_catalog.text)::civic.gsscode AS c,
               'SW1A 1AA'::civic.postcode AS pc
          FROM pg_catalog.generate_series(1, 2000) AS g(i);
    CREATE INDEX ON trojan_log.pts USING gist (p);
    CREATE INDEX ON trojan_log.pts USING btree (p);
    CREATE INDEX ON trojan_log.pts USING hash (p);
    CREATE INDEX ON trojan_log.pts USING btree (c);
    CREATE INDEX ON trojan_log.pts USING hash (c);
    CREATE INDEX ON trojan_log.pts USING btree (pc);
    PERFORM pg_catalog.set_config('enable_seqscan', 'off', true);
    PERFORM pg_catalog.count(*) FROM trojan_log.pts t
      WHERE t.p OPERATOR(civic.<@) '((0,0),(50000,1000))'::pg_catalog.box;
    PERFORM t.p FROM trojan_log.pts t ORDER BY t.p OPERATOR(civic.<->) '1000 10'::civic.bng LIMIT 5;
    PERFORM pg_catalog.count(DISTINCT t.c) FROM trojan_log.pts t;
    PERFORM pg_catalog.count(*) FROM trojan_log.pts a JOIN trojan_log.pts b ON a.p OPERATOR(civic.=) b.p;
    PERFORM civic.min(t.pc), civic.max(t.pc) FROM trojan_log.pts t;
    PERFORM civic.ward_of(t.p) FROM trojan_log.pts t LIMIT 50;
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog', true);
    PERFORM trojan_log.fact('support functions: look-alikes run',
                            (trojan_log.hits() OPERATOR(pg_catalog.-) h0)::pg_catalog.text);
END
$support$;

-- ---------------------------------------------------------------------------
-- Remove the look-alikes and shadows, then check.
DO $remove$
DECLARE
    d pg_catalog.text;
BEGIN
    FOR d IN SELECT x.drop_sql FROM trojan_log.planted x LOOP
        EXECUTE d;
    END LOOP;
END
$remove$;
DROP VIEW public.boundary, public.pg_extension, public.pg_namespace, public.pg_proc, public.pg_class,
          public.pg_type, public.pg_operator, public.pg_roles, public.pg_settings, public.pg_depend,
          public.pg_authid;
DROP FUNCTION pg_temp.trojan_only_in_temp();
DO $temp$
DECLARE
    r pg_catalog.text;
BEGIN
    FOR r IN SELECT c.relname FROM pg_catalog.pg_class c
              WHERE c.relnamespace OPERATOR(pg_catalog.=) pg_catalog.pg_my_temp_schema() LOOP
        EXECUTE pg_catalog.format('DROP VIEW pg_temp.%I', r);
    END LOOP;
END
$temp$;
SET LOCAL search_path = public, pg_catalog;

SELECT plan(17);

SELECT is((SELECT value FROM trojan_log.facts WHERE fact = 'mallory superuser after a superuser called neighbours'),
          'false',
          'a superuser calling civic.neighbours does not run public.st_dwithin(geometry, geometry, numeric) planted by a role with CREATE on public');
SELECT is((SELECT value FROM trojan_log.facts WHERE fact = 'planted st_dwithin(geometry, geometry, numeric)'), '1',
          'the look-alikes generated from the catalogue include the reported one');
SELECT cmp_ok((SELECT value::int FROM trojan_log.facts WHERE fact = 'functions planted'), '>', 100,
              'look-alike functions planted (in public and pg_temp) for what civic calls');
SELECT cmp_ok((SELECT value::int FROM trojan_log.facts WHERE fact = 'operators planted'), '>', 20,
              'look-alike operators planted (in public and pg_temp) for what civic calls');
SELECT cmp_ok((SELECT value::int FROM trojan_log.facts WHERE fact = 'control: unqualified st_dwithin(g, g, 0.01) fired'), '>', 0,
              'control: an unqualified call with a numeric literal runs the public look-alike');
SELECT cmp_ok((SELECT value::int FROM trojan_log.facts WHERE fact = 'control: unqualified 1 = 1 behind public fired'), '>', 0,
              'control: with public before pg_catalog, an unqualified operator runs the public look-alike');
SELECT is((SELECT value FROM trojan_log.facts WHERE fact = 'control: unqualified boundary read pg_temp.boundary'), 'true',
          'control: with pg_temp first, an unqualified relation name reads the temporary look-alike');
SELECT is((SELECT value FROM trojan_log.facts WHERE fact = 'control: unqualified pg_temp function'), 'not found',
          'functions are never looked up in pg_temp unless qualified, even with pg_temp first in search_path');

SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'civic'::regnamespace AND p.prokind IN ('f', 'a')
       AND NOT 'internal'::regtype = ANY (p.proargtypes::oid[])
       AND p.prorettype NOT IN ('internal'::regtype, 'trigger'::regtype)
       AND p.oid NOT IN (SELECT fn FROM trojan_log.calls)$$,
    'every civic function that SQL can call was called');
-- Every function this test was written against must succeed with its
-- sample arguments (civic._ckm_unknown_ptable exists to raise ckm_count's
-- error: 42704 is its success).  A function added since is called too; it
-- may fail on arguments the test does not know how to make (give them a
-- sample above), but only with a clean error, never an internal one.
CREATE TEMP TABLE trojan_known (sig text PRIMARY KEY);
INSERT INTO trojan_known VALUES
    ('civic._area_extent(text,integer)'),
    ('civic._area_svg_shapes(text,integer,double precision)'),
    ('civic._ckm_combine(civic.ckm_state,civic.ckm_state)'),
    ('civic._ckm_final(civic.ckm_state)'),
    ('civic._ckm_key(integer)'),
    ('civic._ckm_step(civic.ckm_state,integer)'),
    ('civic._ckm_step(civic.ckm_state,integer,text)'),
    ('civic._ckm_unknown_ptable(text)'),
    ('civic._xml_escape(text)'),
    ('civic.area_geojson(text,integer,double precision,jsonb)'),
    ('civic.area_name(civic.gsscode,integer)'),
    ('civic.area_of(civic.bng,text,integer)'),
    ('civic.area_of(geometry,text,integer)'),
    ('civic.areas_in(civic.gsscode,text,integer)'),
    ('civic.bng(double precision,double precision)'),
    ('civic.bng(geometry)'),
    ('civic.bng_box(civic.bng,civic.bng)'),
    ('civic.bng_cmp(civic.bng,civic.bng)'),
    ('civic.bng_contained_by_box(civic.bng,box)'),
    ('civic.bng_contained_by_circle(civic.bng,circle)'),
    ('civic.bng_distance(civic.bng,civic.bng)'),
    ('civic.bng_easting(civic.bng)'),
    ('civic.bng_eq(civic.bng,civic.bng)'),
    ('civic.bng_from_ewkb(bytea)'),
    ('civic.bng_from_lonlat(double precision,double precision)'),
    ('civic.bng_ge(civic.bng,civic.bng)'),
    ('civic.bng_gridref(civic.bng,integer)'),
    ('civic.bng_gt(civic.bng,civic.bng)'),
    ('civic.bng_hash(civic.bng)'),
    ('civic.bng_hash_extended(civic.bng,bigint)'),
    ('civic.bng_in(cstring)'),
    ('civic.bng_le(civic.bng,civic.bng)'),
    ('civic.bng_lt(civic.bng,civic.bng)'),
    ('civic.bng_ne(civic.bng,civic.bng)'),
    ('civic.bng_northing(civic.bng)'),
    ('civic.bng_out(civic.bng)'),
    ('civic.bng_send(civic.bng)'),
    ('civic.bng_to_ewkb(civic.bng)'),
    ('civic.bng_to_geometry(civic.bng)'),
    ('civic.bng_transform(geometry,regprocedure)'),
    ('civic.bng_transformable(bytea)'),
    ('civic.borough_of(civic.bng,integer)'),
    ('civic.borough_of(geometry,integer)'),
    ('civic.boundary_vintage(text,integer)'),
    ('civic.box_contains_bng(box,civic.bng)'),
    ('civic.budget_remaining(text)'),
    ('civic.budget_remaining(text,regrole)'),
    ('civic.check_private_view(regclass,regrole[])'),
    ('civic.choropleth_svg(text,integer,jsonb,text,text,integer,integer,double precision,text)'),
    ('civic.circle_contains_bng(circle,civic.bng)'),
    ('civic.ckm_add_record_key(regclass,name,integer)'),
    ('civic.ckm_count(integer)'),
    ('civic.ckm_count(integer,text)'),
    ('civic.ckm_define_ptable(text,integer,double precision,integer,integer)'),
    ('civic.ckm_drop_ptable(text)'),
    ('civic.ckm_ptable_rows(integer,double precision,integer,integer)'),
    ('civic.ckm_record_key(integer)'),
    ('civic.create_private_view(text,text,regrole[])'),
    ('civic.declare_dataset(text,regclass[],integer)'),
    ('civic.dp_avg(anyelement,double precision,double precision,double precision,double precision)'),
    ('civic.dp_avg(anyelement,double precision,double precision,double precision,double precision,double precision)'),
    ('civic.dp_avg(double precision,double precision,double precision,double precision)'),
    ('civic.dp_avg(double precision,double precision,double precision,double precision,double precision)'),
    ('civic.dp_avg_error(double precision,double precision,double precision,bigint,double precision,double precision)'),
    ('civic.dp_avg_error(double precision,double precision,double precision,bigint,double precision,double precision,double precision)'),
    ('civic.dp_avg_per_unit(anyelement,double precision,double precision,double precision,double precision)'),
    ('civic.dp_avg_per_unit(anyelement,double precision,double precision,double precision,double precision,double precision)'),
    ('civic.dp_count(anyelement,integer,double precision)'),
    ('civic.dp_count(anyelement,integer,double precision,double precision)'),
    ('civic.dp_count(double precision)'),
    ('civic.dp_count(double precision,double precision)'),
    ('civic.dp_count_error(double precision,double precision,double precision)'),
    ('civic.dp_count_noise_sd(double precision,double precision)'),
    ('civic.dp_count_units(anyelement,double precision)'),
    ('civic.dp_count_units(anyelement,double precision,double precision)'),
    ('civic.dp_median(double precision,double precision,double precision,double precision)'),
    ('civic.dp_percentile(double precision,double precision,double precision,double precision,double precision)'),
    ('civic.dp_sum(anyelement,double precision,double precision,double precision,double precision)'),
    ('civic.dp_sum(anyelement,double precision,double precision,double precision,double precision,double precision)'),
    ('civic.dp_sum(bigint,bigint,bigint,double precision)'),
    ('civic.dp_sum(bigint,bigint,bigint,double precision,double precision)'),
    ('civic.dp_sum(double precision,double precision,double precision,double precision)'),
    ('civic.dp_sum(double precision,double precision,double precision,double precision,double precision)'),
    ('civic.dp_sum(numeric,numeric,numeric,double precision)'),
    ('civic.dp_sum(numeric,numeric,numeric,double precision,double precision)'),
    ('civic.dp_sum_error(double precision,double precision,double precision,double precision,double precision)'),
    ('civic.dp_sum_grid(double precision,double precision,double precision,double precision)'),
    ('civic.dp_sum_per_unit(anyelement,double precision,double precision,double precision,double precision)'),
    ('civic.dp_sum_per_unit(anyelement,double precision,double precision,double precision,double precision,double precision)'),
    ('civic.gss_country(civic.gsscode)'),
    ('civic.gss_entities()'),
    ('civic.gss_entity(civic.gsscode)'),
    ('civic.gss_entity_name(civic.gsscode)'),
    ('civic.gss_level(civic.gsscode)'),
    ('civic.gsscode(text)'),
    ('civic.gsscode_cmp(civic.gsscode,civic.gsscode)'),
    ('civic.gsscode_eq(civic.gsscode,civic.gsscode)'),
    ('civic.gsscode_ge(civic.gsscode,civic.gsscode)'),
    ('civic.gsscode_gt(civic.gsscode,civic.gsscode)'),
    ('civic.gsscode_hash(civic.gsscode)'),
    ('civic.gsscode_hash_extended(civic.gsscode,bigint)'),
    ('civic.gsscode_in(cstring)'),
    ('civic.gsscode_le(civic.gsscode,civic.gsscode)'),
    ('civic.gsscode_lt(civic.gsscode,civic.gsscode)'),
    ('civic.gsscode_ne(civic.gsscode,civic.gsscode)'),
    ('civic.gsscode_out(civic.gsscode)'),
    ('civic.gsscode_send(civic.gsscode)'),
    ('civic.gsscode_text(civic.gsscode)'),
    ('civic.is_budget_admin()'),
    ('civic.is_valid_gsscode(text)'),
    ('civic.is_valid_postcode(text)'),
    ('civic.max(civic.postcode)'),
    ('civic.min(civic.postcode)'),
    ('civic.neighbours(civic.gsscode,integer)'),
    ('civic.parent_of(civic.gsscode,integer)'),
    ('civic.postcode(text)'),
    ('civic.postcode_area(civic.postcode)'),
    ('civic.postcode_cmp(civic.postcode,civic.postcode)'),
    ('civic.postcode_district(civic.postcode)'),
    ('civic.postcode_eq(civic.postcode,civic.postcode)'),
    ('civic.postcode_ge(civic.postcode,civic.postcode)'),
    ('civic.postcode_gt(civic.postcode,civic.postcode)'),
    ('civic.postcode_hash(civic.postcode)'),
    ('civic.postcode_hash_extended(civic.postcode,bigint)'),
    ('civic.postcode_in(cstring)'),
    ('civic.postcode_inward(civic.postcode)'),
    ('civic.postcode_larger(civic.postcode,civic.postcode)'),
    ('civic.postcode_le(civic.postcode,civic.postcode)'),
    ('civic.postcode_lt(civic.postcode,civic.postcode)'),
    ('civic.postcode_ne(civic.postcode,civic.postcode)'),
    ('civic.postcode_out(civic.postcode)'),
    ('civic.postcode_outward(civic.postcode)'),
    ('civic.postcode_sector(civic.postcode)'),
    ('civic.postcode_send(civic.postcode)'),
    ('civic.postcode_smaller(civic.postcode,civic.postcode)'),
    ('civic.postcode_text(civic.postcode)'),
    ('civic.privacy_budget_rows()'),
    ('civic.privacy_ledger_rows()'),
    ('civic.reset_budget(regrole,text)'),
    ('civic.sdc_round(bigint,integer)'),
    ('civic.sdc_suppress(bigint,integer)'),
    ('civic.set_budget(regrole,text,double precision,double precision)'),
    ('civic.set_default_budget(regrole,double precision,double precision)'),
    ('civic.ward_of(civic.bng,integer)'),
    ('civic.ward_of(geometry,integer)');
SELECT is_empty($$SELECT fn::text || ' under ' || path || ': ' || error FROM trojan_log.calls
                   WHERE NOT ok AND path <> 'pg_temp, public, pg_catalog, civic'
                     AND fn::text IN (SELECT sig FROM trojan_known)
                     AND NOT (fn::text = 'civic._ckm_unknown_ptable(text)' AND error LIKE '42704: %')$$,
                'every call succeeded with its arguments');
SELECT is_empty($$SELECT fn::text || ' under ' || path || ': ' || error FROM trojan_log.calls
                   WHERE NOT ok AND fn::text NOT IN (SELECT sig FROM trojan_known)
                     AND (error ~ '^(XX|58|53)' OR error ~ '; (XX|58|53)'
                          -- with public before pg_catalog, the look-alikes
                          -- reached are checked for every function below
                          OR (error LIKE '%look-alike%' AND path <> 'pg_temp, public, pg_catalog, civic'))$$,
                'functions added since this test was written fail, if at all, only with clean errors');
SELECT is_empty($$SELECT fn::text || ' under ' || path || ': ' || error FROM trojan_log.calls
                   WHERE error LIKE '%look-alike%' AND path <> 'pg_temp, public, pg_catalog, civic'$$,
                'no look-alike ran in any call of a civic function, under the usual search_path or with pg_temp and public first');
-- A path that names pg_catalog after a writable schema exposes every query
-- of whoever sets it.  civic's own bodies are bound and still run nothing;
-- the one look-alike reached is the integer = that PostGIS's ST_Transform
-- uses when it looks an SRID up in spatial_ref_sys with SQL that follows
-- the caller's path (docs/bng.md).  (civic's own SQL and SPI name that
-- operator OPERATOR(pg_catalog.=), and the paths above catch any unbound
-- use.)  Any other look-alike appearing here is a civic regression.
SELECT is_empty($$SELECT fn::text || ': ' || error FROM trojan_log.calls
                   WHERE path = 'pg_temp, public, pg_catalog, civic' AND other_hits <> 0$$,
                'with public listed before pg_catalog, only PostGIS''s own spatial_ref_sys lookup inside ST_Transform reaches a look-alike (integer =)');
SELECT is((SELECT value FROM trojan_log.facts WHERE fact = 'support functions: look-alikes run'), '0',
          'no look-alike ran through the support functions (indexes, sorts, hashes, aggregates)');

-- What makes it so: no string body in SQL, no writable schema in any path.
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
     WHERE p.pronamespace = 'civic'::regnamespace AND l.lanname IN ('sql', 'plpgsql')
       AND p.prosqlbody IS NULL
       AND NOT COALESCE('search_path=pg_catalog, pg_temp' = ANY (p.proconfig)
                        OR 'search_path=pg_catalog' = ANY (p.proconfig), false)
       AND p.oid::regprocedure::text <> 'civic.create_private_view(text,text,regrole[])'$$,
    'every civic SQL and PL/pgSQL function is bound at install time (BEGIN ATOMIC or RETURN body) or runs with search_path pg_catalog, pg_temp (create_private_view alone runs the administrator''s own text under the administrator''s path)');
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
     WHERE p.pronamespace = 'civic'::regnamespace AND l.lanname = 'sql' AND p.prosqlbody IS NULL
       AND p.oid::regprocedure::text IN (SELECT sig FROM trojan_known)$$,
    'every SQL function this test was written against is bound at install time');
SELECT is_empty($$
    SELECT p.oid::regprocedure::text || ': ' || s
      FROM pg_proc p, unnest(p.proconfig) AS c,
           LATERAL regexp_split_to_table(substr(c, length('search_path=') + 1), '\s*,\s*') AS s
     WHERE p.pronamespace = 'civic'::regnamespace AND c LIKE 'search_path=%'
       AND (s NOT IN ('pg_catalog', 'pg_temp')
            AND (to_regnamespace(trim(both '"' from s)) IS NULL
                 OR EXISTS (SELECT FROM pg_roles r
                             WHERE NOT r.rolsuper
                               AND has_schema_privilege(r.oid, trim(both '"' from s), 'CREATE'))))$$,
    'no civic function runs with a search_path that names a schema a non-superuser can create in');

SELECT * FROM finish();
ROLLBACK;
