-- civic installs with its dependencies, into schema civic.
CREATE EXTENSION civic CASCADE;
SELECT extname, extversion, n.nspname AS schema, extrelocatable
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE extname IN ('civic', 'postgis') ORDER BY extname;
