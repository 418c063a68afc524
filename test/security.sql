-- CREATE EXTENSION civic is safe from search_path hijacking.  Look-alike
-- functions and operators (exact argument types, so they beat pg_catalog's
-- own for any unqualified call) sit in a schema the caller puts first in
-- search_path and in PostGIS's schema (which the install script keeps on its
-- path); temporary views shadow the catalogues, which would catch a script
-- that set a search_path without pg_temp (pg_temp is then searched first for
-- relations) and read a catalogue unqualified.  Every look-alike logs a row
-- when run; none may run while civic installs.  A control call shows the
-- traps are armed.  Everything is rolled back.
BEGIN;
SET LOCAL search_path = public;
SELECT plan(10);

-- The install script itself: no CREATE OR REPLACE, no IF NOT EXISTS (either
-- could take over an object that an attacker created first).
SELECT is((SELECT pg_catalog.pg_read_file(setting || '/extension/civic--'
                                          || (SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'civic')
                                          || '.sql')
             ~* '(create\s+or\s+replace|create\s+[a-z ]*\s+if\s+not\s+exists)'
             FROM pg_catalog.pg_config WHERE name = 'SHAREDIR'),
          false, 'the install script uses neither CREATE OR REPLACE nor CREATE ... IF NOT EXISTS');

DROP EXTENSION civic;

CREATE SCHEMA hijack;
CREATE SCHEMA hijack_log;
CREATE TABLE hijack_log.fired (what text);
CREATE FUNCTION hijack.fire(what text) RETURNS boolean
    LANGUAGE sql AS $$ INSERT INTO hijack_log.fired VALUES (what) RETURNING true $$;

-- Look-alike functions and operators, both in the caller's first schema and
-- in PostGIS's schema.  Exact argument types make them better matches than
-- pg_catalog's own for any unqualified call.
DO $$
DECLARE
    s text;
    postgis_schema text := (SELECT n.nspname FROM pg_catalog.pg_extension e
                              JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
                             WHERE e.extname = 'postgis');
BEGIN
    FOREACH s IN ARRAY ARRAY['hijack', postgis_schema] LOOP
        EXECUTE pg_catalog.format($f$
            CREATE FUNCTION %1$I.format(text, name) RETURNS text
                LANGUAGE sql AS $b$ SELECT hijack.fire('%1$s.format(text, name)')::text $b$;
            CREATE FUNCTION %1$I.format(text, text) RETURNS text
                LANGUAGE sql AS $b$ SELECT hijack.fire('%1$s.format(text, text)')::text $b$;
            CREATE FUNCTION %1$I.lower(text) RETURNS text
                LANGUAGE sql AS $b$ SELECT hijack.fire('%1$s.lower(text)')::text $b$;
            CREATE FUNCTION %1$I.upper(text) RETURNS text
                LANGUAGE sql AS $b$ SELECT hijack.fire('%1$s.upper(text)')::text $b$;
            CREATE FUNCTION %1$I.btequalimage(oid) RETURNS boolean
                LANGUAGE sql AS $b$ SELECT hijack.fire('%1$s.btequalimage(oid)') $b$;
            CREATE FUNCTION %1$I.hijack_eq(name, text) RETURNS boolean
                LANGUAGE sql AS $b$ SELECT hijack.fire('%1$s.=(name, text)') $b$;
            CREATE OPERATOR %1$I.= (LEFTARG = name, RIGHTARG = text, FUNCTION = %1$I.hijack_eq);
            CREATE FUNCTION %1$I.hijack_eq(text, text) RETURNS boolean
                LANGUAGE sql AS $b$ SELECT hijack.fire('%1$s.=(text, text)') $b$;
            CREATE OPERATOR %1$I.= (LEFTARG = text, RIGHTARG = text, FUNCTION = %1$I.hijack_eq);
            CREATE FUNCTION %1$I.hijack_eq(oid, oid) RETURNS boolean
                LANGUAGE sql AS $b$ SELECT hijack.fire('%1$s.=(oid, oid)') $b$;
            CREATE OPERATOR %1$I.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = %1$I.hijack_eq);
        $f$, s);
    END LOOP;
END
$$;

-- Temporary views shadowing the catalogues an install script may read.
DO $$
DECLARE
    c text;
BEGIN
    FOREACH c IN ARRAY ARRAY['pg_extension', 'pg_namespace', 'pg_proc', 'pg_type',
                             'pg_class', 'pg_depend', 'pg_operator', 'pg_opclass',
                             'pg_settings', 'pg_roles'] LOOP
        EXECUTE pg_catalog.format(
            'CREATE TEMP VIEW %1$I AS SELECT * FROM pg_catalog.%1$I WHERE hijack.fire(%2$L)',
            c, 'pg_temp.' || c);
    END LOOP;
END
$$;

-- The calling user puts the look-alikes first and installs civic.  Nothing
-- here may call pgTAP (which would itself reach the look-alikes): facts are
-- recorded with fully qualified SQL and checked once the look-alikes are gone.
CREATE TABLE hijack_log.facts (fact text, value text);
SET LOCAL search_path = hijack, pg_temp, pg_catalog, public;
CREATE EXTENSION civic;
INSERT INTO hijack_log.facts
SELECT 'fired during install', pg_catalog.count(*)::pg_catalog.text FROM hijack_log.fired
UNION ALL
SELECT 'fired by', pg_catalog.string_agg(what, ', ') FROM hijack_log.fired
UNION ALL
SELECT 'postcode', pg_catalog.textin(civic.postcode_out(civic.postcode(' sw1a1aa ')))
UNION ALL
SELECT 'ordered', ('E1W 1AA'::civic.postcode OPERATOR(civic.<) 'E2 0AA'::civic.postcode)::pg_catalog.text
UNION ALL
SELECT 'outside civic', pg_catalog.count(*)::pg_catalog.text
  FROM pg_catalog.pg_depend d,
       LATERAL pg_catalog.pg_identify_object(d.classid, d.objid, d.objsubid) o
 WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
   AND d.refobjid OPERATOR(pg_catalog.=) (SELECT e.oid FROM pg_catalog.pg_extension e
                                           WHERE e.extname OPERATOR(pg_catalog.=) 'civic'::pg_catalog.name)
   AND d.deptype OPERATOR(pg_catalog.=) 'e'::pg_catalog.char
   AND o.schema IS NOT NULL AND o.schema OPERATOR(pg_catalog.<>) 'civic'::pg_catalog.text
UNION ALL
SELECT 'look-alike support functions', pg_catalog.count(*)::pg_catalog.text
  FROM pg_catalog.pg_amproc a JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) a.amproc
 WHERE p.proname OPERATOR(pg_catalog.=) ANY ('{btequalimage,hijack_eq}'::pg_catalog.name[])
   AND p.pronamespace OPERATOR(pg_catalog.<>) 'pg_catalog'::pg_catalog.regnamespace;
-- Control: the traps are armed (an unqualified call from this path fires).
DO $$ BEGIN PERFORM format('%s', 'x'::name); END $$;
INSERT INTO hijack_log.facts
SELECT 'fired after a direct call', pg_catalog.count(*)::pg_catalog.text FROM hijack_log.fired;

-- Remove the look-alikes, then check.
SET LOCAL search_path = pg_catalog, public;
SET LOCAL client_min_messages = warning;
DO $$
DECLARE
    postgis_schema text := (SELECT n.nspname FROM pg_catalog.pg_extension e
                              JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
                             WHERE e.extname = 'postgis');
BEGIN
    DROP SCHEMA hijack CASCADE;
    EXECUTE pg_catalog.format($f$
        DROP FUNCTION %1$I.format(text, name), %1$I.format(text, text), %1$I.lower(text),
                      %1$I.upper(text), %1$I.btequalimage(oid);
        DROP FUNCTION %1$I.hijack_eq(name, text), %1$I.hijack_eq(text, text),
                      %1$I.hijack_eq(oid, oid) CASCADE;
    $f$, postgis_schema);
END
$$;
SELECT is_empty($$SELECT relname FROM pg_catalog.pg_class
                   WHERE relnamespace = pg_catalog.pg_my_temp_schema() AND relkind = 'v'$$,
                'the temporary look-alike views are gone (they depended on the hijack schema)');

SELECT is((SELECT value FROM hijack_log.facts WHERE fact = 'fired during install'), '0',
          'no look-alike function, operator or view ran while civic installed');
SELECT is((SELECT value FROM hijack_log.facts WHERE fact = 'fired by'), NULL,
          'the hijack log names no look-alike');
SELECT is((SELECT value FROM hijack_log.facts WHERE fact = 'postcode'), 'SW1A 1AA',
          'civic.postcode works after installing among look-alikes');
SELECT is((SELECT value FROM hijack_log.facts WHERE fact = 'ordered'), 'true',
          'civic postcode operators work after installing among look-alikes');
SELECT is((SELECT value FROM hijack_log.facts WHERE fact = 'outside civic'), '0',
          'the reinstalled extension has no object outside schema civic');
SELECT is((SELECT value FROM hijack_log.facts WHERE fact = 'look-alike support functions'), '0',
          'no operator class uses a look-alike support function');
SELECT cmp_ok((SELECT value::int FROM hijack_log.facts WHERE fact = 'fired after a direct call'), '>', 0,
              'control: the look-alikes do fire when reached, so the checks above could fail');
SELECT ok(EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'civic'),
          'extension civic is installed');

SELECT * FROM finish();
ROLLBACK;
