-- civic install script.  Every name is schema-qualified; nothing relies on
-- search_path.  Schema `civic` is created by CREATE EXTENSION (control file).

\echo Use "CREATE EXTENSION civic CASCADE" to load this file. \quit

-- Install-time objects must not be reachable through a hijacked search_path.
SET LOCAL search_path = pg_catalog, pg_temp;

COMMENT ON SCHEMA civic IS 'civic: UK civic geography types, ward-boundary lookups and differential-privacy aggregates';
