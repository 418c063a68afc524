#!/usr/bin/env bash
# Benchmark: civic.postcode against text for 1M real-shaped London postcodes.
#
# Builds and installs civic, starts a throwaway cluster, loads the OS
# Code-Point Open postcodes (three releases, ~157k distinct) and derives 1M
# real-shaped postcodes from them: every real one, plus other postcodes of
# the same real districts (any sector digit, valid unit letters).  Two tables hold the same rows in the same (shuffled) order,
# one as civic.postcode and one as text (canonical "SW1A 1AA" form).  Prints
# the btree index sizes, and the time of ORDER BY (EXPLAIN (ANALYZE, TIMING
# OFF) execution time, best of 5) on the server, with postcode/text ratios.
# Two data sets: 1M distinct postcodes (a postcode directory) and 1M rows
# drawn with replacement from the real postcodes (an address table, about
# 7 rows per postcode, where btree deduplication matters).
#
#   CIVIC_PGPORT=54330 bash bench/postcode.sh
set -euo pipefail
CIVIC_TOP=$(cd "$(dirname "$0")/.." && pwd)
export CIVIC_TOP
cd "$CIVIC_TOP"
export PATH=/usr/lib/postgresql/15/bin:$PATH
source scripts/cluster.sh
cluster_session

N=${CIVIC_BENCH_ROWS:-1000000}
REPEAT=${CIVIC_BENCH_REPEAT:-5}
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'DROP DATABASE IF EXISTS civic_bench' -c 'CREATE DATABASE civic_bench'
psql -X -q -v ON_ERROR_STOP=1 -d civic_bench \
     -v n="$N" -v repeat="$REPEAT" -v civic_data="$CIVIC_DATA" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION civic CASCADE;
SET work_mem = '512MB';
SET maintenance_work_mem = '512MB';
SET max_parallel_workers_per_gather = 0;
SET max_parallel_maintenance_workers = 0;
-- Sorts, not index scans, are timed.
SET enable_indexscan = off;
SET enable_indexonlyscan = off;
SET enable_bitmapscan = off;
SELECT setseed(0.42) \gset

-- Real postcodes, normalised, distinct.
CREATE TABLE raw (postcode text, pqi int, e int, n int, c1 text, c2 text, c3 text, c4 text, c5 text, c6 text);
\set f :civic_data '/postcodes_codepoint_open/codepoint_open_2014.3.0_london_dev.csv'
COPY raw FROM :'f' WITH (FORMAT csv, HEADER);
\set f :civic_data '/postcodes_codepoint_open/codepoint_open_2018.3.0_london_dev.csv'
COPY raw FROM :'f' WITH (FORMAT csv, HEADER);
\set f :civic_data '/postcodes_codepoint_open/codepoint_open_2024.1.0_london_dev.csv'
COPY raw FROM :'f' WITH (FORMAT csv, HEADER);
CREATE TABLE real_pc AS
SELECT DISTINCT civic.postcode(postcode)::text AS t FROM raw;
ALTER TABLE real_pc ADD COLUMN id serial;

-- 1M distinct real-shaped postcodes: every real one, then a random choice
-- of the other postcodes of real London districts (any sector digit, any
-- valid unit letters).  London has ~300 districts, so ~1.2M candidates.
CREATE TABLE districts AS
SELECT DISTINCT split_part(t, ' ', 1) AS outward FROM real_pc;
CREATE TABLE distinct_pc AS
SELECT t FROM (
    SELECT t, 0 AS k FROM real_pc
    UNION ALL
    SELECT c, 1 FROM (
        SELECT d.outward || ' ' || s || substr(u, u1, 1) || substr(u, u2, 1) AS c
          FROM districts d, generate_series(0, 9) s, generate_series(1, 20) u1,
               generate_series(1, 20) u2, (VALUES ('ABDEFGHJLNPQRSTUWXYZ')) l(u)
    ) x WHERE c NOT IN (SELECT t FROM real_pc)
) v
ORDER BY k, random() LIMIT :n;
-- 1M rows drawn with replacement from the real postcodes.
CREATE TABLE sampled_pc AS
SELECT r.t
  FROM (SELECT 1 + floor(random() * c.cnt)::int AS id
          FROM generate_series(1, :n), (SELECT count(*) AS cnt FROM real_pc) c) s
  JOIN real_pc r USING (id);

CREATE FUNCTION best_ms(q text, repeat int) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE best numeric; t numeric; plan json;
BEGIN
    FOR i IN 1..repeat LOOP
        EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || q INTO plan;
        t := (plan -> 0 ->> 'Execution Time')::numeric;
        best := least(best, t);
    END LOOP;
    RETURN round(best, 1);
END $$;

CREATE TABLE report (data_set text, measure text, postcode numeric, text_ numeric, ratio numeric);
CREATE FUNCTION run(src text, repeat int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE pi bigint; ti bigint; ph bigint; th bigint; ps numeric; ts numeric; tc numeric;
BEGIN
    EXECUTE format('CREATE TABLE %1$s_as_postcode AS SELECT t::civic.postcode AS p FROM (SELECT t FROM %1$s ORDER BY random()) s', src);
    EXECUTE format('CREATE TABLE %1$s_as_text AS SELECT p::text AS t FROM %1$s_as_postcode', src);
    EXECUTE format('CREATE INDEX ON %1$s_as_postcode (p)', src);
    EXECUTE format('CREATE INDEX ON %1$s_as_text (t)', src);
    EXECUTE format('ANALYZE %1$s_as_postcode', src);
    EXECUTE format('ANALYZE %1$s_as_text', src);
    pi := pg_relation_size(format('%s_as_postcode_p_idx', src)::regclass);
    ti := pg_relation_size(format('%s_as_text_t_idx', src)::regclass);
    ph := pg_relation_size(format('%s_as_postcode', src)::regclass);
    th := pg_relation_size(format('%s_as_text', src)::regclass);
    ps := best_ms(format('SELECT p FROM %s_as_postcode ORDER BY p', src), repeat);
    ts := best_ms(format('SELECT t FROM %s_as_text ORDER BY t', src), repeat);
    tc := best_ms(format('SELECT t FROM %s_as_text ORDER BY t COLLATE "C"', src), repeat);
    INSERT INTO report VALUES
        (src, 'btree index size (MB)', round(pi / 1048576.0, 2), round(ti / 1048576.0, 2), round(pi::numeric / ti, 3)),
        (src, 'table size (MB)', round(ph / 1048576.0, 2), round(th / 1048576.0, 2), round(ph::numeric / th, 3)),
        (src, 'ORDER BY, best ms (text: database collation)', ps, ts, round(ps / ts, 3)),
        (src, 'ORDER BY, best ms (text: COLLATE "C")', ps, tc, round(ps / tc, 3));
END $$;

SELECT run('distinct_pc', :repeat) \gset
SELECT run('sampled_pc', :repeat) \gset
\pset footer off
SELECT data_set AS "data set", count(*) AS rows, count(DISTINCT t) AS "distinct postcodes",
       current_setting('lc_collate') AS "database collation"
  FROM (SELECT 'distinct_pc' AS data_set, t FROM distinct_pc
        UNION ALL SELECT 'sampled_pc', t FROM sampled_pc) x GROUP BY 1 ORDER BY 1;
SELECT data_set AS "data set", measure, postcode, text_ AS text, ratio AS "postcode/text"
  FROM report ORDER BY data_set, measure;
SQL
