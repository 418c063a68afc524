-- 0.1.0 -> 0.2.0: privacy-safe views (control/install/50-budget.sql,
-- control/install/51-private-view.sql).
--
-- civic.check_private_view keeps its C symbol and signature; its check is
-- stricter (docs/budget.md) and its comment says so.  Views created with
-- 0.1.0 are re-checked whenever an analyst reads them: one that breaks a
-- new rule (most often, a key table without a unique key on its GROUP BY
-- columns) is refused with a message naming the rule until the DBA fixes it.
COMMENT ON FUNCTION civic.check_private_view(pg_catalog.regclass, pg_catalog.regrole[]) IS
'raise an error unless a view is privacy-safe for the analysts: a security_barrier view of differentially-private aggregates whose rows are exactly the rows of a public key table with a unique key on its GROUP BY columns, reading no table an analyst can change (docs/budget.md lists the rules)';

-- create_private_view warns while the statistics are readable by everyone.
-- Runs with the caller's rights and search_path, so that the definition is
-- read as the administrator wrote it; every name in the body is qualified.
CREATE OR REPLACE FUNCTION civic.create_private_view(view_name pg_catalog.text, definition pg_catalog.text,
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

-- Privacy-safe views: the activity and I/O statistics.
--
-- PostgreSQL lets every role read the activity and I/O counters of every
-- table (pg_stat_user_tables, pg_stat_xact_user_tables, pg_statio_*, the
-- pg_stat_get_* functions behind them).  Read before and after one read of a
-- private view, they give exact row counts of the private table for free.
-- civic.restrict_statistics() takes them from PUBLIC (and any other role)
-- and gives them to pg_monitor and civic_budget_admin, in this database.

CREATE FUNCTION civic.statistics_grants(OUT object pg_catalog.text,
                                        OUT privilege pg_catalog.text,
                                        OUT grantee pg_catalog.text)
RETURNS SETOF record
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    WITH pgss AS (
        SELECT d.classid, d.objid
          FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
         WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
           AND d.deptype = 'e' AND e.extname = 'pg_stat_statements'),
    objects AS (
        SELECT 'function ' OPERATOR(pg_catalog.||) p.oid::pg_catalog.regprocedure::pg_catalog.text AS object,
               'EXECUTE' AS privilege,
               COALESCE(p.proacl, pg_catalog.acldefault('f', p.proowner)) AS acl, p.proowner AS owner
          FROM pg_catalog.pg_proc p
         WHERE (p.pronamespace = 'pg_catalog'::pg_catalog.regnamespace
                AND p.proname OPERATOR(pg_catalog.~~) 'pg\_stat\_get\_%')
            OR (p.proname OPERATOR(pg_catalog.=) ANY (ARRAY['pg_stat_statements', 'pg_stat_statements_info']::pg_catalog.name[])
                AND (p.tableoid, p.oid) IN (SELECT classid, objid FROM pgss))
        UNION ALL
        SELECT 'view ' OPERATOR(pg_catalog.||) c.oid::pg_catalog.regclass::pg_catalog.text,
               'SELECT',
               COALESCE(c.relacl, pg_catalog.acldefault('r', c.relowner)), c.relowner
          FROM pg_catalog.pg_class c
         WHERE c.relkind OPERATOR(pg_catalog.=) 'v'
           AND ((c.relnamespace = 'pg_catalog'::pg_catalog.regnamespace
                 AND (c.relname OPERATOR(pg_catalog.~~) 'pg\_stat\_%'
                      OR c.relname OPERATOR(pg_catalog.~~) 'pg\_statio\_%'))
                OR (c.relname OPERATOR(pg_catalog.=) ANY (ARRAY['pg_stat_statements', 'pg_stat_statements_info']::pg_catalog.name[])
                    AND (c.tableoid, c.oid) IN (SELECT classid, objid FROM pgss))))
    SELECT o.object, o.privilege,
           CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                ELSE a.grantee::pg_catalog.regrole::pg_catalog.text END
      FROM objects o, pg_catalog.aclexplode(o.acl) a
     WHERE a.privilege_type OPERATOR(pg_catalog.=) o.privilege
       AND a.grantee OPERATOR(pg_catalog.<>) o.owner
     ORDER BY 1, 3
$fn$;
COMMENT ON FUNCTION civic.statistics_grants() IS
'who besides the owner may read each activity or I/O statistics view or function of this database (pg_stat_*, pg_statio_*, pg_stat_get_*, pg_stat_statements): one row per object and grantee';

CREATE FUNCTION civic.statistics_restricted()
RETURNS pg_catalog.bool
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT NOT EXISTS (
        SELECT FROM civic.statistics_grants() g
         WHERE g.grantee OPERATOR(pg_catalog.<>) ALL (ARRAY['pg_monitor', 'civic_budget_admin']))
$fn$;
COMMENT ON FUNCTION civic.statistics_restricted() IS
'whether only pg_monitor and civic_budget_admin (and superusers and owners) may read the activity and I/O statistics of this database, as civic.restrict_statistics() leaves them';

-- Runs as the extension's owner (a superuser: civic is not a trusted
-- extension), because only a superuser may change the privileges of
-- PostgreSQL's own catalogue objects; EXECUTE is granted to budget
-- administrators only.
CREATE FUNCTION civic.restrict_statistics(OUT object pg_catalog.text,
                                          OUT privilege pg_catalog.text,
                                          OUT change pg_catalog.text)
RETURNS SETOF record
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    g record;
    target pg_catalog.text;
    r pg_catalog.text;
    grants pg_catalog.text[];
BEGIN
    IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) current_user) THEN
        RAISE EXCEPTION 'civic.restrict_statistics() needs extension civic to be owned by a superuser'
            USING ERRCODE = '42501';
    END IF;
    grants := ARRAY(SELECT s.object OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) s.grantee
                      FROM civic.statistics_grants() s);
    FOR g IN SELECT * FROM civic.statistics_grants() s
              WHERE s.grantee OPERATOR(pg_catalog.<>) ALL (ARRAY['pg_monitor', 'civic_budget_admin'])
    LOOP
        target := pg_catalog.regexp_replace(g.object, '^view ', 'TABLE ');
        IF g.grantee OPERATOR(pg_catalog.=) 'PUBLIC' THEN
            -- first give it to those who keep it, then take it from everyone
            FOREACH r IN ARRAY ARRAY['civic_budget_admin', 'pg_monitor'] LOOP
                IF NOT g.object OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) r
                       OPERATOR(pg_catalog.=) ANY (grants) THEN
                    EXECUTE pg_catalog.format('GRANT %s ON %s TO %I', g.privilege, target, r);
                    object := g.object; privilege := g.privilege;
                    change := 'granted to ' OPERATOR(pg_catalog.||) r;
                    RETURN NEXT;
                END IF;
            END LOOP;
        END IF;
        EXECUTE pg_catalog.format('REVOKE %s ON %s FROM %s', g.privilege, target, g.grantee);
        object := g.object; privilege := g.privilege;
        change := 'revoked from ' OPERATOR(pg_catalog.||) g.grantee;
        RETURN NEXT;
    END LOOP;
END
$fn$;
REVOKE ALL ON FUNCTION civic.restrict_statistics() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION civic.restrict_statistics() TO civic_budget_admin;
COMMENT ON FUNCTION civic.restrict_statistics() IS
'make the activity and I/O statistics of this database (pg_stat_*, pg_statio_* and pg_stat_statements views, pg_stat_get_* functions) readable only by pg_monitor and civic_budget_admin; returns what it changed, nothing when called again; budget administrators only';

CREATE FUNCTION civic.unrestrict_statistics(OUT object pg_catalog.text,
                                            OUT privilege pg_catalog.text,
                                            OUT change pg_catalog.text)
RETURNS SETOF record
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    g record;
    target pg_catalog.text;
    r pg_catalog.text;
    grants pg_catalog.text[];
BEGIN
    IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) current_user) THEN
        RAISE EXCEPTION 'civic.unrestrict_statistics() needs extension civic to be owned by a superuser'
            USING ERRCODE = '42501';
    END IF;
    grants := ARRAY(SELECT s.object OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) s.grantee
                      FROM civic.statistics_grants() s);
    -- the objects restrict_statistics() gave to civic_budget_admin
    FOR g IN SELECT * FROM civic.statistics_grants() s
              WHERE s.grantee OPERATOR(pg_catalog.=) 'civic_budget_admin'
    LOOP
        target := pg_catalog.regexp_replace(g.object, '^view ', 'TABLE ');
        EXECUTE pg_catalog.format('GRANT %s ON %s TO PUBLIC', g.privilege, target);
        object := g.object; privilege := g.privilege; change := 'granted to PUBLIC';
        RETURN NEXT;
        FOREACH r IN ARRAY ARRAY['civic_budget_admin', 'pg_monitor'] LOOP
            IF g.object OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) r
                   OPERATOR(pg_catalog.=) ANY (grants) THEN
                EXECUTE pg_catalog.format('REVOKE %s ON %s FROM %I', g.privilege, target, r);
                change := 'revoked from ' OPERATOR(pg_catalog.||) r;
                RETURN NEXT;
            END IF;
        END LOOP;
    END LOOP;
END
$fn$;
REVOKE ALL ON FUNCTION civic.unrestrict_statistics() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION civic.unrestrict_statistics() TO civic_budget_admin;
COMMENT ON FUNCTION civic.unrestrict_statistics() IS
'undo civic.restrict_statistics(): every role may read the activity and I/O statistics of this database again, as PostgreSQL ships them; returns what it changed; budget administrators only';
