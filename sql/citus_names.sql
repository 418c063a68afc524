-- Names in the queries Citus sends between nodes (src/citus_names.c,
-- docs/citus.md "Names between nodes").  In a session Citus opened (known by
-- its application_name, so this runs without Citus), a query naming an
-- object that shadows one of pg_catalog's is refused (VB020) before anything
-- runs, for every class of object the check knows; the same names qualified
-- with pg_catalog, objects that shadow nothing, and other sessions are not
-- affected.
SET client_min_messages = warning;
CREATE ROLE regress_names_role;
CREATE SCHEMA names_own AUTHORIZATION regress_names_role;
SET SESSION AUTHORIZATION regress_names_role;
CREATE TABLE names_own.t (x int, s text);
INSERT INTO names_own.t VALUES (1, 'a'), (2, 'b');
CREATE FUNCTION names_own.lower(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT $1';
CREATE FUNCTION names_own.my_lower(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT $1';
CREATE AGGREGATE names_own.count(int) (sfunc = int4pl, stype = int, initcond = '0');
CREATE FUNCTION names_own.eq(int, int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR names_own.= (leftarg = int, rightarg = int, function = names_own.eq);
CREATE OPERATOR names_own.=== (leftarg = int, rightarg = int, function = names_own.eq);
CREATE TYPE names_own.numeric AS (v int);
CREATE COLLATION names_own."C" (locale = 'C');
CREATE COLLATION names_own.my_c (locale = 'C');
CREATE TABLE names_own.pg_class (x int);
CREATE TEXT SEARCH CONFIGURATION names_own.english (COPY = pg_catalog.simple);
CREATE TEXT SEARCH DICTIONARY names_own.simple (TEMPLATE = pg_catalog.simple);
SET search_path = names_own, pg_catalog;
SET application_name = 'citus_internal gpid=10000000001';
-- a function and an aggregate
SELECT lower(s) FROM t ORDER BY 1;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT names_own.count(x) FROM t;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- an operator
SELECT count(*) FROM t WHERE x OPERATOR(names_own.=) 1;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- a type (a constant's), a collation
SELECT NULL::names_own.numeric;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT s COLLATE names_own."C" FROM t ORDER BY 1;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- reg* constants: a relation, a function, a text search configuration and
-- dictionary
SELECT 'names_own.pg_class'::regclass IS NOT NULL;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT 'names_own.lower(text)'::regprocedure IS NOT NULL;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT 'names_own.english'::regconfig IS NOT NULL;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT 'names_own.simple'::regdictionary IS NOT NULL;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- allowed: pg_catalog's own, and names that shadow nothing
SELECT pg_catalog.lower(s), my_lower(s), s COLLATE names_own.my_c FROM t ORDER BY 1;
SELECT count(*) FROM t WHERE x OPERATOR(names_own.===) 1 AND x OPERATOR(pg_catalog.=) 1;
SELECT 'names_own.t'::regclass, 'names_own.my_lower(text)'::regprocedure, 'pg_catalog.english'::regconfig;
-- not a Citus session: the same queries run
RESET application_name;
SELECT lower(s) FROM t ORDER BY 1;
SELECT names_own.count(x) FROM t;
SELECT NULL::names_own.numeric IS NULL;
SELECT 'names_own.pg_class'::regclass IS NOT NULL;
RESET search_path;
RESET SESSION AUTHORIZATION;
DROP SCHEMA names_own CASCADE;
DROP ROLE regress_names_role;
