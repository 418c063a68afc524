-- civic.normalize_name, civic.resolve_area, civic.match_areas (docs/names.md):
-- every borough from every spelling in the shipped data and the common
-- official and informal forms; every ward name of every vintage to itself.
SET search_path = public, civic;
\getenv civic_data CIVIC_DATA

-- ------------------------------------------------------------ normalize_name
SELECT n, civic.normalize_name(n) FROM unnest(ARRAY[
    'Kensington & Chelsea', 'Royal Borough of Kensington and Chelsea',
    'St Katharine’s & Wapping', 'St. Katharine''s and Wapping', 'Saint Katharine`s + Wapping',
    'City of London', 'City of London Corporation', 'City of Westminster', 'Westminster City Council',
    'London Borough of Barking & Dagenham', 'LB Hammersmith & Fulham', 'Kingston upon Thames',
    'Bromley-by-Bow', 'Havering–atte—Bower', '  Lime  St ', 'Ealing Council', 'Council',
    'ÉCOLE Ste-Anne', 'Straße', 'ﬁnchley', 'ＢＡＲＮＥＴ', 'Hackney­Central', 'London']) n;
-- idempotent, IMMUTABLE, independent of the session's settings
SELECT bool_and(civic.normalize_name(civic.normalize_name(name)) = civic.normalize_name(name)) AS idempotent
  FROM civic.boundary;
SELECT p.provolatile, p.proparallel, p.proisstrict FROM pg_proc p
 WHERE p.oid = 'civic.normalize_name(text)'::regprocedure;
SELECT civic.normalize_name(NULL) IS NULL AS null_in_null_out, civic.normalize_name('') = '' AS empty;
SELECT civic.normalize_name(repeat('x', 5000));
-- within a level, vintage and borough no two areas share a key
SELECT count(*) AS clashes FROM (
    SELECT 1 FROM civic.boundary
     GROUP BY level, vintage, parent, civic.normalize_name(name) HAVING count(*) > 1) c;

-- --------------------------------------------- boroughs: informal and official forms
SELECT n, civic.resolve_area(n) AS code, civic.area_name(civic.resolve_area(n)) AS borough
  FROM unnest(ARRAY[
    'Kensington & Chelsea', 'Royal Borough of Kensington and Chelsea', 'RB Kensington and Chelsea',
    'Kingston', 'Royal Borough of Kingston upon Thames', 'Richmond', 'London Borough of Richmond upon Thames',
    'Hammersmith & Fulham', 'LB Hammersmith and Fulham', 'City of Westminster', 'Westminster City Council',
    'Barking & Dagenham', 'City of London', 'City of London Corporation', 'Royal Borough of Greenwich',
    'tower hamlets', 'WALTHAM FOREST', 'Waltham-Forest', 'Haringey Council']) n;
-- not a borough: NULL, never a guess
SELECT civic.resolve_area('London') AS london_borough, civic.resolve_area('London', 'region') AS london_region,
       civic.resolve_area('Atlantis') AS atlantis, civic.resolve_area(NULL) AS null_name;

-- ----------------------------------------- boroughs: every spelling in the shipped data
CREATE TEMP TABLE t_spelling (source text, spelling text, code text);
-- GLA ward profiles: borough rows, and "Borough - Ward" names
\set f :civic_data '/ward_statistics/gla_ward_profiles_2015_wards2011.csv'
CREATE TEMP TABLE t_raw (line text);
COPY t_raw FROM :'f' WITH (FORMAT text);
CREATE TEMP TABLE t_profile_lines AS SELECT line FROM t_raw;
INSERT INTO t_spelling
SELECT DISTINCT 'gla_profiles', split_part(r[1], ' - ', 1), CASE WHEN r[3] LIKE 'E09%' THEN r[3] END
  FROM (SELECT regexp_match(line, '^"?([^",]+)"?,([^,]*),(E0[59][0-9]{6}),') r FROM t_raw) s
 WHERE r IS NOT NULL;
TRUNCATE t_raw;
-- GLA ward atlas: the Borough column
\set f :civic_data '/ward_statistics/gla_ward_atlas_2013_wards2011.csv'
COPY t_raw FROM :'f' WITH (FORMAT text);
INSERT INTO t_spelling
SELECT DISTINCT 'gla_atlas', r[1], NULL FROM (SELECT regexp_match(line, '^[^,]*,E0[59][0-9]{6},([^,]+),') r FROM t_raw) s
 WHERE r IS NOT NULL;
TRUNCATE t_raw;
-- MPS ward-level crime: LookUp_BoroughName (the Heathrow pseudo-borough aside)
\set f :civic_data '/ward_statistics/mps_ward_level_crime_2024-03_to_2026-03_wards2022.csv'
CREATE TEMP TABLE t_mps (major text, minor text, ward_name text, ward_code text, borough text,
                         m01 int, m02 int, m03 int, m04 int, m05 int, m06 int, m07 int, m08 int,
                         m09 int, m10 int, m11 int, m12 int, m13 int, m14 int, m15 int, m16 int,
                         m17 int, m18 int, m19 int, m20 int, m21 int, m22 int, m23 int, m24 int, m25 int);
COPY t_mps FROM :'f' WITH (FORMAT csv, HEADER);
INSERT INTO t_spelling SELECT DISTINCT 'mps_crime', borough, NULL FROM t_mps
 WHERE borough <> 'Aviation Security (SO18)';
-- City of London Police street crime: borough part of the LSOA names
\set f :civic_data '/police_street_crime_city_of_london/city-of-london-street_2022-04_to_2025-03.csv'
CREATE TEMP TABLE t_police (crime_id text, month text, reported_by text, falls_within text,
                            lon float8, lat float8, location text, lsoa_code text, lsoa_name text,
                            crime_type text, outcome text, context text);
COPY t_police FROM :'f' WITH (FORMAT csv, HEADER);
-- (London LSOAs only: the City's police also record a few crimes elsewhere)
CREATE TEMP TABLE t_lsoa (lsoa21cd text, lsoa21nm text, lsoa21nmw text, wd24cd text, wd24nm text,
                          wd24nmw text, lad24cd text, lad24nm text, lad24nmw text, objectid text);
\set f :civic_data '/ons_lookups_london/lsoa21_to_ward24_to_lad24_bestfit_london.csv'
COPY t_lsoa FROM :'f' WITH (FORMAT csv, HEADER);
INSERT INTO t_spelling SELECT DISTINCT 'police_city', regexp_replace(lsoa_name, ' [0-9]{3}[A-Z]$', ''), NULL
  FROM t_police WHERE lsoa_code IN (SELECT lsoa21cd FROM t_lsoa);
-- ONS lookups: local authority names with their codes
CREATE TEMP TABLE t_ons (c1 text, c2 text, c3 text, c4 text, c5 text, c6 text, c7 text, c8 text,
                         c9 text, c10 text, c11 text);
\set f :civic_data '/ons_lookups_london/ward18_to_lad18_london.csv'
COPY t_ons (c1, c2, c3, c4, c5, c6) FROM :'f' WITH (FORMAT csv, HEADER);
INSERT INTO t_spelling SELECT DISTINCT 'ons_wd18', c5, c4 FROM t_ons;
TRUNCATE t_ons;
INSERT INTO t_spelling SELECT DISTINCT 'ons_lsoa21', lad24nm, lad24cd FROM t_lsoa;
INSERT INTO t_spelling SELECT DISTINCT 'ons_lsoa21_names', regexp_replace(lsoa21nm, ' [0-9]{3}[A-Z]$', ''), lad24cd FROM t_lsoa;
\set f :civic_data '/ons_lookups_london/ward11_to_censusmergedward11_to_lad11_london.csv'
COPY t_ons (c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11) FROM :'f' WITH (FORMAT csv, HEADER);
INSERT INTO t_spelling SELECT DISTINCT 'ons_wd11', c9, c8 FROM t_ons;

-- how many spellings each source gives, and how many resolve (to the code the
-- source states, where it states one)
SELECT source, count(*) AS spellings,
       count(*) FILTER (WHERE civic.resolve_area(spelling) IS NOT NULL) AS resolved,
       count(*) FILTER (WHERE code IS NOT NULL AND civic.resolve_area(spelling)::text IS DISTINCT FROM code) AS wrong
  FROM t_spelling GROUP BY source ORDER BY source;
-- every borough is reached, and no spelling fails
SELECT count(DISTINCT civic.resolve_area(spelling)) AS boroughs_reached,
       count(*) FILTER (WHERE civic.resolve_area(spelling) IS NULL) AS unresolved
  FROM t_spelling;
SELECT DISTINCT spelling FROM t_spelling WHERE civic.resolve_area(spelling) IS NULL;
-- the data's ward profiles (2011 wards, "Borough - Ward"): each ward row
-- resolves within its borough to its own code, or, for the two the GLA spells
-- differently from the boundaries ("St. Katherine's", "Roehampton"), its own
-- code is match_areas' first candidate
CREATE TEMP TABLE t_pw AS
SELECT btrim(split_part(r[1], ' - ', 1), '"') AS borough,
       btrim(substr(r[1], strpos(r[1], ' - ') + 3), '"') AS ward, r[3] AS code
  FROM (SELECT regexp_match(line, '^("[^"]+"|[^,]+),([^,]*),(E05[0-9]{6}),') r FROM t_profile_lines) s
 WHERE r IS NOT NULL;
SELECT count(*) AS ward_rows,
       count(*) FILTER (WHERE civic.resolve_area(ward, 'ward', 2011, civic.resolve_area(borough))::text = code) AS resolved,
       count(*) FILTER (WHERE (SELECT m.code FROM civic.match_areas(ward, 'ward', 2011, civic.resolve_area(borough)) m
                                LIMIT 1)::text = code) AS first_candidate
  FROM t_pw;
SELECT borough, ward, code, civic.resolve_area(ward, 'ward', 2011, civic.resolve_area(borough)) AS resolved
  FROM t_pw WHERE civic.resolve_area(ward, 'ward', 2011, civic.resolve_area(borough))::text IS DISTINCT FROM code
 ORDER BY code;

-- ------------------------------------------------ wards: every name of every vintage
SELECT b.vintage, count(*) AS wards,
       count(*) FILTER (WHERE civic.resolve_area(b.name, 'ward', b.vintage,
                                                 CASE WHEN d.n > 1 THEN b.parent END) = b.code) AS resolve_to_self,
       count(*) FILTER (WHERE d.n > 1) AS need_within
  FROM civic.boundary b
  JOIN (SELECT vintage, civic.normalize_name(name) AS k, count(*) AS n
          FROM civic.boundary WHERE level = 'ward' GROUP BY 1, 2) d
    ON d.vintage = b.vintage AND d.k = civic.normalize_name(b.name)
 WHERE b.level = 'ward'
 GROUP BY b.vintage ORDER BY b.vintage;
SELECT civic.resolve_area('St Katharine’s & Wapping', 'ward') AS st_katharines_2022,
       civic.resolve_area('St Katharine’s & Wapping', 'ward', 2014) AS st_katharines_2014,
       civic.resolve_area('st katharines and wapping', 'ward', 2020) AS in_force_2020;

-- ambiguous: its own SQLSTATE, the candidates with their boroughs, a hint at within
SELECT civic.resolve_area('Abbey', 'ward');
SELECT civic.resolve_area('Abbey', 'ward', within => 'E09000024') AS merton_abbey,
       civic.resolve_area('Abbey', 'ward', 2022, 'E09000002') AS barking_abbey;
DO $$
BEGIN
    PERFORM civic.resolve_area('Abbey', 'ward', within => 'E12000007');
EXCEPTION WHEN SQLSTATE 'VN001' THEN
    RAISE NOTICE 'within the region: still ambiguous (VN001)';
END $$;
-- bad level or vintage: the boundary lookups' errors
SELECT civic.resolve_area('Camden', 'lsoa');
SELECT civic.resolve_area('Abbey', 'ward', 1990);

-- ------------------------------------------------------------------ match_areas
SELECT * FROM civic.match_areas('Hammersmit and Fulam', 'borough');
SELECT * FROM civic.match_areas('Kensington', 'borough') LIMIT 1;
SELECT * FROM civic.match_areas('Sout Bermondsy', 'ward', 2022) LIMIT 2;
SELECT * FROM civic.match_areas('Abey', 'ward', 2022, 'E09000024') LIMIT 1;
SELECT count(*) AS exact_scores_1 FROM civic.boundary b
 WHERE b.level = 'borough'
   AND (SELECT m.code FROM civic.match_areas(b.name, 'borough') m LIMIT 1) = b.code
   AND (SELECT m.score FROM civic.match_areas(b.name, 'borough') m LIMIT 1) = 1;
SELECT civic.name_similarity('Hammersmith & Fulham', 'hammersmith and fulham') AS same_key,
       civic.name_similarity('Kingston', 'Kingston Hill') AS word_prefix,
       civic.name_similarity('abc', 'xyz') AS nothing_shared;
