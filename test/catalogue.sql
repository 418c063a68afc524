-- Catalogue facts about the whole civic extension (generic: they cover every
-- object any part of civic adds), then specific facts about civic.postcode.
BEGIN;
-- Object names below are schema-qualified: keep civic off the search path.
SET LOCAL search_path = public;
SELECT plan(52);

-- Members of extension civic, with their identities.
CREATE TEMP VIEW civic_members AS
SELECT d.classid, d.objid, d.objsubid, o.type, o.schema, o.identity
  FROM pg_catalog.pg_depend d,
       LATERAL pg_catalog.pg_identify_object(d.classid, d.objid, d.objsubid) o
 WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
   AND d.refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'civic')
   AND d.deptype = 'e';

-- ------------------------------------------------------------------ generic
SELECT isnt_empty('SELECT 1 FROM civic_members', 'extension civic has members');

SELECT is_empty($$
    SELECT p.oid::regprocedure::text
      FROM pg_catalog.pg_proc p
     WHERE p.pronamespace = 'civic'::regnamespace
       AND NOT EXISTS (SELECT 1 FROM civic_members m
                        WHERE m.classid = 'pg_catalog.pg_proc'::regclass AND m.objid = p.oid)
$$, 'every function in schema civic belongs to extension civic');

SELECT is_empty($$
    SELECT c.oid::regclass::text
      FROM pg_catalog.pg_class c
     WHERE c.relnamespace = 'civic'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p', 'f', 'S')
       AND NOT EXISTS (SELECT 1 FROM civic_members m
                        WHERE m.classid = 'pg_catalog.pg_class'::regclass AND m.objid = c.oid)
$$, 'every table, view and sequence in schema civic belongs to extension civic');

SELECT is_empty($$
    SELECT type || ' ' || identity FROM civic_members
     WHERE schema IS DISTINCT FROM 'civic' AND type NOT IN ('cast')
$$, 'every object of extension civic is in schema civic');

SELECT is_empty($$
    SELECT m.identity
      FROM civic_members m JOIN pg_catalog.pg_cast c ON c.oid = m.objid
     WHERE m.type = 'cast'
       AND (SELECT typnamespace FROM pg_catalog.pg_type WHERE oid = c.castsource) <> 'civic'::regnamespace
       AND (SELECT typnamespace FROM pg_catalog.pg_type WHERE oid = c.casttarget) <> 'civic'::regnamespace
$$, 'every cast of extension civic involves a civic type');

SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
     WHERE p.pronamespace = 'civic'::regnamespace AND p.proleakproof
$$, 'no function in schema civic is LEAKPROOF');

SELECT is_empty($$
    SELECT type || ' ' || identity
      FROM civic_members m
     WHERE m.type IN ('function', 'aggregate', 'procedure', 'type', 'domain', 'operator',
                      'operator class', 'operator family', 'table', 'view', 'materialized view',
                      'foreign table', 'cast')
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_description d
                        WHERE d.classoid = m.classid AND d.objoid = m.objid AND d.objsubid = 0)
$$, 'every function, type, operator, aggregate, operator class and family, cast, table and view of civic has a comment');

SELECT is_empty($$
    SELECT c.opcname || ' USING ' || a.amname
      FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_am a ON a.oid = c.opcmethod
     WHERE c.opcnamespace = 'civic'::regnamespace
       AND CASE WHEN c.opcnamespace = 'civic'::regnamespace THEN NOT pg_catalog.amvalidate(c.oid) END
$$, 'every operator class in schema civic passes amvalidate()');

SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
     WHERE p.pronamespace = 'civic'::regnamespace
       AND p.prolang IN (SELECT oid FROM pg_catalog.pg_language WHERE lanname IN ('c', 'internal'))
       AND p.provolatile = 'i' AND p.proparallel <> 's'
$$, 'every IMMUTABLE C or internal function in schema civic is PARALLEL SAFE');

SELECT is_empty($$
    SELECT o.oid::regoperator::text FROM pg_catalog.pg_operator o
     WHERE o.oprnamespace = 'civic'::regnamespace
       AND o.oprresult = 'pg_catalog.bool'::regtype AND o.oprname IN ('=', '<>', '<', '<=', '>', '>=')
       AND (o.oprcom = 0 OR o.oprnegate = 0 OR o.oprrest = 0 OR o.oprjoin = 0)
$$, 'every comparison operator in schema civic has a commutator, negator and selectivity estimators');

-- ------------------------------------------------------------------ gsscode
SELECT results_eq(
    $$SELECT typlen::int, typbyval, typalign::text FROM pg_catalog.pg_type WHERE oid = 'civic.gsscode'::regtype$$,
    $$VALUES (8, true, 'd')$$,
    'civic.gsscode is fixed-width (8 bytes), pass-by-value');
SELECT is_empty($$
    SELECT p.oid::regprocedure::text
      FROM pg_catalog.pg_proc p
     WHERE p.pronamespace = 'civic'::regnamespace
       AND (p.proname LIKE 'gsscode%' OR p.proname LIKE 'gss\_%' OR p.proname = 'is_valid_gsscode')
       AND NOT (p.provolatile = 'i' AND p.proisstrict AND p.proparallel = 's')
$$, 'every gsscode function is IMMUTABLE, STRICT and PARALLEL SAFE');
SELECT results_eq($$
    SELECT castcontext::text FROM pg_catalog.pg_cast
     WHERE (castsource, casttarget) IN (('text'::regtype, 'civic.gsscode'::regtype),
                                        ('civic.gsscode'::regtype, 'text'::regtype))
$$, $$ VALUES ('a'), ('a') $$, 'gsscode casts to and from text are assignment casts');
SELECT ok((SELECT count(*) FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_am a ON a.oid = c.opcmethod
            WHERE c.opcintype = 'civic.gsscode'::regtype AND c.opcdefault AND a.amname IN ('btree', 'hash')) = 2,
          'gsscode has default btree and hash operator classes');
SELECT results_eq($$
    SELECT amprocnum::int, amproc::text FROM pg_catalog.pg_amproc
     WHERE amprocfamily = (SELECT opcfamily FROM pg_catalog.pg_opclass
                            WHERE opcname = 'gsscode_ops' AND opcnamespace = 'civic'::regnamespace)
     ORDER BY 1
$$, $$
    VALUES (1, 'civic.gsscode_cmp'), (2, 'civic.gsscode_sortsupport'), (4, 'btequalimage')
$$, 'btree gsscode_ops has comparison, sort support and equal-image (deduplication) functions');

-- ------------------------------------------------------------------ postcode
SELECT has_type('civic', 'postcode', 'type civic.postcode exists');
SELECT results_eq(
    $$SELECT typlen::int, typbyval, typalign::text FROM pg_catalog.pg_type WHERE oid = 'civic.postcode'::regtype$$,
    $$VALUES (4, true, 'i')$$,
    'civic.postcode is fixed-width (4 bytes), pass-by-value, int4-aligned');
SELECT ok((SELECT typsend <> 0 AND typreceive <> 0 FROM pg_catalog.pg_type WHERE oid = 'civic.postcode'::regtype),
          'civic.postcode has binary send and receive functions');

-- The user-facing functions: IMMUTABLE, STRICT, PARALLEL SAFE.
SELECT volatility_is('civic', 'postcode_area', ARRAY['civic.postcode'], 'immutable', 'postcode_area is IMMUTABLE');
SELECT is_strict('civic', 'postcode_area', ARRAY['civic.postcode'], 'postcode_area is STRICT');
SELECT volatility_is('civic', 'postcode_district', ARRAY['civic.postcode'], 'immutable', 'postcode_district is IMMUTABLE');
SELECT is_strict('civic', 'postcode_district', ARRAY['civic.postcode'], 'postcode_district is STRICT');
SELECT volatility_is('civic', 'postcode_sector', ARRAY['civic.postcode'], 'immutable', 'postcode_sector is IMMUTABLE');
SELECT is_strict('civic', 'postcode_sector', ARRAY['civic.postcode'], 'postcode_sector is STRICT');
SELECT volatility_is('civic', 'postcode_outward', ARRAY['civic.postcode'], 'immutable', 'postcode_outward is IMMUTABLE');
SELECT is_strict('civic', 'postcode_outward', ARRAY['civic.postcode'], 'postcode_outward is STRICT');
SELECT volatility_is('civic', 'postcode_inward', ARRAY['civic.postcode'], 'immutable', 'postcode_inward is IMMUTABLE');
SELECT is_strict('civic', 'postcode_inward', ARRAY['civic.postcode'], 'postcode_inward is STRICT');
SELECT volatility_is('civic', 'is_valid_postcode', ARRAY['text'], 'immutable', 'is_valid_postcode is IMMUTABLE');
SELECT is_strict('civic', 'is_valid_postcode', ARRAY['text'], 'is_valid_postcode is STRICT');
SELECT function_returns('civic', 'is_valid_postcode', ARRAY['text'], 'boolean', 'is_valid_postcode returns boolean');
SELECT volatility_is('civic', 'postcode', ARRAY['text'], 'immutable', 'postcode(text) is IMMUTABLE');
SELECT is_strict('civic', 'postcode', ARRAY['text'], 'postcode(text) is STRICT');
SELECT results_eq($$
    SELECT p.proname::text COLLATE "default", p.proparallel::text, p.provolatile::text, p.proisstrict
      FROM pg_catalog.pg_proc p
     WHERE p.pronamespace = 'civic'::regnamespace
       AND (p.proname LIKE 'postcode%' OR p.proname = 'is_valid_postcode')
       -- the postcode directory's lookups read a table (checked below)
       AND p.proname NOT IN ('postcode_location', 'postcode_estimate', 'postcodes_in',
                             'postcode_directory_invalidate')
     ORDER BY 1
$$, $$
    SELECT f, 's', 'i', true
      FROM unnest(ARRAY['is_valid_postcode', 'postcode', 'postcode_area', 'postcode_cmp',
                        'postcode_district', 'postcode_eq', 'postcode_ge', 'postcode_gt',
                        'postcode_hash', 'postcode_hash_extended', 'postcode_in',
                        'postcode_inward', 'postcode_larger', 'postcode_le', 'postcode_lt',
                        'postcode_matches', 'postcode_matches_support', 'postcode_ne',
                        'postcode_out', 'postcode_outward', 'postcode_recv', 'postcode_sector',
                        'postcode_send', 'postcode_smaller', 'postcode_sortsupport', 'postcode_text']) f
     ORDER BY 1
$$, 'every postcode function is PARALLEL SAFE, IMMUTABLE and STRICT');
SELECT results_eq($$
    SELECT p.proname::text COLLATE "default", p.proparallel::text, p.provolatile::text, p.proisstrict
      FROM pg_catalog.pg_proc p
     WHERE p.pronamespace = 'civic'::regnamespace
       AND (p.proname IN ('postcode_location', 'postcode_estimate', 'postcodes_in', 'postcode_directory_invalidate')
            OR p.oid IN (SELECT oid FROM pg_catalog.pg_proc WHERE proname IN ('ward_of', 'borough_of', 'area_of')
                          AND proargtypes[0] = 'civic.postcode'::regtype))
     ORDER BY 1
$$, $$
    VALUES ('area_of', 's', 's', false), ('borough_of', 's', 's', false),
           ('postcode_directory_invalidate', 'u', 'v', true), ('postcode_estimate', 's', 's', true),
           ('postcode_location', 's', 's', false), ('postcodes_in', 's', 's', true), ('ward_of', 's', 's', false)
$$, 'the postcode directory''s lookups are STABLE and PARALLEL SAFE (its trigger VOLATILE, PARALLEL UNSAFE)');

-- Operators, operator classes and casts.
SELECT has_operator('civic.postcode', 'civic', '=', 'civic.postcode', 'boolean', 'postcode = postcode');
SELECT has_operator('civic.postcode', 'civic', '<>', 'civic.postcode', 'boolean', 'postcode <> postcode');
SELECT has_operator('civic.postcode', 'civic', '<', 'civic.postcode', 'boolean', 'postcode < postcode');
SELECT has_operator('civic.postcode', 'civic', '<=', 'civic.postcode', 'boolean', 'postcode <= postcode');
SELECT has_operator('civic.postcode', 'civic', '>', 'civic.postcode', 'boolean', 'postcode > postcode');
SELECT has_operator('civic.postcode', 'civic', '>=', 'civic.postcode', 'boolean', 'postcode >= postcode');
SELECT results_eq($$
    SELECT oprcanmerge, oprcanhash, oprcom::regoperator::text, oprnegate::regoperator::text,
           oprrest::text, oprjoin::text
      FROM pg_catalog.pg_operator
     WHERE oid = 'civic.=(civic.postcode, civic.postcode)'::regoperator
$$, $$
    VALUES (true, true, 'civic.=(civic.postcode,civic.postcode)', 'civic.<>(civic.postcode,civic.postcode)',
            'eqsel', 'eqjoinsel')
$$, 'postcode = is mergeable and hashable, its own commutator, negated by <>, with eqsel/eqjoinsel');
SELECT results_eq($$
    SELECT a.amname::text COLLATE "default", c.opcname::text COLLATE "default", c.opcdefault
      FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_am a ON a.oid = c.opcmethod
     WHERE c.opcintype = 'civic.postcode'::regtype ORDER BY 1
$$, $$
    VALUES ('btree', 'postcode_ops', true), ('hash', 'postcode_hash_ops', true)
$$, 'postcode has default btree and hash operator classes');
SELECT ok(pg_catalog.amvalidate((SELECT oid FROM pg_catalog.pg_opclass WHERE opcname = 'postcode_ops'
                                   AND opcnamespace = 'civic'::regnamespace)),
          'btree postcode_ops is valid');
SELECT ok(pg_catalog.amvalidate((SELECT oid FROM pg_catalog.pg_opclass WHERE opcname = 'postcode_hash_ops'
                                   AND opcnamespace = 'civic'::regnamespace)),
          'hash postcode_hash_ops is valid');
SELECT results_eq($$
    SELECT amprocnum::int, amproc::text FROM pg_catalog.pg_amproc
     WHERE amprocfamily = (SELECT opcfamily FROM pg_catalog.pg_opclass
                            WHERE opcname = 'postcode_ops' AND opcnamespace = 'civic'::regnamespace)
     ORDER BY 1
$$, $$
    VALUES (1, 'civic.postcode_cmp'), (2, 'civic.postcode_sortsupport'), (4, 'btequalimage')
$$, 'btree postcode_ops has comparison, sort support and equal-image (deduplication) functions');
SELECT has_cast('text', 'civic.postcode', 'civic', 'postcode', 'cast text -> postcode');
SELECT has_cast('civic.postcode', 'text', 'civic', 'postcode_text', 'cast postcode -> text');
SELECT results_eq($$
    SELECT castcontext::text FROM pg_catalog.pg_cast
     WHERE (castsource, casttarget) IN (('text'::regtype, 'civic.postcode'::regtype),
                                        ('civic.postcode'::regtype, 'text'::regtype))
$$, $$ VALUES ('a'), ('a') $$, 'postcode casts to and from text are assignment casts');
SELECT is_empty($$
    SELECT c.oid FROM pg_catalog.pg_cast c
     WHERE 'civic.postcode'::regtype IN (c.castsource, c.casttarget)
       AND pg_catalog.obj_description(c.oid, 'pg_cast') IS NULL
$$, 'the postcode casts have comments');
SELECT throws_ok($$SELECT 'SW1A 1AI'::civic.postcode$$, '22P02',
                 'invalid input syntax for type postcode: "SW1A 1AI"',
                 'bad postcode input raises 22P02 with the standard message');
SELECT lives_ok($$SELECT civic.is_valid_postcode(x) FROM unnest(ARRAY['', 'SW1A 1AI', 'x', '🙂']) x$$,
                'is_valid_postcode does not raise on bad input');

SELECT * FROM finish();
ROLLBACK;
