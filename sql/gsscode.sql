-- civic.gsscode: ONS GSS geography codes.
SET search_path = "$user", public, civic;  -- as the database's (sql/00_install.sql), so this file runs alone
\pset null '(null)'

-- Valid forms: every country letter; lower case and surrounding space are
-- accepted and normalised.
SELECT v, v::civic.gsscode AS code
  FROM (VALUES ('E05000026'), ('E09000001'), ('E12000007'), ('E92000001'),
               ('K02000001'), ('L93000001'), ('M83000003'), ('N92000002'),
               ('S12000036'), ('W06000015'), ('e05009317'), ('  E05009317  '),
               (E'\tE00000000\n'), ('W99999999')) AS t(v);

-- Every rule broken: SQLSTATE, message and detail.
CREATE FUNCTION pg_temp.gss_error(s text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text;
BEGIN
    PERFORM s::civic.gsscode;
    RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
    RETURN st || ' | ' || msg || ' | ' || det;
END $$;
SELECT pg_temp.gss_error(v)
  FROM (VALUES (''), ('   '), ('X05000026'), ('505000026'), ('E0500002'),
               ('E050000261'), ('E05 000026'), ('E0500002A'), ('EE5000026'),
               ('E05000026x'), ('É05000026')) AS t(v);
-- The error message in full, with its hint.
SELECT 'Q01000001'::civic.gsscode;

-- is_valid_gsscode never raises.
SELECT v, civic.is_valid_gsscode(v)
  FROM (VALUES ('E05000026'), (' e09000001 '), ('E0500002'), (''), ('Z12345678')) AS t(v);

-- Entity, level, description, country.
SELECT c, civic.gss_entity(c), civic.gss_level(c), civic.gss_entity_name(c), civic.gss_country(c)
  FROM (VALUES ('E00000001'::civic.gsscode), ('E01000001'), ('E02000001'), ('E05000026'),
               ('E09000001'), ('E08000001'), ('E12000007'), ('E14000639'), ('E92000001'),
               ('W05000001'), ('S13002516'), ('N08000001'), ('K02000001'), ('E99000001')) AS t(c);
-- The entity table covers every level the issue names, in every country it lists.
SELECT level, count(*) FROM civic.gss_entities() GROUP BY level
 HAVING level IN ('output_area', 'lsoa', 'msoa', 'ward', 'local_authority',
                  'london_borough', 'region', 'country', 'westminster_constituency')
 ORDER BY level;

-- Order equals the text (C collation) order.
CREATE TEMP TABLE gss_sample AS
SELECT (l || lpad((g * 7919 % 100000000)::text, 8, '0')) AS t
  FROM unnest(ARRAY['E','K','L','M','N','S','W']) AS l, generate_series(1, 500) AS g;
SELECT count(*) AS pairs,
       bool_and((a.t::civic.gsscode < b.t::civic.gsscode) = (a.t < b.t COLLATE "C")) AS lt_ok,
       bool_and((a.t::civic.gsscode <= b.t::civic.gsscode) = (a.t <= b.t COLLATE "C")) AS le_ok,
       bool_and((a.t::civic.gsscode = b.t::civic.gsscode) = (a.t = b.t)) AS eq_ok,
       bool_and((a.t::civic.gsscode <> b.t::civic.gsscode) = (a.t <> b.t)) AS ne_ok,
       bool_and((a.t::civic.gsscode >= b.t::civic.gsscode) = (a.t >= b.t COLLATE "C")) AS ge_ok,
       bool_and((a.t::civic.gsscode > b.t::civic.gsscode) = (a.t > b.t COLLATE "C")) AS gt_ok
  FROM (SELECT t FROM gss_sample WHERE t LIKE '%3') a,
       (SELECT t FROM gss_sample WHERE t LIKE '%3' OR t LIKE '%7') b;
SELECT array_agg(c ORDER BY c) FROM (VALUES ('W06000015'::civic.gsscode), ('E09000001'),
       ('E05000026'), ('S12000036'), ('K02000001'), ('E05000025')) AS t(c);
-- Equal codes hash equally, whatever their input spelling.
SELECT civic.gsscode_hash('e05000026') = civic.gsscode_hash(' E05000026'),
       civic.gsscode_hash_extended('e05000026', 7) = civic.gsscode_hash_extended('E05000026', 7);

-- Casts to and from text, and assignment from text.
SELECT 'E05000026'::civic.gsscode::text, civic.gsscode(' e05000026 '),
       pg_typeof('E05000026'::text::civic.gsscode);
CREATE TEMP TABLE gss_assign (c civic.gsscode);
INSERT INTO gss_assign VALUES ('E09000033'::text);
SELECT c FROM gss_assign;

-- Indexes and joins use the operator classes.
CREATE TEMP TABLE gss_a AS SELECT t::civic.gsscode AS c, g AS id
  FROM (SELECT t, row_number() OVER () AS g FROM gss_sample) s;
CREATE TEMP TABLE gss_b AS SELECT c, id FROM gss_a WHERE id % 3 = 0;
CREATE INDEX ON gss_a (c);
ANALYZE gss_a; ANALYZE gss_b;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM gss_a WHERE c = 'E05000026';
EXPLAIN (COSTS OFF) SELECT * FROM gss_a WHERE c BETWEEN 'E05000000' AND 'E05999999';
EXPLAIN (COSTS OFF) SELECT c FROM gss_a ORDER BY c LIMIT 3;
DROP INDEX gss_a_c_idx;
CREATE INDEX gss_a_hash ON gss_a USING hash (c);
EXPLAIN (COSTS OFF) SELECT * FROM gss_a WHERE c = 'E05000026';
SELECT count(*) AS found FROM gss_a WHERE c = (SELECT c FROM gss_a WHERE id = 77);
RESET enable_seqscan;
RESET enable_bitmapscan;
SET enable_mergejoin = off; SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM gss_a JOIN gss_b USING (c);
SELECT count(*) AS hash_join_rows FROM gss_a JOIN gss_b USING (c);
RESET enable_mergejoin; SET enable_hashjoin = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM gss_a JOIN gss_b USING (c);
SELECT count(*) AS merge_join_rows FROM gss_a JOIN gss_b USING (c);
RESET enable_hashjoin; RESET enable_nestloop;
EXPLAIN (COSTS OFF) SELECT DISTINCT c FROM gss_b;
SELECT count(DISTINCT c) = count(*) AS distinct_ok FROM gss_b;

-- Binary COPY round trip, and binary input validated as strictly as text.
-- (a file of this cluster's own: test runs on other ports may run at the same time)
SELECT '/tmp/civic_regress_gsscode_' || current_setting('port') || '.bin' AS binfile \gset
COPY (SELECT c FROM gss_a ORDER BY id) TO :'binfile' WITH (FORMAT binary);
CREATE TEMP TABLE gss_copy (c civic.gsscode);
COPY gss_copy FROM :'binfile' WITH (FORMAT binary);
SELECT count(*) AS copied,
       (SELECT array_agg(c ORDER BY c) FROM gss_copy) = (SELECT array_agg(c ORDER BY c) FROM gss_a) AS same
  FROM gss_copy;
COPY (SELECT v FROM (VALUES (((ascii('E')::bigint) << 32) | 5000026)) AS t(v)) TO :'binfile' WITH (FORMAT binary);
COPY gss_copy FROM :'binfile' WITH (FORMAT binary);
SELECT c FROM gss_copy WHERE c = 'E05000026';
COPY (SELECT v FROM (VALUES (((ascii('Q')::bigint) << 32) | 5000026)) AS t(v)) TO :'binfile' WITH (FORMAT binary);
COPY gss_copy FROM :'binfile' WITH (FORMAT binary);
COPY (SELECT v FROM (VALUES (((ascii('E')::bigint) << 32) | 100000000)) AS t(v)) TO :'binfile' WITH (FORMAT binary);
COPY gss_copy FROM :'binfile' WITH (FORMAT binary);
COPY (SELECT -1::bigint) TO :'binfile' WITH (FORMAT binary);
COPY gss_copy FROM :'binfile' WITH (FORMAT binary);

-- Every GSS code in the Code-Point Open London releases parses and round-trips.
\getenv civic_data CIVIC_DATA
CREATE TEMP TABLE cpo (postcode text, pqi int, e int, n int, country_code text,
                       nhs_region text, nhs_ha text, county text, district text, ward text);
\set f :civic_data '/postcodes_codepoint_open/codepoint_open_2014.3.0_london_dev.csv'
COPY cpo FROM :'f' WITH (FORMAT csv, HEADER);
\set f :civic_data '/postcodes_codepoint_open/codepoint_open_2018.3.0_london_dev.csv'
COPY cpo FROM :'f' WITH (FORMAT csv, HEADER);
\set f :civic_data '/postcodes_codepoint_open/codepoint_open_2024.1.0_london_dev.csv'
COPY cpo FROM :'f' WITH (FORMAT csv, HEADER);
SELECT count(*) AS codes,
       count(*) FILTER (WHERE civic.is_valid_gsscode(v)) AS valid,
       bool_and(v::civic.gsscode::text = v) AS round_trip
  FROM (SELECT country_code FROM cpo UNION ALL SELECT district FROM cpo
        UNION ALL SELECT ward FROM cpo) AS t(v)
 WHERE v <> '';
SELECT civic.gss_level(ward::civic.gsscode) AS ward_level,
       civic.gss_level(district::civic.gsscode) AS district_level, count(*) > 100000 AS many
  FROM cpo GROUP BY 1, 2 ORDER BY 1, 2;
