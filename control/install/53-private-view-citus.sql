-- Privacy-safe views over Citus tables (src/pv_citus.c, docs/citus.md).
--
-- civic's planner hook replaces each reference to a privacy-safe view that
-- reads a Citus table by a call of this function, which runs the view with
-- its owner's identity, so that Citus opens its worker connections as the
-- owner; the read is metered and charged to the session user as any read of
-- the view.  Callable by everyone (the planner's calls run as the reader):
-- it checks the caller's SELECT right on the view and refuses anything but a
-- privacy-safe view.
CREATE FUNCTION civic._private_view_rows(view pg_catalog.regclass)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'civic_private_view_rows'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION civic._private_view_rows(pg_catalog.regclass) IS
'the rows of a privacy-safe view, read with its owner''s identity (how civic serves privacy-safe views over Citus tables to analysts with no rights on the shards); needs SELECT on the view and a column definition list equal to its columns; metered and charged to the session user like any read of the view';
