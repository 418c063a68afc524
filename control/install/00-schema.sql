-- civic install script.  Every civic object is referenced as civic.<name> and
-- every built-in as pg_catalog.<name>; nothing relies on the caller's
-- search_path.  Schema `civic` is created by CREATE EXTENSION (control file).

\echo Use "CREATE EXTENSION civic CASCADE" to load this file. \quit

-- Lock the search path for the rest of this script: pg_catalog first (so no
-- operator or function can be shadowed), then PostGIS's own schema (PostgreSQL
-- 15 has no @extschema:postgis@, so PostGIS types and functions are found
-- here and only here), and pg_temp last so no temporary object can shadow a
-- name.
DO $install$
BEGIN
    EXECUTE pg_catalog.format(
        'SET LOCAL search_path = pg_catalog, %I, pg_temp',
        (SELECT n.nspname
           FROM pg_catalog.pg_extension e
           JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
          WHERE e.extname = 'postgis'));
END
$install$;

COMMENT ON SCHEMA civic IS 'civic: UK civic geography types, ward-boundary lookups and differential-privacy aggregates';
