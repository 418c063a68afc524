-- civic.postcode_directory: the shipped London postcode directory and the
-- postcode -> location lookups over it (postcode_location, ward_of and
-- friends of a postcode, postcodes_in, postcode_estimate), and the cache's
-- invalidation within a session (across sessions: test/postcode_directory.sh).
SET search_path = public, civic;

-- ------------------------------------------------------------ shipped rows
-- The three Code-Point Open releases, every row shipped, one row per
-- (postcode, release); registered for pg_dump like civic.boundary.
SELECT release, count(*) AS postcodes, bool_and(shipped) AS shipped,
       count(*) FILTER (WHERE quality = 10) AS in_building,
       count(DISTINCT borough) AS boroughs, count(DISTINCT ward) AS wards
  FROM civic.postcode_directory GROUP BY release ORDER BY release;
SELECT count(DISTINCT postcode) AS distinct_postcodes FROM civic.postcode_directory;
SELECT c.relname, x.cond
  FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(oid, cond)
  JOIN pg_class c ON c.oid = x.oid
 WHERE e.extname = 'civic' AND c.relname = 'postcode_directory';

-- --------------------------------------------------------- postcode_location
-- In every release (moved a little each time), terminated after 2018, new in
-- 2024, and in no release: the newest location known, or known by a year.
SELECT p, postcode_location(p) AS newest,
       postcode_location(p, 2013) AS "2013", postcode_location(p, 2014) AS "2014",
       postcode_location(p, 2017) AS "2017", postcode_location(p, 2018) AS "2018",
       postcode_location(p, 2024) AS "2024", postcode_location(p, 2030) AS "2030"
  FROM unnest('{BR1 1DN, BR1 3HU, BR1 1AP, EC3A 1AA, ASCN 1ZZ}'::postcode[]) p;
SELECT postcode_location(NULL) AS null_postcode,
       postcode_location('BR1 1DN', NULL) AS null_release;
-- Every row: the location by its own release is the row's, and the newest is
-- the location of the postcode's newest release.
SELECT count(*) AS rows,
       count(*) FILTER (WHERE postcode_location(d.postcode, d.release) IS DISTINCT FROM d.location) AS wrong_by_release,
       count(*) FILTER (WHERE postcode_location(d.postcode) IS DISTINCT FROM d.newest) AS wrong_newest
  FROM (SELECT postcode, release, location,
               last_value(location) OVER (PARTITION BY postcode ORDER BY release
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS newest
          FROM civic.postcode_directory) d;

-- ------------------------------------------- ward_of, borough_of, area_of
-- Of a postcode: the same as of its location, for every postcode and every
-- ward vintage; NULL (never a guess) for a postcode in no release.
SELECT count(*) AS postcodes,
       count(*) FILTER (WHERE ward_of(p) IS DISTINCT FROM ward_of(postcode_location(p))) AS ward_differs,
       count(*) FILTER (WHERE ward_of(p, 2014) IS DISTINCT FROM ward_of(postcode_location(p), 2014)) AS ward2014_differs,
       count(*) FILTER (WHERE borough_of(p) IS DISTINCT FROM borough_of(postcode_location(p))) AS borough_differs,
       count(*) FILTER (WHERE area_of(p, 'ward', 2018) IS DISTINCT FROM area_of(postcode_location(p), 'ward', 2018)) AS area_differs,
       count(*) FILTER (WHERE ward_of(p) IS NULL) AS in_no_ward
  FROM (SELECT DISTINCT postcode AS p FROM civic.postcode_directory) d;
SELECT ward_of('EC3A 1AA'::postcode) AS ward, borough_of('EC3A 1AA'::postcode) AS borough,
       area_of('EC3A 1AA'::postcode, 'region') AS region, ward_of(NULL::postcode) AS null_ward;
SELECT p, ward_of(p), ward_of(p, 2014) AS ward_2014, borough_of(p), area_of(p, 'region') AS region
  FROM unnest('{SW1A 1AA, BR1 1DN, BR1 3HU}'::postcode[]) p;
-- The boroughs OS assigned to the newest release agree with the polygons.
SELECT count(*) AS postcodes_2024,
       count(*) FILTER (WHERE borough_of(postcode)::text = borough::text) AS same_borough
  FROM civic.postcode_directory WHERE release = 2024;
-- Inlined into the query: no SQL function call per row.
SET compute_query_id = off;
EXPLAIN (VERBOSE, COSTS OFF) SELECT ward_of(postcode) FROM civic.postcode_directory;
RESET compute_query_id;

-- ------------------------------------------------------------ postcodes_in
SELECT p FROM postcodes_in('EC3A 1') p;
SELECT prefix, count(p) AS postcodes,
       count(p) = (SELECT count(DISTINCT d.postcode) FROM civic.postcode_directory d
                    WHERE d.postcode::text ~ pattern) AS same_as_text,
       bool_and(p ^@ prefix) AS all_match
  FROM (VALUES ('SW1A', '^SW1A '), ('sw1a 1', '^SW1A 1'), ('E', '^E[0-9]'), ('BR', '^BR'), ('ZE', '^ZE')) v(prefix, pattern)
  LEFT JOIN LATERAL postcodes_in(prefix) p ON true
 GROUP BY prefix, pattern ORDER BY prefix;
SELECT array_agg(p) = array_agg(p ORDER BY p) AS in_order FROM postcodes_in('SW') p;
SELECT postcodes_in('SW1A 1A');

-- -------------------------------------------------------- postcode_estimate
-- From the other postcodes of the sector; when the sector has no other
-- postcode, from those of the district.  EC3A 1 has one postcode, EC3A 1AX,
-- so EC3A 1AA (in no release) is estimated at EC3A 1AX, and EC3A 1AX itself
-- from the rest of EC3A; SW1A 9 is empty (SW1A's others); a district with no
-- postcode at all gives none.
SELECT p, postcode_location(p) AS location, postcode_estimate(p) AS estimate,
       postcode_estimate(p) = postcode_location(p) AS own_location,
       EXISTS (SELECT 1 FROM postcodes_in(postcode_district(p)) o
                WHERE o <> p AND postcode_location(o) = postcode_estimate(p)) AS a_district_location
  FROM unnest('{EC3A 1AA, EC3A 1AX, SW1A 9ZZ, ASCN 1ZZ}'::postcode[]) p;
-- An estimate is the location of another known postcode of the same sector
-- (or of the district for a sector of one), in the borough and the ward
-- most of the neighbours vote for: never a point between them.
CREATE TEMP TABLE se1 AS
SELECT p, postcode_sector(p) AS sector, postcode_location(p) AS location, postcode_estimate(p) AS est
  FROM postcodes_in('SE1') p;
SELECT count(*) AS postcodes, count(est) AS estimated,
       count(*) FILTER (WHERE est IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM se1 o WHERE o.sector = e.sector AND o.p <> e.p AND o.location = e.est)) AS not_a_sector_location,
       count(*) FILTER (WHERE est IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM se1 o WHERE o.p <> e.p AND o.location = e.est)) AS not_a_district_location,
       count(*) FILTER (WHERE (SELECT count(*) FROM se1 o WHERE o.sector = e.sector) = 1) AS sectors_of_one
  FROM se1 e;
-- The vote, recomputed here for a sector that straddles three boroughs
-- (SW1X 9): the estimate's borough is the one with the most weight among
-- the 8 postcodes nearest in unit order, each weighing 1 / (distance in
-- unit order), twice that with the same first unit letter (ties: the
-- borough of the nearer).
CREATE FUNCTION pg_temp.unit_key(p postcode) RETURNS int LANGUAGE sql IMMUTABLE STRICT
RETURN substr(postcode_inward(p), 1, 1)::int * 400
       + (strpos('ABDEFGHJLNPQRSTUWXYZ', substr(postcode_inward(p), 2, 1)) - 1) * 20
       + strpos('ABDEFGHJLNPQRSTUWXYZ', substr(postcode_inward(p), 3, 1)) - 1;
CREATE TEMP TABLE sw1x9 AS
SELECT p, postcode_location(p) AS location, borough_of(p) AS borough, pg_temp.unit_key(p) AS k,
       postcode_estimate(p) AS est
  FROM postcodes_in('SW1X 9') p;
SELECT count(*) AS postcodes, count(DISTINCT borough) AS boroughs,
       count(*) FILTER (WHERE borough_of(e.est) = (
           SELECT v.borough FROM (
               SELECT n.borough, sum(n.w) AS w, min(n.r) AS nearest
                 FROM (SELECT o.borough, row_number() OVER (ORDER BY abs(o.k - e.k), o.k) AS r,
                              (CASE WHEN substr(postcode_inward(o.p), 2, 1) = substr(postcode_inward(e.p), 2, 1)
                                    THEN 2.0 ELSE 1.0 END) / abs(o.k - e.k) AS w
                         FROM sw1x9 o WHERE o.p <> e.p
                        ORDER BY abs(o.k - e.k), o.k LIMIT 8) n
                GROUP BY n.borough) v
            ORDER BY v.w DESC, v.nearest LIMIT 1)) AS borough_of_the_vote
  FROM sw1x9 e;

-- ------------------------------------------------ the cache follows changes
-- A user's row (release 2025) is seen at the next statement of the same
-- session, changed and deleted likewise; shipped is false for it.
INSERT INTO civic.postcode_directory (release, postcode, location)
VALUES (2025, 'EC3A 1AA', '533300 181200'), (2025, 'BR1 1DN', '540000 169000');
SELECT postcode_location('EC3A 1AA') AS new_postcode, postcode_location('BR1 1DN') AS moved,
       postcode_location('BR1 1DN', 2024) AS as_of_2024, postcode_estimate('EC3A 1AX') AS estimate_now;
UPDATE civic.postcode_directory SET location = '533310 181210' WHERE release = 2025 AND postcode = 'EC3A 1AA';
SELECT postcode_location('EC3A 1AA') AS updated;
SELECT count(*) AS user_rows FROM civic.postcode_directory WHERE NOT shipped;
DELETE FROM civic.postcode_directory WHERE NOT shipped;
SELECT postcode_location('EC3A 1AA') AS deleted, postcode_location('BR1 1DN') AS back;
-- Rolled back: the cache forgets the change too.
BEGIN;
INSERT INTO civic.postcode_directory (release, postcode, location) VALUES (2025, 'EC3A 1AA', '533300 181200');
SELECT postcode_location('EC3A 1AA') AS in_transaction;
ROLLBACK;
SELECT postcode_location('EC3A 1AA') AS after_rollback;
-- The trigger function is only a trigger.
SELECT civic.postcode_directory_invalidate();

RESET search_path;
