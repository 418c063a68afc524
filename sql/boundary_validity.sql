-- civic.boundary says which polygons are invalid (OGC rules): two shipped
-- 2014 wards are invalid as published and kept as published.
SET search_path = public, civic;

-- exactly the two published defects, with PostGIS's reason and location
SELECT vintage, level, code, name, valid, invalid_reason ~ '^Self-intersection\[' AS self_intersection
  FROM civic.boundary WHERE NOT valid ORDER BY code;
-- the columns agree with ST_IsValid for every shipped row, and a valid row
-- has no reason (ST_IsValid's own NOTICEs about the two are not shown)
SET client_min_messages = warning;
SELECT count(*) AS shipped,
       count(*) FILTER (WHERE valid = ST_IsValid(geom)) AS valid_matches_st_isvalid,
       count(*) FILTER (WHERE (invalid_reason IS NULL) = valid) AS reason_iff_invalid
  FROM civic.boundary WHERE shipped;
RESET client_min_messages;
-- the invalid wards still answer point lookups (the crossing-number test
-- does not need valid polygons): a point inside each is in it
SELECT code, ward_of(bng(ST_PointOnSurface(ST_MakeValid(geom))), 2014) = code AS lookup_works
  FROM civic.boundary WHERE NOT valid ORDER BY code;

-- user rows get the columns computed too, and cannot set them
BEGIN;
INSERT INTO civic.boundary (vintage, level, code, name, geom)
VALUES (9001, 'bowtie', 'E05999998', 'bow tie',
        ST_Multi(ST_GeomFromText('POLYGON((0 0, 10 10, 10 0, 0 10, 0 0))', 27700))),
       (9001, 'bowtie', 'E05999999', 'square',
        ST_Multi(ST_GeomFromText('POLYGON((0 0, 10 0, 10 10, 0 10, 0 0))', 27700)));
SELECT code, valid, invalid_reason FROM civic.boundary WHERE vintage = 9001 ORDER BY code;
UPDATE civic.boundary SET geom = ST_Multi(ST_MakeValid(ST_GeometryN(geom, 1)))
 WHERE vintage = 9001 AND code = 'E05999998' AND ST_GeometryType(ST_MakeValid(ST_GeometryN(geom, 1))) = 'ST_MultiPolygon';
SELECT code, valid, invalid_reason FROM civic.boundary WHERE vintage = 9001 ORDER BY code;
SAVEPOINT s;
UPDATE civic.boundary SET valid = true WHERE vintage = 9001;
ROLLBACK TO s;
ROLLBACK;

-- described for users
SELECT col_description('civic.boundary'::regclass, attnum) IS NOT NULL AS commented, attname
  FROM pg_attribute WHERE attrelid = 'civic.boundary'::regclass AND attname IN ('valid', 'invalid_reason')
 ORDER BY attname;
