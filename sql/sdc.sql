-- Statistical disclosure control: rounding and suppression by the UK
-- conventions, and the cell key method (docs/sdc.md).
SET client_min_messages = warning;

-- Rounding to a base: nearest multiple, halves away from zero.
SELECT v, civic.sdc_round(v) AS base5, civic.sdc_round(v, 10) AS base10, civic.sdc_round(v, 3) AS base3
  FROM unnest(ARRAY[0, 1, 2, 3, 7, 8, 12, 13, 15, 25, -2, -3, -7, 1000001]::bigint[]) v;
SELECT civic.sdc_round(9223372036854775807, 10);   -- overflows: error
SELECT civic.sdc_round(10, 0);                     -- bad base
SELECT civic.sdc_round(NULL, 5) IS NULL AS null_in_null_out;

-- Suppression: counts below the threshold other than 0 become NULL.
SELECT v, civic.sdc_suppress(v) AS t10, civic.sdc_suppress(v, 8) AS t8
  FROM unnest(ARRAY[0, 1, 7, 8, 9, 10, 11, -1]::bigint[]) v;
SELECT civic.sdc_suppress(5, 0);                   -- bad threshold
-- The NHS convention: suppress 1-7, round the rest to 5.
SELECT v, civic.sdc_round(civic.sdc_suppress(v, 8), 5) AS published
  FROM unnest(ARRAY[0, 3, 8, 12, 13]::bigint[]) v;

-- The shipped perturbation table.
SELECT name, max_perturbation, variance, small_count, key_range, shipped FROM civic.ckm_ptables;
-- For every original count: the key ranges partition [0, key_range) ...
SELECT original, min(key_low) = 0 AS starts_at_0, max(key_high) = 255 AS ends_at_255,
       sum(key_high - key_low + 1) = 256 AS covers_all,
       bool_and(key_low <= key_high + 1) AS ranges_ok
  FROM civic.ckm_ptable WHERE ptable = 'default' GROUP BY original ORDER BY original;
-- ... no published value is 1 or 2, none moves more than 5, zero stays zero,
-- and from 1 on the perturbation has mean 0 and variance 3 (before
-- quantisation to whole keys; after it, the bias is within 1/256 per value).
SELECT bool_and(published = 0 OR published > 2) AS no_small_counts,
       bool_and(abs(published - original) <= 5) AS within_5,
       bool_and(published = 0) FILTER (WHERE original = 0) AS zero_unperturbed
  FROM civic.ckm_ptable WHERE ptable = 'default';
SELECT original,
       abs(sum(probability * (published - original))) < 1e-9 AS unbiased,
       abs(sum(probability * (published - original) ^ 2) - 3) < 1e-9 AS variance_3,
       abs(sum((key_high - key_low + 1) / 256.0 * (published - original))) <= 5 / 256.0 * count(*) AS quantised_bias_small
  FROM civic.ckm_ptable WHERE ptable = 'default' AND original > 0 GROUP BY original ORDER BY original;

-- A table of one's own, and the errors.
SELECT civic.ckm_define_ptable('sdc_test_d3', 3, 2.5, 0, 1000) > 0 AS defined;
SELECT max(original) AS last_row, min(published) AS min_pub, max(key_high) AS max_key
  FROM civic.ckm_ptable WHERE ptable = 'sdc_test_d3';
SELECT civic.ckm_define_ptable('sdc_test_bad', 5, 1.5, 2);   -- infeasible for count 1
SELECT civic.ckm_define_ptable('sdc_test_bad', 0, 3, 2);     -- bad maximum
SELECT civic.ckm_define_ptable('sdc_test_bad', 5, 'NaN', 2); -- bad variance
\set VERBOSITY terse
SELECT civic.ckm_define_ptable('Bad Name', 5, 3, 2);         -- bad name
\set VERBOSITY default
SELECT civic.ckm_define_ptable('default', 5, 3, 2);          -- exists
SELECT count(*) AS half_made FROM civic.ckm_ptables WHERE name IN ('sdc_test_bad', 'Bad Name');
-- Only budget administrators (and superusers) define perturbation tables.
CREATE ROLE sdc_analyst;
SET ROLE sdc_analyst;
SELECT civic.ckm_define_ptable('sdc_mine', 5, 3, 2);
SELECT count(*) > 0 AS analyst_reads_default FROM civic.ckm_ptable WHERE ptable = 'default';
RESET ROLE;
DROP ROLE sdc_analyst;
SELECT civic.ckm_drop_ptable('default') IS NULL AS shipped_kept, civic.ckm_drop_ptable('sdc_test_d3') AS dropped;
SELECT count(*) AS rows_left FROM civic.ckm_ptable WHERE ptable = 'sdc_test_d3';

-- Record keys: a column with a secret random key per row, now and later.
CREATE TABLE sdc_people (id int PRIMARY KEY, ward text, grp int);
INSERT INTO sdc_people SELECT i, 'W' || (i % 500), i % 7 FROM generate_series(1, 20000) i;
SELECT civic.ckm_add_record_key('sdc_people');
SELECT civic.ckm_add_record_key('sdc_people');               -- already there
SELECT civic.ckm_add_record_key('sdc_people', 'k2', 1);      -- bad range
INSERT INTO sdc_people (id, ward, grp) VALUES (0, 'W0', 0);
SELECT count(*) = 20001 AS all_keyed, min(record_key) >= 0 AND max(record_key) <= 255 AS in_range
  FROM sdc_people WHERE record_key IS NOT NULL;
-- Uniform: chi-square over the 256 keys of 20,001 rows, 255 degrees of
-- freedom; 390 is the 1 - 1e-7 quantile, so a correct generator fails this
-- once in ten million runs.
SELECT sum((c - e) ^ 2 / e) < 390 AS keys_uniform
  FROM (SELECT count(p.record_key) AS c, 20001 / 256.0 AS e
          FROM generate_series(0, 255) k LEFT JOIN sdc_people p ON p.record_key = k GROUP BY k) x;

-- ckm_count: the same cell gets the same published count whatever the
-- query: another order, another grouping that yields the same cells, a
-- parallel plan, and (below) another session.
CREATE TABLE sdc_once AS SELECT ward, civic.ckm_count(record_key) AS n, count(*) AS true_n
  FROM sdc_people GROUP BY ward;
SELECT count(*) = 0 AS same_other_order
  FROM (SELECT ward, civic.ckm_count(record_key ORDER BY id DESC) AS n FROM sdc_people GROUP BY ward) x
  JOIN sdc_once o USING (ward) WHERE x.n <> o.n;
SELECT count(*) = 0 AS same_in_another_table
  FROM (SELECT ward, civic.ckm_count(record_key) AS n
          FROM (SELECT * FROM sdc_people ORDER BY random()) s GROUP BY ward, grp >= 0) x
  JOIN sdc_once o USING (ward) WHERE x.n <> o.n;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT civic.ckm_count(record_key) FROM sdc_people;
SELECT civic.ckm_count(record_key) = (SELECT civic.ckm_count(record_key) FROM (SELECT * FROM sdc_people OFFSET 0) s)
       AS parallel_same FROM sdc_people;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
-- Empty cells are 0; the named table gives the same as the default.
SELECT civic.ckm_count(record_key) AS empty FROM sdc_people WHERE false;
SELECT count(*) = 0 AS named_default_same
  FROM (SELECT ward, civic.ckm_count(record_key, 'default') AS n FROM sdc_people GROUP BY ward) x
  JOIN sdc_once o USING (ward) WHERE x.n <> o.n;
SELECT civic.ckm_count(record_key, 'no_such_table') FROM sdc_people;
SELECT civic.ckm_count(NULL::int);

-- Statistically: 500 cells of 40 records; published counts never 1 or 2,
-- off by at most 5, and unbiased: the mean perturbation of 500 cells has
-- standard deviation sqrt(3/500) = 0.077 (plus a quantisation bias below
-- 0.02), so |mean| < 0.45 fails a correct method with probability < 1e-8.
SELECT bool_and(n = 0 OR n > 2) AS no_small_counts,
       bool_and(abs(n - true_n) <= 5) AS within_5,
       abs(avg(n - true_n)) < 0.45 AS unbiased,
       count(*) FILTER (WHERE n <> true_n) > 0 AS some_perturbed
  FROM sdc_once;
-- Counts of 1 and 2 are never published.
SELECT bool_and(n = 0 OR n > 2) AS small_cells_moved
  FROM (SELECT civic.ckm_count(record_key) AS n FROM sdc_people GROUP BY id % 9000) x;

-- Another session sees the same published counts.
\c
SELECT count(*) = 0 AS same_in_new_session
  FROM (SELECT ward, civic.ckm_count(record_key) AS n FROM sdc_people GROUP BY ward) x
  JOIN sdc_once o USING (ward) WHERE x.n <> o.n;
DROP TABLE sdc_once, sdc_people;
