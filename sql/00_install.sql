-- civic installs with its dependencies, into schema civic.  pg_regress has
-- already loaded postgis and civic (REGRESS_OPTS --load-extension, so that
-- every test file can run alone); this file tests the install itself.
SET client_min_messages = warning;
DROP EXTENSION civic;
DROP EXTENSION postgis;
RESET client_min_messages;
CREATE EXTENSION civic CASCADE;
SELECT extname, extversion, n.nspname AS schema, extrelocatable
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE extname IN ('civic', 'postgis') ORDER BY extname;
-- civic's operators live in schema civic: a database that uses civic puts the
-- schema on its search_path, as the README asks DBAs to do.  (Each later test
-- file runs in a new session and picks this up.)
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET search_path = "$user", public, civic',
                   current_database());
END $$;
