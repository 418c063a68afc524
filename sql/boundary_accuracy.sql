-- Accuracy of civic.ward_of against the official ward labels of OS Code-Point
-- Open postcodes (the labelled dev split shipped in data/), each release
-- against the ward vintage it was labelled with: 2014.3.0 vs 2014 wards,
-- 2018.3.0 vs 2018 wards, 2024.1.0 vs the (generalised) 2022 wards.
-- Excluded: postcodes without coordinates (positional quality 90 or a zero
-- easting/northing); the London files have none, the count is printed.
SET search_path = public, civic;
\getenv civic_data CIVIC_DATA
CREATE TEMP TABLE t_pc (release text, postcode text, pqi int, e int, n int,
                        country text, rha text, ha text, county text,
                        district text, ward text);
CREATE TEMP TABLE t_load (postcode text, pqi int, e int, n int, country text,
                          rha text, ha text, county text, district text, ward text);
\set f :civic_data '/postcodes_codepoint_open/codepoint_open_2014.3.0_london_dev.csv'
COPY t_load FROM :'f' WITH (FORMAT csv, HEADER);
INSERT INTO t_pc SELECT '2014.3.0', * FROM t_load;
TRUNCATE t_load;
\set f :civic_data '/postcodes_codepoint_open/codepoint_open_2018.3.0_london_dev.csv'
COPY t_load FROM :'f' WITH (FORMAT csv, HEADER);
INSERT INTO t_pc SELECT '2018.3.0', * FROM t_load;
TRUNCATE t_load;
\set f :civic_data '/postcodes_codepoint_open/codepoint_open_2024.1.0_london_dev.csv'
COPY t_load FROM :'f' WITH (FORMAT csv, HEADER);
INSERT INTO t_pc SELECT '2024.1.0', * FROM t_load;

CREATE TEMP TABLE t_acc AS
SELECT r.release, r.vintage, count(*) AS postcodes,
       count(*) FILTER (WHERE p.pqi = 90 OR p.e = 0 OR p.n = 0) AS excluded,
       count(*) FILTER (WHERE NOT (p.pqi = 90 OR p.e = 0 OR p.n = 0)
                          AND civic.ward_of(civic.bng(p.e, p.n), r.vintage)::text = p.ward) AS matched,
       count(*) FILTER (WHERE NOT (p.pqi = 90 OR p.e = 0 OR p.n = 0)
                          AND civic.ward_of(civic.bng(p.e, p.n), r.vintage) IS NULL) AS in_no_ward
  FROM t_pc p
  JOIN (VALUES ('2014.3.0', 2014), ('2018.3.0', 2018), ('2024.1.0', 2022)) r(release, vintage)
    ON r.release = p.release
 GROUP BY r.release, r.vintage;

-- share = matched / (postcodes - excluded)
SELECT release, vintage, postcodes > 140000 AS all_loaded, excluded,
       matched::float8 / (postcodes - excluded) = 1 AS share_100,
       matched::float8 / (postcodes - excluded) >= 0.998 AS share_ge_998,
       in_no_ward
  FROM t_acc ORDER BY release;
-- the counts behind the shares
SELECT release, postcodes, matched, postcodes - excluded - matched AS mismatched,
       round(100.0 * matched / (postcodes - excluded), 2) AS share_pct
  FROM t_acc ORDER BY release;
