-- Lock the search path for the rest of the script (the install script, or
-- an upgrade script): pg_catalog first (so no operator or function can be
-- shadowed), then PostGIS's own schema (PostgreSQL 15 has no
-- @extschema:postgis@, so PostGIS types and functions are found here and
-- only here), and pg_temp last so no temporary object can shadow a name.
DO $searchpath$
BEGIN
    EXECUTE pg_catalog.format(
        'SET LOCAL search_path = pg_catalog, %I, pg_temp',
        (SELECT n.nspname
           FROM pg_catalog.pg_extension e
           JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
          WHERE e.extname = 'postgis'));
END
$searchpath$;
