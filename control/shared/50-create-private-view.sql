-- Runs with the caller's rights and search_path, so that the definition is
-- read as the administrator wrote it; every name in the body is qualified.
CREATE FUNCTION civic.create_private_view(view_name pg_catalog.text, definition pg_catalog.text,
                                          VARIADIC analysts pg_catalog.regrole[])
RETURNS pg_catalog.regclass
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
AS $fn$
DECLARE
    v pg_catalog.regclass;
    a pg_catalog.regrole;
BEGIN
    IF NOT civic.is_budget_admin() THEN
        RAISE EXCEPTION 'permission denied to create private views'
            USING ERRCODE = '42501',
                  DETAIL = 'Only superusers and members of role "civic_budget_admin" create private views.';
    END IF;
    EXECUTE pg_catalog.format('CREATE VIEW %s WITH (security_barrier) AS %s',
                              (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(p), '.')
                                 FROM pg_catalog.unnest(pg_catalog.parse_ident(view_name)) AS p),
                              definition);
    v := pg_catalog.to_regclass(view_name);
    PERFORM civic.check_private_view(v, analysts);
    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', v);
    FOREACH a IN ARRAY analysts LOOP
        EXECUTE pg_catalog.format('GRANT SELECT ON %s TO %s', v, a);
    END LOOP;
    IF NOT civic.statistics_restricted() THEN
        RAISE NOTICE 'the activity and I/O statistics of this database are readable by every role'
            USING DETAIL = 'Read before and after a query on a private view, the counters of pg_stat_* views and pg_stat_get_* functions give exact row counts of its tables.',
                  HINT = 'A budget administrator runs SELECT civic.restrict_statistics(); in each database analysts can connect to.';
    END IF;
    RETURN v;
END
$fn$;
COMMENT ON FUNCTION civic.create_private_view(pg_catalog.text, pg_catalog.text, VARIADIC pg_catalog.regrole[]) IS
'create a security_barrier view owned by the caller whose columns are differentially-private aggregates, and grant SELECT on it to the analysts only; budget administrators only';
