#!/usr/bin/env bash
# The per-row cost of civic.postcode's and civic.bng's comparison and hash
# functions, against the plain int4 and int8 columns they are stored as:
# a range filter (<, >=), a hash aggregate (hash, =) and a hash self-join
# (hash, =) over 1M rows, on one core (no parallel workers, no JIT).  Times
# are server-side execution times (EXPLAIN (ANALYZE, TIMING OFF)), best of
# CIVIC_BENCH_REPEAT (default 5); ratio = civic type / plain integer.
#
#   CIVIC_STAGE=/tmp/stage CIVIC_PGPORT=54330 bash bench/type_support.sh
set -euo pipefail
CIVIC_TOP=$(cd "$(dirname "$0")/.." && pwd)
export CIVIC_TOP
cd "$CIVIC_TOP"
export PATH=/usr/lib/postgresql/15/bin:$PATH
source scripts/cluster.sh
cluster_session

N=${CIVIC_BENCH_ROWS:-1000000}
REPEAT=${CIVIC_BENCH_REPEAT:-5}
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'DROP DATABASE IF EXISTS civic_bench_types' -c 'CREATE DATABASE civic_bench_types'
psql -X -q -v ON_ERROR_STOP=1 -d civic_bench_types -v n="$N" -v repeat="$REPEAT" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION civic CASCADE;
SET search_path = public, civic;
SET jit = off;
SET max_parallel_workers_per_gather = 0;
SET work_mem = '256MB';
SELECT setseed(0.17) \gset
-- postcodes of 120 districts (about 7 rows per postcode, as an address
-- table), points anywhere on the grid; the integer columns hold values of
-- the same spread.
CREATE TABLE t AS
SELECT pc::postcode AS p, hashtext(pc) AS pi,
       bng(round(random() * 700000), round(random() * 1300000)) AS b,
       (random() * 1e15)::int8 AS bi
  FROM (SELECT (ARRAY['E','N','SE','SW','W','NW','EC'])[1 + (i % 7)] || (1 + (i / 7) % 17)
               || ' ' || ((i / 119) % 10) || substr('ABDEFGHJLNPQRSTUWXYZ', 1 + (i / 1190) % 20, 1)
               || substr('ABDEFGHJLNPQRSTUWXYZ', 1 + (i / 23800) % 20, 1) AS pc
          FROM (SELECT floor(random() * 142800)::int AS i FROM generate_series(1, :n)) r) s;
VACUUM ANALYZE t;

CREATE FUNCTION best_ms(q text, repeat int) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE best numeric; plan json;
BEGIN
    FOR i IN 1..repeat LOOP
        EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || q INTO plan;
        best := least(best, (plan -> 0 ->> 'Execution Time')::numeric);
    END LOOP;
    RETURN round(best, 1);
END $$;

CREATE TEMP TABLE report (measure text, civic numeric, plain numeric);
INSERT INTO report VALUES
 ('postcode: range filter (<, >=)',
  best_ms($$SELECT count(*) FROM t WHERE p >= 'N1 1AA' AND p < 'SW1 1AA'$$, :repeat),
  best_ms($$SELECT count(*) FROM t WHERE pi >= -1000000000 AND pi < 1000000000$$, :repeat)),
 ('postcode: hash aggregate (hash, =)',
  best_ms($$SELECT count(*) FROM (SELECT p FROM t GROUP BY p) s$$, :repeat),
  best_ms($$SELECT count(*) FROM (SELECT pi FROM t GROUP BY pi) s$$, :repeat)),
 ('postcode: hash join (hash, =)',
  best_ms($$SELECT count(*) FROM (SELECT DISTINCT p FROM t) a JOIN t b USING (p)$$, :repeat),
  best_ms($$SELECT count(*) FROM (SELECT DISTINCT pi FROM t) a JOIN t b USING (pi)$$, :repeat)),
 ('bng: range filter (<, >=)',
  best_ms($$SELECT count(*) FROM t WHERE b >= '100000 0' AND b < '500000 0'$$, :repeat),
  best_ms($$SELECT count(*) FROM t WHERE bi >= 100000000000000 AND bi < 500000000000000$$, :repeat)),
 ('bng: hash aggregate (hash, =)',
  best_ms($$SELECT count(*) FROM (SELECT b FROM t GROUP BY b) s$$, :repeat),
  best_ms($$SELECT count(*) FROM (SELECT bi FROM t GROUP BY bi) s$$, :repeat)),
 ('bng: hash join (hash, =)',
  best_ms($$SELECT count(*) FROM t a JOIN t b2 ON a.b = b2.b$$, :repeat),
  best_ms($$SELECT count(*) FROM t a JOIN t b2 ON a.bi = b2.bi$$, :repeat));
\pset footer off
SELECT measure, civic AS "civic type ms", plain AS "integer ms",
       round(civic / plain, 3) AS "civic/integer" FROM report;
SQL
psql -X -q -d postgres -c 'DROP DATABASE civic_bench_types'
