-- civic.postcode: grammar, normalisation, errors, order, components, casts,
-- operator classes in plans, and the binary format.
CREATE SCHEMA postcode_test;
SET search_path = postcode_test, civic, public;

-- ---------------------------------------------------------------- valid forms
-- Every outward form (A9, A99, A9A, AA9, AA99, AA9A) and GIR 0AA, in any case
-- and with whitespace before, after and between the codes: upper case, one space.
SELECT translate(input, E'\t\n\r', '→↵←') AS input, input::postcode AS postcode
  FROM (VALUES ('M1 1AE'), ('B33 8TH'), ('W1A 0AX'), ('CR2 6XH'), ('DN55 1PT'),
               ('EC1A 1BB'), ('GIR 0AA'),
               ('sw1a1aa'), (' SW1A  1AA '), (E'\tsw1a\n1aa\r'), ('Sw1A 1aA'),
               ('gir0aa'), ('E1  0AA'), ('CR441AA'), ('N1C 4AX'), ('NW1W 7AA'))
       AS v(input);
-- The British Overseas Territories' postcodes, accepted like GIR 0AA: a
-- four-letter outward code with the inward code 1ZZ.
SELECT input, input::postcode AS postcode, postcode_area(input::postcode) AS area,
       postcode_sector(input::postcode) AS sector
  FROM (VALUES ('ASCN 1ZZ'), ('BBND 1ZZ'), ('BIQQ 1ZZ'), ('FIQQ 1ZZ'), ('PCRN 1ZZ'),
               ('SIQQ 1ZZ'), ('STHL 1ZZ'), ('TDCU 1ZZ'), ('TKCA 1ZZ'), ('tkca1zz'), (' sthl  1zz '))
       AS v(input);

-- ------------------------------------------------------------ rule violations
-- Each broken rule: SQLSTATE 22P02, the standard message and a detail naming it.
CREATE FUNCTION postcode_test.try(input text,
                                  OUT code text, OUT message text, OUT detail text)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM input::civic.postcode;
    code := '00000';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE,
                            message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
END
$$;

\pset format unaligned
\pset fieldsep ' | '
SELECT input, (try(input)).*
  FROM (VALUES (''), ('   '),                      -- empty
               ('SW1A-1AA'), ('SW1A 1AÅ'),          -- bad character
               ('E1 1A'), ('E11AAAAA'),             -- too short, too long
               ('S W1A 1AA'), ('SW1A 1 AA'), ('SW1 A 1AA'), -- space inside a code
               ('1W1 1AA'),                         -- area does not start with a letter
               ('Q1 1AA'), ('V1 1AA'), ('X1 1AA'),  -- first position
               ('AI1 1AA'), ('BJ1 1AA'), ('CZ1 1AA'), -- second position
               ('SW 1AA'), ('SWA1 1AA'),            -- no district number
               ('E05 1AA'), ('SW00 1AA'),           -- leading zero
               ('E1I 1AA'), ('W1L 1AA'), ('N1Z 1AA'), -- third position (A9A)
               ('EC1C 1AA'), ('SW1D 1AA'), ('WC2Z 1AA'), -- fourth position (AA9A)
               ('SWA 1AA'), ('E12A 1AA'), ('E1AB 1AA'), ('W1AA 1AA'), -- no outward form
               ('GIR 1AA'), ('GIR 0AB'),            -- GIR only with 0AA
               ('ASCN 2ZZ'), ('STHL 1AA'), ('TKCA 1ZY'), -- territories only with 1ZZ
               ('ASCX 1ZZ'),                        -- not a territory: no outward form
               ('SW1A 1'), ('W1A 1A'), ('E1 1A'), ('EC1A 1B'), -- truncated inward code
               ('SW1A'),                            -- an outward code alone
               ('SW1A AAA'),                        -- sector
               ('SW1A 11A'), ('SW1A 1A1'),          -- unit not letters
               ('SW1A 1CA'), ('SW1A 1AI'), ('SW1A 1KA'), ('SW1A 1AM'), ('SW1A 1OA'), ('SW1A 1AV') -- unit letters
       ) AS v(input);
\pset format aligned
\pset fieldsep '|'

-- One error as a client sees it, with its hint.
SELECT 'EC1C 1AA'::postcode;
SELECT 'sw1a'::postcode;

-- is_valid_postcode never raises, and is STRICT.
SELECT input, is_valid_postcode(input)
  FROM (VALUES ('SW1A 1AA'), ('sw1a1aa'), ('GIR 0AA'), ('SW1A 1AI'), (''), ('E05 1AA'),
               ('🙂'), (NULL)) AS v(input);

-- ------------------------------------------------- exhaustive grammar check
-- Every outward code of one or two letters and one or two further
-- characters (digit, digit+digit, digit+letter) with inward 1AA, and every
-- inward code after SW1A, checked against an independent regular expression of
-- the Royal Mail grammar; no two-digit district number starts with 0.
CREATE TEMP TABLE outward_candidates AS
SELECT a.a || d.d AS outward
  FROM (SELECT chr(l1) AS a FROM generate_series(65, 90) l1
        UNION ALL
        SELECT chr(l1) || chr(l2) FROM generate_series(65, 90) l1, generate_series(65, 90) l2) a,
       (SELECT n::text AS d FROM generate_series(0, 9) n
        UNION ALL SELECT lpad(n::text, 2, '0') FROM generate_series(0, 99) n
        UNION ALL SELECT n::text || chr(l) FROM generate_series(0, 9) n, generate_series(65, 90) l) d;
CREATE TEMP TABLE inward_candidates AS
SELECT s::text || chr(l1) || chr(l2) AS inward
  FROM generate_series(0, 9) s, generate_series(65, 90) l1, generate_series(65, 90) l2;
CREATE TEMP TABLE grammar AS
SELECT c, is_valid_postcode(c) AS valid,
       c ~ ('^([A-PR-UWYZ][0-9]|[A-PR-UWYZ][1-9][0-9]|[A-PR-UWYZ][0-9][ABCDEFGHJKPSTUW]'
            '|[A-PR-UWYZ][A-HK-Y][0-9]|[A-PR-UWYZ][A-HK-Y][1-9][0-9]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])'
            ' [0-9][ABD-HJLNP-UW-Z]{2}$') AS expected
  FROM (SELECT outward || ' 1AA' AS c FROM outward_candidates
        UNION ALL SELECT 'SW1A ' || inward FROM inward_candidates) x;
SELECT count(*) AS candidates, count(*) FILTER (WHERE valid) AS valid,
       count(*) FILTER (WHERE valid IS DISTINCT FROM expected) AS disagreements
  FROM grammar;
-- Every valid candidate round-trips through text, and through each case and
-- whitespace variant; all are distinct values.
SELECT count(*) AS valid,
       bool_and(c::postcode::text = c) AS round_trip,
       bool_and(lower(c)::postcode = c::postcode) AS lower_case,
       bool_and(replace(c, ' ', '')::postcode = c::postcode) AS no_space,
       bool_and((E' \t' || replace(c, ' ', '   ') || E'\n')::postcode = c::postcode) AS extra_space,
       count(DISTINCT c::postcode) = count(DISTINCT c) AS injective
  FROM grammar WHERE valid;

-- Random mutations of valid postcodes (a character inserted, deleted or
-- replaced, case changed, whitespace added anywhere) agree with the same
-- grammar written as one regular expression over the raw input.
CREATE TEMP TABLE mutated AS
WITH base AS (
    SELECT c FROM grammar WHERE valid ORDER BY random() LIMIT 40000
), alphabet AS (
    SELECT 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789  ' || E'\t\n' || '-.é' AS a
), m AS (
    SELECT b.c, k, 1 + floor(random() * (length(b.c) + 1))::int AS pos,
           substr(a.a, 1 + floor(random() * length(a.a))::int, 1) AS ch,
           floor(random() * 4)::int AS op
      FROM base b, alphabet a, generate_series(1, 3) k
)
SELECT CASE op
         WHEN 0 THEN overlay(c PLACING ch FROM pos FOR 0)          -- insert
         WHEN 1 THEN overlay(c PLACING '' FROM pos FOR 1)          -- delete
         WHEN 2 THEN overlay(c PLACING ch FROM pos FOR 1)          -- replace
         ELSE lower(c) || repeat(' ', pos % 3)                      -- case, trailing space
       END AS x
  FROM m
UNION ALL SELECT 'GIR 0AA' UNION ALL SELECT ' gir0aa ';
SELECT count(*) FILTER (WHERE is_valid_postcode(x)) > 1000 AS some_valid,
       count(*) FILTER (WHERE NOT is_valid_postcode(x)) > 1000 AS some_invalid,
       count(*) FILTER (WHERE is_valid_postcode(x) <>
           (upper(x) ~ ('^[ \t\n\r\f\v]*'
              '([A-PR-UWYZ][0-9]|[A-PR-UWYZ][1-9][0-9]|[A-PR-UWYZ][0-9][ABCDEFGHJKPSTUW]'
              '|[A-PR-UWYZ][A-HK-Y][0-9]|[A-PR-UWYZ][A-HK-Y][1-9][0-9]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]|GIR)'
              '[ \t\n\r\f\v]*'
              '([0-9][ABD-HJLNP-UW-Z]{2})'
              '[ \t\n\r\f\v]*$')
            AND (upper(x) !~ 'GIR' OR upper(regexp_replace(x, '[ \t\n\r\f\v]', '', 'g')) = 'GIR0AA'))) AS disagreements,
       bool_and(x::postcode::text = regexp_replace(upper(regexp_replace(x, '[ \t\n\r\f\v]', '', 'g')), '(...)$', ' \1'))
           FILTER (WHERE is_valid_postcode(x)) AS round_trip
  FROM mutated;

-- ---------------------------------------------------------------- natural order
SELECT 'SW2 1AA'::postcode < 'SW10 1AA'::postcode AS "SW2 < SW10",
       'E1 6AN'::postcode < 'E1W 1AA'::postcode AS "E1 6AN < E1W 1AA",
       'E1W 1AA'::postcode < 'E2 0AA'::postcode AS "E1W 1AA < E2 0AA",
       'E9 9ZZ'::postcode < 'E10 0AA'::postcode AS "E9 < E10",
       'E99 9ZZ'::postcode < 'EC1A 1AA'::postcode AS "E < EC",
       'GH1 1AA'::postcode < 'GIR 0AA'::postcode AND 'GIR 0AA'::postcode < 'GL1 1AA'::postcode AS "GIR between GH and GL",
       'BB99 9ZZ'::postcode < 'BBND 1ZZ'::postcode AND 'BBND 1ZZ'::postcode < 'BD1 1AA'::postcode AS "BBND after BB, before BD",
       'ST99 9ZZ'::postcode < 'STHL 1ZZ'::postcode AND 'STHL 1ZZ'::postcode < 'SW1 1AA'::postcode AS "STHL after ST, before SW";
-- The territories sort as their text does, among the postcodes of their
-- first two letters' area.
SELECT array_agg(p ORDER BY p) = array_agg(p ORDER BY p::text COLLATE "C") AS text_order
  FROM unnest('{ASCN 1ZZ, AL1 1AA, B1 1AA, BB1 1AA, BB18 9ZZ, BBND 1ZZ, BD1 1AA, BIQQ 1ZZ, BL1 1AA,
                FIQQ 1ZZ, FK1 1AA, PA1 1AA, PCRN 1ZZ, PE1 1AA, SIQQ 1ZZ, SK1 1AA, ST1 1AA,
                STHL 1ZZ, SW1 1AA, TD1 1AA, TDCU 1ZZ, TF1 1AA, TKCA 1ZZ, TN1 1AA}'::postcode[]) p;
SELECT p FROM unnest('{SW10 1AA, E2 0AA, EC1A 1BB, E1W 1AA, SW2 1AA, E1 6AN, E10 1AA, E1 6AA, SW1A 2AA, SW1A 1AA, SW1 1AA, W1A 0AX, W1 1AA, W10 1AA, GIR 0AA}'::postcode[]) p
 ORDER BY p;
-- All valid grammar candidates: ordering by postcode is ordering by (area,
-- district number as a number, district letter, sector, unit).
SELECT count(*) AS compared,
       count(*) FILTER (WHERE by_key <> by_postcode) AS out_of_order
  FROM (SELECT row_number() OVER (ORDER BY c::postcode) AS by_postcode,
               row_number() OVER (ORDER BY substring(c FROM '^[A-Z]+') COLLATE "C",
                                           substring(c FROM '^[A-Z]+([0-9]+)')::int,
                                           substring(c FROM '^[A-Z]+[0-9]+([A-Z]?) ') COLLATE "C",
                                           substring(c FROM ' (.*)$') COLLATE "C") AS by_key
          FROM grammar WHERE valid) o;
-- Comparison operators agree with each other and with the btree comparator.
SELECT bool_and((a = b) = (civic.postcode_cmp(a, b) = 0)
            AND (a <> b) = (civic.postcode_cmp(a, b) <> 0)
            AND (a < b) = (civic.postcode_cmp(a, b) < 0)
            AND (a <= b) = (civic.postcode_cmp(a, b) <= 0)
            AND (a > b) = (civic.postcode_cmp(a, b) > 0)
            AND (a >= b) = (civic.postcode_cmp(a, b) >= 0)
            AND (a = b) = (civic.postcode_hash(a) = civic.postcode_hash(b) AND a::text = b::text)
            AND (a <> b OR civic.postcode_hash_extended(a, 7) = civic.postcode_hash_extended(b, 7))) AS consistent
  FROM unnest('{E1 6AN, E1W 1AA, E2 0AA, SW2 1AA, SW10 1AA, GIR 0AA, EC1A 1BB}'::postcode[]) a,
       unnest('{E1 6AN, e1w1aa, E2 0AA, SW2 1AA, SW10 1AA, gir 0aa, EC1A 1BB}'::postcode[]) b;

-- min and max follow the natural order (SW2 before SW10), not the text order,
-- and a parallel plan (partial aggregates combined) gives the same answer.
SELECT min(p), max(p), min(p::text) AS text_min, max(p::text) AS text_max
  FROM unnest('{SW10 1AA, SW2 1AA, SW9 9ZZ, E1W 1AA}'::postcode[]) p;
CREATE TABLE postcode_test.many AS
SELECT ('SW' || d || ' ' || inward)::postcode AS p
  FROM generate_series(1, 20) d, inward_candidates
 WHERE is_valid_postcode('SW' || d || ' ' || inward);
ANALYZE many;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT min(p), max(p) FROM many;
SELECT min(p), max(p), count(*) FROM many;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- ------------------------------------------------------------------ components
SELECT p, postcode_area(p) AS area, postcode_district(p) AS district,
       postcode_sector(p) AS sector, postcode_outward(p) AS outward,
       postcode_inward(p) AS inward
  FROM unnest('{M1 1AE, B33 8TH, W1A 0AX, CR2 6XH, DN55 1PT, EC1A 1BB, GIR 0AA, ASCN 1ZZ}'::postcode[]) p;

-- ----------------------------------------------------------------------- casts
SELECT 'sw1a1aa'::text::postcode AS from_text,
       'SW1A 1AA'::postcode::text AS to_text,
       pg_typeof('SW1A 1AA'::postcode::text) AS to_type,
       postcode(' e1w 1aa ') AS cast_function,
       pg_column_size('SW1A 1AA'::postcode) AS bytes;
SELECT 'SW1A 1AI'::text::postcode;
CREATE TEMP TABLE assigned (p postcode);
INSERT INTO assigned SELECT 'n1c4ax'::text;   -- assignment cast from text
SELECT p FROM assigned;

-- --------------------------------------------------------- plans: btree, hash
CREATE TABLE postcode_test.addresses AS
SELECT (outward || ' ' || inward)::postcode AS p, row_number() OVER () AS id
  FROM (VALUES ('E1'), ('E1W'), ('E2'), ('SW1A'), ('SW2'), ('SW10'), ('EC1A'), ('N1C')) o(outward),
       inward_candidates i
 WHERE is_valid_postcode(outward || ' ' || inward);
CREATE TABLE postcode_test.wanted AS
SELECT p FROM postcode_test.addresses WHERE id % 7 = 0;
CREATE INDEX addresses_p ON postcode_test.addresses (p);
ANALYZE postcode_test.addresses, postcode_test.wanted;

SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM addresses WHERE p = 'E1W 1AA';
SELECT p, id > 0 AS found FROM addresses WHERE p = 'e1w1aa';
EXPLAIN (COSTS OFF) SELECT p FROM addresses WHERE p >= 'SW2 0AA' AND p < 'SW10 0AA' ORDER BY p;
SELECT count(*), min(p), max(p)
  FROM addresses WHERE p >= 'SW2 0AA' AND p < 'SW10 0AA';
EXPLAIN (COSTS OFF) SELECT max(p) FROM addresses;
SELECT max(p) FROM addresses;
RESET enable_seqscan;
RESET enable_bitmapscan;

CREATE INDEX addresses_p_hash ON postcode_test.addresses USING hash (p);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
DROP INDEX addresses_p;
EXPLAIN (COSTS OFF) SELECT * FROM addresses WHERE p = 'E1W 1AA';
SELECT p FROM addresses WHERE p = 'E1W 1AA';
RESET enable_seqscan;
RESET enable_bitmapscan;
DROP INDEX addresses_p_hash;

SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM addresses a JOIN wanted w ON a.p = w.p;
SELECT count(*) AS hash_joined, (SELECT count(*) FROM wanted) AS wanted
  FROM addresses a JOIN wanted w ON a.p = w.p;
RESET enable_mergejoin;
SET enable_hashjoin = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM addresses a JOIN wanted w ON a.p = w.p;
SELECT count(*) AS merge_joined FROM addresses a JOIN wanted w ON a.p = w.p;
RESET enable_hashjoin;
RESET enable_nestloop;
-- Hash aggregation and sorted aggregation (DISTINCT) agree.
SET enable_hashagg = off;
SELECT count(*) AS sorted_distinct FROM (SELECT DISTINCT p FROM addresses) d;
RESET enable_hashagg;
SET enable_sort = off;
SELECT count(*) AS hashed_distinct FROM (SELECT DISTINCT p FROM addresses) d;
RESET enable_sort;

-- ------------------------------------------------------------- binary format
-- COPY out and back in binary: every value survives.
CREATE TEMP TABLE binary_in (p postcode, id bigint);
DO $$
DECLARE f text := '/tmp/civic_postcode_' || current_setting('port') || '.bin';
BEGIN
    EXECUTE format('COPY postcode_test.addresses (p, id) TO %L WITH (FORMAT binary)', f);
    EXECUTE format('COPY binary_in (p, id) FROM %L WITH (FORMAT binary)', f);
END
$$;
SELECT count(*) AS copied, (SELECT count(*) FROM addresses) AS original,
       count(*) FILTER (WHERE a.p IS NOT DISTINCT FROM b.p) AS identical
  FROM binary_in b LEFT JOIN addresses a USING (id);
-- The stored values of 0.1.0 are unchanged (these three are the 0.1.0
-- bytes); a territory uses the district key 510, unused before.
SELECT p, postcode_send(p) FROM unnest('{SW1A 1AA, E1 6AN, GIR 0AA, ASCN 1ZZ, TKCA 1ZZ}'::postcode[]) p;

-- The receive function is as strict as text input: 4-byte values that no
-- valid postcode produces are refused.  Valid values first, as a control.
CREATE TEMP TABLE raw (v int4);
CREATE TEMP TABLE received (p postcode);
CREATE FUNCTION postcode_test.try_recv(v int4,
                                       OUT code text, OUT message text, OUT detail text)
LANGUAGE plpgsql AS $$
DECLARE f text := '/tmp/civic_postcode_' || current_setting('port') || '.bin';
BEGIN
    TRUNCATE raw, received;
    INSERT INTO raw VALUES (v);
    EXECUTE format('COPY raw TO %L WITH (FORMAT binary)', f);
    EXECUTE format('COPY received FROM %L WITH (FORMAT binary)', f);
    code := '00000';
    message := (SELECT p::text FROM received);
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE,
                            message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
END
$$;
\pset format unaligned
\pset fieldsep ' | '
SELECT what, (try_recv(v)).*
  FROM (VALUES ('SW1A 1AA as sent',    ('x' || substr(postcode_send('SW1A 1AA')::text, 3))::bit(32)::int4),
               ('GIR 0AA as sent',     ('x' || substr(postcode_send('GIR 0AA')::text, 3))::bit(32)::int4),
               ('zero',                0),
               ('negative',            -1),
               ('area letter 0',       (0 << 26) | (1 << 21) | (22 << 12)),
               ('area letter 27',      (27 << 26) | (22 << 12)),
               ('first letter Q',      (17 << 26) | (22 << 12)),
               ('second letter J',     (1 << 26) | (10 << 21) | (22 << 12)),
               ('district key 310',    (5 << 26) | (310 << 12)),
               ('A9A letter M',        (5 << 26) | ((22 + 11) << 12)),
               ('AA9A letter C',       (5 << 26) | (3 << 21) | ((22 + 3) << 12)),
               ('inward key 4000',     (5 << 26) | (22 << 12) | 4000),
               ('GIR key, other area', (5 << 26) | (511 << 12)),
               ('GIR, other inward',   (7 << 26) | (9 << 21) | (511 << 12) | 1),
               ('STHL 1ZZ as sent',    ('x' || substr(postcode_send('STHL 1ZZ')::text, 3))::bit(32)::int4),
               ('territory key, other area', (5 << 26) | (3 << 21) | (510 << 12) | 799),
               ('territory, other inward',   (19 << 26) | (20 << 21) | (510 << 12) | 800),
               ('district key 509',    (19 << 26) | (20 << 21) | (509 << 12) | 799)
       ) AS v(what, v);
\pset format aligned
\pset fieldsep '|'

-- --------------------------------------------------------------------- prefixes
-- p ^@ prefix: the postcode is in the area, outward code or sector (or is
-- the postcode given).  Checked against the text of every address.
SELECT prefix,
       count(*) FILTER (WHERE p ^@ prefix) AS matching,
       count(*) FILTER (WHERE (p ^@ prefix) <> (p::text ~ ('^' || pattern))) AS disagreements
  FROM addresses,
       (VALUES ('E', 'E[0-9]'), ('e1', 'E1 '), ('E1W', 'E1W '), ('SW', 'SW[0-9]'), ('SW1A', 'SW1A '),
               ('sw1a 1', 'SW1A 1'), ('  SW10   9 ', 'SW10 9'), ('N1C 4', 'N1C 4'),
               ('EC', 'EC[0-9]'), ('SW1A 1AA', 'SW1A 1AA$'), ('W1', 'W1 ')) AS v(prefix, pattern)
 GROUP BY prefix ORDER BY prefix;
SELECT 'ASCN 1ZZ'::postcode ^@ 'ASCN' AS territory, 'ASCN 1ZZ'::postcode ^@ 'AS' AS territory_area,
       'GIR 0AA'::postcode ^@ 'GIR 0' AS gir_sector, 'GIR 0AA'::postcode ^@ 'G' AS not_area_g,
       'SW1A 1AA'::postcode ^@ NULL AS null_prefix;
-- Not a prefix: an error, as a client sees it.
SELECT 'SW1A 1AA'::postcode ^@ 'SW1A 1A';
SELECT 'SW1A 1AA'::postcode ^@ 'SW1A1';
CREATE FUNCTION postcode_test.try_prefix(prefix text, OUT code text, OUT message text)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 'SW1A 1AA'::civic.postcode OPERATOR(civic.^@) prefix;
    code := '00000';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
END
$$;
SELECT prefix, (try_prefix(prefix)).*
  FROM (VALUES (''), ('Q'), ('SWX'), ('SW1A 1 A'), ('S-W'), ('SW1A 12'), ('ASCN 2'), ('AI')) v(prefix);
-- With a constant prefix the btree index on a postcode is used: the
-- operator becomes an exact range condition (no recheck filter).
CREATE INDEX addresses_p ON postcode_test.addresses (p);
ANALYZE postcode_test.addresses;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT p FROM addresses WHERE p ^@ 'SW1A 1';
EXPLAIN (COSTS OFF) SELECT p FROM addresses WHERE p ^@ 'SW1A';
EXPLAIN (COSTS OFF) SELECT p FROM addresses WHERE p ^@ 'E';
EXPLAIN (COSTS OFF) SELECT p FROM addresses WHERE p ^@ 'ASCN 1ZZ';
SELECT count(*) AS index_scan, min(p), max(p) FROM addresses WHERE p ^@ 'SW1A 1';
SELECT count(*) AS index_scan, min(p), max(p) FROM addresses WHERE p ^@ 'E';
RESET enable_seqscan;
RESET enable_bitmapscan;
-- The prefix taken row by row from a column (no index condition): the same answers.
SELECT v.prefix, count(a.p) AS matching
  FROM (VALUES ('SW1A 1'), ('E')) v(prefix) LEFT JOIN addresses a ON a.p ^@ v.prefix
 GROUP BY v.prefix ORDER BY v.prefix;

DROP SCHEMA postcode_test CASCADE;
RESET search_path;
