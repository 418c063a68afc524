#!/usr/bin/env bash
# civic.postcode's and civic.bng's comparison and hash functions are core's
# int4/int8 functions (LANGUAGE internal) in 0.2.0, and were civic's own C
# functions in 0.1.0.  This checks that the switch is invisible to data:
# a database at 0.1.0 (which the 0.2.0 library must still serve) gets the
# same order, equality and hash values as after ALTER EXTENSION civic
# UPDATE, and its btree and hash indexes built at 0.1.0 stay valid and find
# every row (amcheck, and one hash index lookup per distinct value).  Also:
# a fresh install binds every one of those functions to the core function.
# Runs against the suite's cluster (PGHOST/PGPORT); TAP output.
set -uo pipefail
echo "1..9"
db=civic_type_support
n=0
check() { n=$((n + 1)); if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT
psql -X -q -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null

# core function bound to each civic function in 0.2.0
expected="bng_cmp btint8cmp
bng_eq int8eq
bng_ge int8ge
bng_gt int8gt
bng_hash hashint8
bng_hash_extended hashint8extended
bng_le int8le
bng_lt int8lt
bng_ne int8ne
bng_sortsupport btint8sortsupport
postcode_cmp btint4cmp
postcode_eq int4eq
postcode_ge int4ge
postcode_gt int4gt
postcode_hash hashint4
postcode_hash_extended hashint4extended
postcode_larger int4larger
postcode_le int4le
postcode_lt int4lt
postcode_ne int4ne
postcode_smaller int4smaller
postcode_sortsupport btint4sortsupport"
bindings() {
  q -F ' ' -c "SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
                WHERE p.pronamespace = 'civic'::regnamespace AND l.lanname = 'internal'
                  AND (p.proname LIKE 'postcode%' OR p.proname LIKE 'bng%') ORDER BY 1"
}

q -c 'CREATE EXTENSION civic CASCADE' >/dev/null 2>&1
[[ $(bindings) == "$expected" ]]
check $? "a fresh install binds postcode's and bng's comparison, hash, min and max functions to core's int4/int8 ones"
q -c 'DROP EXTENSION civic' -c "CREATE EXTENSION civic VERSION '0.1.0'" -c 'CREATE EXTENSION amcheck' >/dev/null 2>&1
[[ $(q -c "SELECT count(*) FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
            WHERE p.proname IN ('postcode_eq', 'bng_eq') AND l.lanname = 'c'") == 2 ]]
check $? "civic 0.1.0 installs with the 0.2.0 library, its comparisons in C"

# 0.1.0 postcodes (no territories) and points, with btree and hash indexes;
# the state of every comparison and hash, computed by 0.1.0's C functions.
q <<'SQL' >/dev/null
SET search_path = public, civic;
SELECT setseed(0.5);
CREATE TABLE pc AS
SELECT (substr('ABEHLMNPSW', 1 + (i % 10), 1) || (1 + (i / 10) % 12) || ' '
        || ((i / 120) % 10) || substr('ABDEFGHJLNPQRSTUWXYZ', 1 + (i / 1200) % 20, 1)
        || substr('ABDEFGHJLNPQRSTUWXYZ', 1 + (i / 24000) % 20, 1))::postcode AS p,
       bng(round((random() * 700000)::numeric, 3)::float8, round((random() * 1300000)::numeric, 3)::float8) AS b
  FROM (SELECT floor(random() * 50000)::int AS i FROM generate_series(1, 20000)) s;
INSERT INTO pc SELECT p, b FROM pc LIMIT 2000;      -- duplicates
CREATE TABLE pc_hash AS SELECT * FROM pc;
CREATE INDEX pc_p_btree ON pc (p);
CREATE INDEX pc_b_btree ON pc (b);
CREATE INDEX pc_p_hash ON pc_hash USING hash (p);
CREATE INDEX pc_b_hash ON pc_hash USING hash (b);
CREATE TABLE state_010 AS
SELECT (SELECT array_agg(p::text ORDER BY p) FROM pc) AS p_order,
       (SELECT array_agg(b::text ORDER BY b) FROM pc) AS b_order,
       (SELECT array_agg(DISTINCT postcode_hash(p)::text || '/' || postcode_hash_extended(p, 42)) FROM pc) AS p_hashes,
       (SELECT array_agg(DISTINCT bng_hash(b)::text || '/' || bng_hash_extended(b, 42)) FROM pc) AS b_hashes,
       (SELECT array_agg(x ORDER BY x) FROM
           (SELECT concat_ws(',', postcode_cmp(a.p, c.p), a.p < c.p, a.p <= c.p, a.p = c.p, a.p <> c.p,
                             a.p >= c.p, a.p > c.p, bng_cmp(a.b, c.b), a.b < c.b, a.b <= c.b,
                             a.b = c.b, a.b <> c.b, a.b >= c.b, a.b > c.b) AS x
              FROM (SELECT * FROM pc LIMIT 150) a, (SELECT * FROM pc ORDER BY p DESC LIMIT 150) c) s) AS cmps,
       (SELECT min(p)::text || ' ' || max(p)::text FROM pc) AS minmax;
SQL
check $? "at 0.1.0: order, comparisons, hashes, min/max and indexes of 22000 postcodes and points"

q -c 'ALTER EXTENSION civic UPDATE' >/dev/null 2>&1
[[ $(bindings) == "$expected" ]]
check $? "ALTER EXTENSION civic UPDATE rebinds them to core"

same=$(q <<'SQL'
SET search_path = public, civic;
SELECT s.p_order = (SELECT array_agg(p::text ORDER BY p) FROM pc),
       s.b_order = (SELECT array_agg(b::text ORDER BY b) FROM pc),
       s.cmps = (SELECT array_agg(x ORDER BY x) FROM
           (SELECT concat_ws(',', postcode_cmp(a.p, c.p), a.p < c.p, a.p <= c.p, a.p = c.p, a.p <> c.p,
                             a.p >= c.p, a.p > c.p, bng_cmp(a.b, c.b), a.b < c.b, a.b <= c.b,
                             a.b = c.b, a.b <> c.b, a.b >= c.b, a.b > c.b) AS x
              FROM (SELECT * FROM pc LIMIT 150) a, (SELECT * FROM pc ORDER BY p DESC LIMIT 150) c) s),
       s.minmax = (SELECT min(p)::text || ' ' || max(p)::text FROM pc)
  FROM state_010 s;
SQL
)
[[ $same == "t|t|t|t" ]]
check $? "order, every comparison operator and min/max agree before and after the upgrade ($same)"

same=$(q -c "SET search_path = public, civic" -c "
  SELECT s.p_hashes = (SELECT array_agg(DISTINCT postcode_hash(p)::text || '/' || postcode_hash_extended(p, 42)) FROM pc),
         s.b_hashes = (SELECT array_agg(DISTINCT bng_hash(b)::text || '/' || bng_hash_extended(b, 42)) FROM pc)
    FROM state_010 s")
[[ $same == "t|t" ]]
check $? "postcode and bng hash values (plain and seeded) are those of 0.1.0"

q -c "SELECT bt_index_check('pc_p_btree', true), bt_index_parent_check('pc_b_btree', true)" >/dev/null 2>&1
check $? "btree indexes built at 0.1.0 pass amcheck with 0.2.0's comparison functions"

lookups() {  # $1: column; every distinct value found through the hash index, row counts equal
  q -c "SET search_path = public, civic" -c "SET enable_seqscan = off" -c "SET enable_bitmapscan = off" \
    -c "SELECT (SELECT sum((SELECT count(*) FROM pc_hash h WHERE h.$1 = d.$1)) FROM (SELECT DISTINCT $1 FROM pc) d)
               = (SELECT count(*) FROM pc)" | tail -1
}
plan=$(q -c "SET search_path = public, civic" -c "SET enable_seqscan = off" -c "SET enable_bitmapscan = off" \
         -c "EXPLAIN SELECT * FROM pc_hash WHERE p = 'A1 0AA' UNION ALL SELECT * FROM pc_hash WHERE b = '1 1'")
[[ $plan == *"pc_p_hash"* && $plan == *"pc_b_hash"* ]]
check $? "lookups use the hash indexes built at 0.1.0"
[[ $(lookups p) == t && $(lookups b) == t ]]
check $? "hash indexes built at 0.1.0 find every row after the upgrade"
exit 0
