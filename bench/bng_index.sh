#!/usr/bin/env bash
# civic.bng's GiST index against PostGIS's geometry GiST index on the same
# points (the ~145k London postcode points of Code-Point Open 2018):
#   - index build time and size,
#   - KNN: the 10 nearest points of each of 500 query points,
#   - box: the points in a 1 km square around each query point,
#   - radius: the points within 500 m of each query point
#     (civic: p <@ circle; PostGIS: ST_DWithin).
# Times are server-side execution times (EXPLAIN (ANALYZE, TIMING OFF)),
# best of 5; ratios are PostGIS time / civic time (> 1: civic is faster).
# Usage: bash bench/bng_index.sh   (CIVIC_STAGE / CIVIC_PGPORT as for the tests)
set -euo pipefail
CIVIC_TOP=$(cd "$(dirname "$0")/.." && pwd)
export CIVIC_TOP
cd "$CIVIC_TOP"
export PATH=/usr/lib/postgresql/15/bin:$PATH
source scripts/cluster.sh
cluster_session
export PGOPTIONS='-c client_min_messages=warning'

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'DROP DATABASE IF EXISTS civic_bench_bng' -c 'CREATE DATABASE civic_bench_bng'
psql -X -q -v ON_ERROR_STOP=1 -d civic_bench_bng -v civic_data="$CIVIC_DATA" <<'SQL'
CREATE EXTENSION civic CASCADE;
SET search_path = public, civic;
SET jit = off;
CREATE TABLE cpo (postcode text, pq int, e int, n int, country text, rha text, ha text,
                  county text, district text, ward text);
\set f :civic_data '/postcodes_codepoint_open/codepoint_open_2018.3.0_london_dev.csv'
COPY cpo FROM :'f' WITH (FORMAT csv, HEADER);
CREATE TABLE pts AS
SELECT postcode, bng(e, n) AS p, ST_SetSRID(ST_MakePoint(e, n), 27700) AS g FROM cpo;
-- 500 query points spread over the data (every k-th postcode in postcode order)
CREATE TABLE q AS
SELECT p AS q, g AS qg FROM (SELECT p, g, row_number() OVER (ORDER BY postcode) AS i FROM pts) s
 WHERE i % (SELECT count(*) / 500 FROM pts) = 0 LIMIT 500;

-- Best-of-n server-side execution time of a statement, in ms.
CREATE FUNCTION exec_ms(stmt text, n int DEFAULT 5) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE best float8 := 'Infinity'; plan json; t float8;
BEGIN
    FOR i IN 1 .. n LOOP
        EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || stmt INTO plan;
        t := (plan -> 0 ->> 'Execution Time')::float8;
        best := least(best, t);
    END LOOP;
    RETURN best;
END $$;
-- Wall-clock time of a utility statement, in ms.
CREATE FUNCTION wall_ms(stmt text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
    EXECUTE stmt;
    RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;

CREATE TEMP TABLE result (what text, civic_ms float8, postgis_ms float8);
INSERT INTO result
SELECT 'index build (ms)', wall_ms('CREATE INDEX pts_p ON pts USING gist (p)'),
       wall_ms('CREATE INDEX pts_g ON pts USING gist (g)');
INSERT INTO result
SELECT 'index size (kB)', pg_relation_size('pts_p') / 1024.0, pg_relation_size('pts_g') / 1024.0;
VACUUM ANALYZE pts;
VACUUM ANALYZE q;

-- every search returns the same rows from both indexes, or the bench stops
DO $$
BEGIN
    IF (SELECT sum((SELECT count(*) FROM pts WHERE p <@ circle(point(bng_easting(q), bng_northing(q)), 500))) FROM q)
       <> (SELECT sum((SELECT count(*) FROM pts WHERE ST_DWithin(g, qg, 500))) FROM q)
    THEN RAISE EXCEPTION 'radius searches disagree'; END IF;
    IF abs((SELECT sum((SELECT sum(d) FROM (SELECT p <-> q.q AS d FROM pts ORDER BY p <-> q.q LIMIT 10) s)) FROM q)
           - (SELECT sum((SELECT sum(d) FROM (SELECT g <-> q.qg AS d FROM pts ORDER BY g <-> q.qg LIMIT 10) s)) FROM q)) > 1e-6
    THEN RAISE EXCEPTION 'KNN searches disagree'; END IF;
END $$;

INSERT INTO result
SELECT 'KNN, 10 nearest x 500 (ms)',
       exec_ms($q$SELECT sum((SELECT count(*) FROM (SELECT 1 FROM pts ORDER BY p <-> q.q LIMIT 10) s)) FROM q$q$),
       exec_ms($q$SELECT sum((SELECT count(*) FROM (SELECT 1 FROM pts ORDER BY g <-> q.qg LIMIT 10) s)) FROM q$q$);
INSERT INTO result
SELECT 'box 1 km x 500 (ms)',
       exec_ms($q$SELECT sum((SELECT count(*) FROM pts WHERE p <@ box(point(bng_easting(q) - 500, bng_northing(q) - 500),
                                                                  point(bng_easting(q) + 500, bng_northing(q) + 500)))) FROM q$q$),
       exec_ms($q$SELECT sum((SELECT count(*) FROM pts WHERE g && ST_Expand(qg, 500))) FROM q$q$);
INSERT INTO result
SELECT 'radius 500 m x 500 (ms)',
       exec_ms($q$SELECT sum((SELECT count(*) FROM pts WHERE p <@ circle(point(bng_easting(q), bng_northing(q)), 500))) FROM q$q$),
       exec_ms($q$SELECT sum((SELECT count(*) FROM pts WHERE ST_DWithin(g, qg, 500))) FROM q$q$);

\pset footer off
SELECT what, round(civic_ms::numeric, 1) AS civic_bng, round(postgis_ms::numeric, 1) AS postgis_geometry,
       round((postgis_ms / civic_ms)::numeric, 2) AS "ratio (postgis/civic)"
  FROM result;
SQL
psql -X -q -d postgres -c 'DROP DATABASE civic_bench_bng'
