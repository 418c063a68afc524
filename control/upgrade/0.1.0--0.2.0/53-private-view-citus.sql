-- 0.1.0 -> 0.2.0: privacy-safe views over Citus tables
-- (control/install/53-private-view-citus.sql, src/pv_citus.c).
CREATE FUNCTION civic._private_view_rows(view pg_catalog.regclass)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'civic_private_view_rows'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION civic._private_view_rows(pg_catalog.regclass) IS
'the rows of a privacy-safe view, read with its owner''s identity (how civic serves privacy-safe views over Citus tables to analysts with no rights on the shards); needs SELECT on the view and a column definition list equal to its columns; metered and charged to the session user like any read of the view';
