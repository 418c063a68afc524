-- civic install script.  Every civic object is referenced as civic.<name> and
-- every built-in as pg_catalog.<name>; nothing relies on the caller's
-- search_path.  Schema `civic` is created by CREATE EXTENSION (control file).

\echo Use "CREATE EXTENSION civic CASCADE" to load this file. \quit

-- @include control/shared/00-search-path.sql

COMMENT ON SCHEMA civic IS 'civic: UK civic geography types, ward-boundary lookups and differential-privacy aggregates';
