-- A text snapshot of everything civic puts in a database's catalogue, for
-- test/upgrade.sh: an upgraded install and a fresh one must print the same.
-- Each line names an object and the properties a user or the planner sees.
-- OIDs never appear (they differ between databases); objects are named.
\pset format unaligned
\pset tuples_only on
\pset pager off
SET search_path = pg_catalog;
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'civic'),
members AS (
    SELECT d.classid, d.objid, d.objsubid
      FROM pg_depend d, ext
     WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'),
lines AS (
    -- every member object, by its description
    SELECT 'member ' || pg_describe_object(classid, objid, objsubid) AS l FROM members
    UNION ALL
    -- functions and aggregates: signature, result and every label
    SELECT format('function %s returns %s kind=%s vol=%s strict=%s par=%s secdef=%s leak=%s cost=%s rows=%s config=%s lang=%s src=%s sqlbody=%s bin=%s acl=%s comment=%s',
                  p.oid::regprocedure, pg_get_function_result(p.oid), p.prokind, p.provolatile,
                  p.proisstrict, p.proparallel, p.prosecdef, p.proleakproof, p.procost, p.prorows,
                  p.proconfig, l.lanname, md5(p.prosrc), md5(pg_get_function_sqlbody(p.oid)),
                  p.probin, p.proacl, obj_description(p.oid, 'pg_proc'))
      FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
     WHERE p.pronamespace = 'civic'::regnamespace
    UNION ALL
    SELECT format('aggregate %s kind=%s trans=%s final=%s combine=%s serial=%s deserial=%s mtrans=%s stype=%s sspace=%s init=%s fextra=%s fmodify=%s sortop=%s',
                  a.aggfnoid::regprocedure, a.aggkind, a.aggtransfn, a.aggfinalfn, a.aggcombinefn,
                  a.aggserialfn, a.aggdeserialfn, a.aggmtransfn, a.aggtranstype::regtype,
                  a.aggtransspace, a.agginitval, a.aggfinalextra, a.aggfinalmodify, a.aggsortop::regoperator)
      FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
     WHERE p.pronamespace = 'civic'::regnamespace
    UNION ALL
    SELECT format('type %s len=%s byval=%s align=%s storage=%s cat=%s pref=%s in=%s out=%s recv=%s send=%s mod_in=%s analyze=%s subscript=%s elem=%s delim=%s collatable=%s comment=%s',
                  t.oid::regtype, t.typlen, t.typbyval, t.typalign, t.typstorage, t.typcategory,
                  t.typispreferred, t.typinput, t.typoutput, t.typreceive, t.typsend, t.typmodin,
                  t.typanalyze, t.typsubscript, t.typelem::regtype, t.typdelim, t.typcollation <> 0,
                  obj_description(t.oid, 'pg_type'))
      FROM pg_type t WHERE t.typnamespace = 'civic'::regnamespace
    UNION ALL
    SELECT format('operator %s returns %s code=%s com=%s neg=%s rest=%s join=%s hash=%s merge=%s comment=%s',
                  o.oid::regoperator, o.oprresult::regtype, o.oprcode, o.oprcom::regoperator,
                  o.oprnegate::regoperator, o.oprrest, o.oprjoin, o.oprcanhash, o.oprcanmerge,
                  obj_description(o.oid, 'pg_operator'))
      FROM pg_operator o WHERE o.oprnamespace = 'civic'::regnamespace
    UNION ALL
    SELECT format('cast %s -> %s func=%s context=%s method=%s comment=%s',
                  c.castsource::regtype, c.casttarget::regtype, c.castfunc::regprocedure,
                  c.castcontext, c.castmethod, obj_description(c.oid, 'pg_cast'))
      FROM pg_cast c
     WHERE c.oid IN (SELECT objid FROM members WHERE classid = 'pg_cast'::regclass)
    UNION ALL
    SELECT format('opclass %s %s type=%s default=%s family=%s keytype=%s',
                  am.amname, oc.opcname, oc.opcintype::regtype, oc.opcdefault,
                  of.opfname, oc.opckeytype::regtype)
      FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
      JOIN pg_opfamily of ON of.oid = oc.opcfamily
     WHERE oc.opcnamespace = 'civic'::regnamespace
    UNION ALL
    SELECT format('amop %s %s strategy=%s %s purpose=%s sortfamily=%s',
                  am.amname, of.opfname, ao.amopstrategy, ao.amopopr::regoperator,
                  ao.amoppurpose, ao.amopsortfamily)
      FROM pg_amop ao JOIN pg_opfamily of ON of.oid = ao.amopfamily
      JOIN pg_am am ON am.oid = of.opfmethod
     WHERE of.opfnamespace = 'civic'::regnamespace
    UNION ALL
    SELECT format('amproc %s %s %s %s support=%s %s',
                  am.amname, of.opfname, ap.amproclefttype::regtype, ap.amprocrighttype::regtype,
                  ap.amprocnum, ap.amproc::regprocedure)
      FROM pg_amproc ap JOIN pg_opfamily of ON of.oid = ap.amprocfamily
      JOIN pg_am am ON am.oid = of.opfmethod
     WHERE of.opfnamespace = 'civic'::regnamespace
    UNION ALL
    SELECT format('relation %s kind=%s persistence=%s options=%s acl=%s rls=%s comment=%s',
                  c.oid::regclass, c.relkind, c.relpersistence, c.reloptions, c.relacl,
                  c.relrowsecurity, obj_description(c.oid, 'pg_class'))
      FROM pg_class c WHERE c.relnamespace = 'civic'::regnamespace
    UNION ALL
    SELECT format('column %s.%s %s notnull=%s default=%s generated=%s identity=%s collation=%s acl=%s comment=%s',
                  c.oid::regclass, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  pg_get_expr(ad.adbin, ad.adrelid), a.attgenerated, a.attidentity,
                  a.attcollation, a.attacl, col_description(c.oid, a.attnum))
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
      LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
     WHERE c.relnamespace = 'civic'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT format('view %s %s', c.oid::regclass, pg_get_viewdef(c.oid))
      FROM pg_class c WHERE c.relnamespace = 'civic'::regnamespace AND c.relkind IN ('v', 'm')
    UNION ALL
    SELECT format('index %s', pg_get_indexdef(i.indexrelid))
      FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
     WHERE c.relnamespace = 'civic'::regnamespace
    UNION ALL
    SELECT format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
      FROM pg_constraint WHERE connamespace = 'civic'::regnamespace
    UNION ALL
    SELECT format('trigger %s', pg_get_triggerdef(t.oid))
      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     WHERE c.relnamespace = 'civic'::regnamespace AND NOT t.tgisinternal
    UNION ALL
    SELECT format('policy %s on %s', polname, polrelid::regclass)
      FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
     WHERE c.relnamespace = 'civic'::regnamespace
    UNION ALL
    SELECT format('schema civic owner-is-extension-owner=%s acl=%s comment=%s',
                  n.nspowner = e.extowner, n.nspacl, obj_description(n.oid, 'pg_namespace'))
      FROM pg_namespace n, pg_extension e
     WHERE n.nspname = 'civic' AND e.extname = 'civic'
    UNION ALL
    SELECT format('extension config %s condition=%s', cfg::regclass, cond)
      FROM pg_extension e,
           unnest(e.extconfig, e.extcondition) AS u(cfg, cond)
     WHERE e.extname = 'civic'
    UNION ALL
    SELECT format('shipped boundaries %s %s %s', level, vintage, count(*))
      FROM civic.boundary WHERE shipped GROUP BY level, vintage
)
SELECT l FROM lines ORDER BY l COLLATE "C";
