-- civic.bng GiST index: KNN (ORDER BY p <-> q LIMIT k), box, circle and
-- equality searches on the real London postcode points, checked against
-- sequential scans.
SET search_path = public, civic;
SET extra_float_digits = 0;

CREATE TEMP TABLE cpo (
    postcode text, pq int, e int, n int, country text, rha text, ha text,
    county text, district text, ward text);
\getenv civic_data CIVIC_DATA
\set f :civic_data '/postcodes_codepoint_open/codepoint_open_2018.3.0_london_dev.csv'
COPY cpo FROM :'f' WITH (FORMAT csv, HEADER);
CREATE TEMP TABLE pc (id serial PRIMARY KEY, postcode text, p bng);
-- half the points before the index is built (sorted, bottom-up build), the
-- rest inserted into it (page splits by picksplit)
INSERT INTO pc (postcode, p) SELECT postcode, bng(e, n) FROM cpo WHERE n % 2 = 0;
CREATE INDEX pc_p_gist ON pc USING gist (p);
INSERT INTO pc (postcode, p) SELECT postcode, bng(e, n) FROM cpo WHERE n % 2 = 1;
-- a pile of identical points and some with millimetre offsets
INSERT INTO pc (postcode, p) SELECT 'same', 'TQ 30015 80454' FROM generate_series(1, 3000);
INSERT INTO pc (postcode, p) SELECT 'mm', bng(530015 + i / 1000.0, 180454) FROM generate_series(1, 50) AS i;
VACUUM ANALYZE pc;
SELECT count(*) AS points FROM pc;

-- Query points: every 5000th postcode, the mm pile, and points outside London.
CREATE TEMP TABLE q AS
SELECT id AS qid, p AS q FROM pc WHERE id % 5000 = 0
UNION ALL
SELECT -i, v::bng FROM (VALUES (1, 'TQ 30015 80454'), (2, '530015.0005 180454'), (3, '0 0'),
                               (4, '700000 1300000'), (5, 'TL 0 0'), (6, 'SU 99999 99999')) AS t(i, v);
SELECT count(*) AS query_points FROM q;

-- 1. KNN uses the index, with exact distances (no recheck, no Sort node).
EXPLAIN (COSTS OFF) SELECT id FROM pc ORDER BY p <-> 'TQ 30015 80454' LIMIT 10;
EXPLAIN (COSTS OFF)
SELECT qid, ARRAY(SELECT p <-> q.q FROM pc ORDER BY p <-> q.q LIMIT 10) FROM q;
CREATE TEMP TABLE knn_idx AS
SELECT qid, k,
       ARRAY(SELECT p <-> q.q FROM pc ORDER BY p <-> q.q LIMIT k) AS ds,
       ARRAY(SELECT id FROM pc ORDER BY p <-> q.q LIMIT k) AS ids
  FROM q, (VALUES (1), (10), (1000), (4000)) AS kk(k);

-- the sequential-scan answer: the 4500 nearest of each query point
SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_indexonlyscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM pc ORDER BY p <-> 'TQ 30015 80454' LIMIT 10;
CREATE TEMP TABLE seq_rows AS
SELECT qid, id, d FROM q, LATERAL (SELECT id, p <-> q.q AS d FROM pc ORDER BY p <-> q.q LIMIT 4500) s;
CREATE TEMP TABLE seq_ds AS
SELECT qid, array_agg(d ORDER BY d) AS ds FROM seq_rows GROUP BY qid;
RESET enable_indexscan; RESET enable_bitmapscan; RESET enable_indexonlyscan;
CREATE TEMP TABLE idx_rows AS
SELECT qid, k, ds[k] AS kth, u.id FROM knn_idx, unnest(ids) AS u(id);
ANALYZE seq_rows; ANALYZE idx_rows;

-- The index returns k distinct rows, with the same distances in the same
-- order as the sequential scan; every row is within the k-th distance and
-- every point strictly closer than it is returned (ties may differ).
SELECT k, count(*) AS queries,
       bool_and(i.ds = s.ds[1:k]) AS same_distances,
       bool_and(st.n = k AND st.distinct_ids = k) AS k_distinct_rows,
       bool_and(st.beyond = 0) AS all_within_kth,
       bool_and(st.closer = sc.closer) AS all_closer_returned
  FROM knn_idx i JOIN seq_ds s USING (qid) JOIN
       (SELECT r.qid, r.k, count(*) AS n, count(DISTINCT r.id) AS distinct_ids,
               -- a row the sequential top 4500 lacks must tie at the k-th distance
               count(*) FILTER (WHERE coalesce(sr.d, (SELECT pc.p <-> q.q FROM pc WHERE pc.id = r.id)) > r.kth) AS beyond,
               count(*) FILTER (WHERE sr.d < r.kth) AS closer
          FROM idx_rows r JOIN q USING (qid) LEFT JOIN seq_rows sr ON sr.qid = r.qid AND sr.id = r.id
         GROUP BY r.qid, r.k) st USING (qid, k) JOIN
       (SELECT kt.qid, kt.k, count(*) FILTER (WHERE sr.d < kt.kth) AS closer
          FROM (SELECT DISTINCT qid, k, kth FROM idx_rows) kt JOIN seq_rows sr USING (qid)
         GROUP BY kt.qid, kt.k) sc USING (qid, k)
 GROUP BY k ORDER BY k;
-- the 3000 identical points come first, then the millimetre ladder
SELECT ds[1] AS d1, ds[3000] AS d3000, ds[3001] AS d3001, ds[3002] AS d3002, ds[4000] > ds[3050] AS ordered
  FROM knn_idx WHERE qid = -1 AND k = 4000;

-- 2. Box searches: p <@ box (and box @> p) use the index.
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM pc WHERE p <@ box '((529000,180000),(531000,181000))';
EXPLAIN (COSTS OFF) SELECT p FROM pc WHERE p <@ bng_box('529000 180000', '531000 181000');
EXPLAIN (COSTS OFF) SELECT id FROM pc WHERE box '((529000,180000),(531000,181000))' @> p;
EXPLAIN (COSTS OFF) SELECT id FROM pc WHERE p <@ circle '<(530015,180454),500>';
EXPLAIN (COSTS OFF) SELECT id FROM pc WHERE p = 'TQ 30016 80455';
RESET enable_bitmapscan;

CREATE TEMP TABLE boxes AS
SELECT qid, r, bng_box(bng(greatest(bng_easting(q) - r, 0), greatest(bng_northing(q) - r, 0)),
                       bng(least(bng_easting(q) + r, 700000), least(bng_northing(q) + r, 1300000))) AS b
  FROM q, (VALUES (0), (0.0005), (1), (250), (2000)) AS rr(r)
 WHERE qid % 10000 = 0 OR qid < 0
UNION ALL VALUES (0, 1e9, box '((500000,150000),(570000,210000))'),     -- all London
                 (0, -1, box '((100,100),(200,200))'),                   -- nothing
                 (0, -2, box '((530015,180454),(530015.02,180454))');    -- edges on points
CREATE TEMP TABLE circles AS
SELECT qid, r, circle(point(bng_easting(q), bng_northing(q)), r) AS c
  FROM q, (VALUES (0), (0.001), (0.0215), (300), (1500)) AS rr(r)
 WHERE qid % 10000 = 0 OR qid < 0;

CREATE FUNCTION pg_temp.area_results(all_plans bool) RETURNS TABLE (kind text, key text, n bigint, ids int[], ps bng[])
LANGUAGE sql AS $$
    SELECT 'box', qid || '/' || r, count(pc.id), array_agg(pc.id ORDER BY pc.id), array_agg(pc.p ORDER BY pc.p)
      FROM boxes LEFT JOIN pc ON pc.p <@ boxes.b GROUP BY qid, r
    UNION ALL
    SELECT 'box-commuted', qid || '/' || r, count(pc.id), array_agg(pc.id ORDER BY pc.id), NULL::bng[]
      FROM boxes LEFT JOIN pc ON boxes.b @> pc.p WHERE all_plans GROUP BY qid, r
    UNION ALL
    SELECT 'box-index-only', qid || '/' || r, count(pc.p), NULL::int[], array_agg(pc.p ORDER BY pc.p)
      FROM boxes LEFT JOIN LATERAL (SELECT p FROM pc WHERE p <@ boxes.b) pc ON true WHERE all_plans GROUP BY qid, r
    UNION ALL
    SELECT 'circle', qid || '/' || r, count(pc.id), array_agg(pc.id ORDER BY pc.id), NULL::bng[]
      FROM circles LEFT JOIN pc ON pc.p <@ circles.c GROUP BY qid, r
    UNION ALL
    SELECT 'equal', qid::text, count(pc.id), array_agg(pc.id ORDER BY pc.id), NULL::bng[]
      FROM q LEFT JOIN pc ON pc.p = q.q GROUP BY qid
$$;

SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_hashjoin = off; SET enable_mergejoin = off;
EXPLAIN (COSTS OFF) SELECT count(pc.id) FROM boxes LEFT JOIN pc ON pc.p <@ boxes.b;
EXPLAIN (COSTS OFF) SELECT count(pc.p) FROM boxes LEFT JOIN LATERAL (SELECT p FROM pc WHERE p <@ boxes.b) pc ON true;
CREATE TEMP TABLE area_idx AS SELECT * FROM pg_temp.area_results(true);
RESET enable_seqscan; RESET enable_bitmapscan; RESET enable_hashjoin; RESET enable_mergejoin;
CREATE TEMP TABLE area_bitmap AS SELECT * FROM pg_temp.area_results(true);
SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_indexonlyscan = off;
-- (one sequential answer per search: the three box forms must all equal it)
CREATE TEMP TABLE area_seq AS SELECT * FROM pg_temp.area_results(false);
RESET enable_indexscan; RESET enable_bitmapscan; RESET enable_indexonlyscan;

SELECT i.kind, count(*) AS searches, sum(s.n) AS rows_found,
       bool_and(i.n = s.n AND (i.ids IS NULL OR i.ids IS NOT DISTINCT FROM s.ids)
                AND (i.ps IS NULL OR i.ps IS NOT DISTINCT FROM s.ps)) AS index_equals_seqscan,
       bool_and(b.n = s.n AND (b.ids IS NULL OR b.ids IS NOT DISTINCT FROM s.ids)) AS bitmap_equals_seqscan
  FROM area_idx i JOIN area_bitmap b USING (kind, key)
       JOIN area_seq s ON s.kind = CASE WHEN i.kind LIKE 'box%' THEN 'box' ELSE i.kind END AND s.key = i.key
 GROUP BY i.kind ORDER BY i.kind;
-- spot checks that make the comparison meaningful
SELECT key, n FROM area_seq WHERE kind = 'box' AND key IN ('0/1000000000', '0/-1', '0/-2', '-1/0', '-2/0.0005') ORDER BY key;
SELECT key, n FROM area_seq WHERE kind = 'circle' AND key IN ('-1/0', '-1/0.001', '-1/0.0215') ORDER BY key;

-- 3. The index stays correct after deletes and updates.
DELETE FROM pc WHERE postcode = 'same' AND id % 2 = 0;
UPDATE pc SET p = bng(bng_easting(p) + 1, bng_northing(p)) WHERE id % 1000 = 0;
SET enable_seqscan = off; SET enable_bitmapscan = off;
CREATE TEMP TABLE after_idx AS
SELECT qid, ARRAY(SELECT p <-> q.q FROM pc ORDER BY p <-> q.q LIMIT 2000) AS ds,
       (SELECT count(*) FROM pc WHERE p <@ circle(point(bng_easting(q), bng_northing(q)), 800)) AS c
  FROM q;
RESET enable_seqscan; RESET enable_bitmapscan;
SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_indexonlyscan = off;
SELECT bool_and(a.ds = ARRAY(SELECT p <-> q.q FROM pc ORDER BY p <-> q.q LIMIT 2000)) AS knn_after_changes,
       bool_and(a.c = (SELECT count(*) FROM pc WHERE p <@ circle(point(bng_easting(q), bng_northing(q)), 800))) AS circle_after_changes
  FROM after_idx a JOIN q USING (qid);
RESET enable_indexscan; RESET enable_bitmapscan; RESET enable_indexonlyscan;
