-- Empirical privacy test on neighbouring datasets, in the style of
-- statistical DP testers (Ding, Wang, Wang, Zhang, Kifer, "Detecting
-- Violations of Differential Privacy", CCS 2018): run a mechanism many times
-- on D and on a neighbour D', estimate P[M(D) in E] and P[M(D') in E] for
-- events E, and check that the estimated privacy loss
-- |ln(P[M(D) in E] / P[M(D') in E])| shows no significant excess over the
-- claimed epsilon.  E = {output <= cut} is the worst-case event for the
-- discrete Laplace (its loss equals epsilon exactly), so the estimate is
-- also checked to be consistent with epsilon (the tester can see epsilon).
-- Each sample is one group of a GROUP BY: one evaluation, one noise draw.
--
-- Statistic: the log-ratio of two binomial proportions, standard error
-- sqrt((1 - q1)/(n q1) + (1 - q2)/(n q2)) (delta method, n >= 20000 and
-- n q >= 2000 here).  Assertions at 6 standard errors, p = 2.0e-9 each:
--   4 mechanisms x (no-excess + consistency) + the no-excess test of
--   dp_median = 9 tests, plus the per-value check of dp_count over at most
--   30 output values, plus the (epsilon, delta) test of the Gaussian count
--   at 5 cuts in both directions: at most 49 * 2.0e-9 < 1e-7 false failures
--   per run.
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS dp_test;

-- est(q1, q2, n, eps): the estimated loss and whether it is (a) not
-- significantly above eps, (b) consistent with eps (two-sided).
CREATE FUNCTION dp_test.loss(k1 bigint, k2 bigint, n bigint, eps float8,
                             OUT no_excess boolean, OUT consistent boolean)
LANGUAGE sql IMMUTABLE AS $$
    SELECT abs(ln(k1::float8 / k2)) - 6 * se <= eps,
           abs(abs(ln(k1::float8 / k2)) - eps) <= 6 * se
      FROM (SELECT sqrt((1 - k1::float8 / n) / k1 + (1 - k2::float8 / n) / k2) AS se) s
$$;

-- dp_count, epsilon = 0.5: D has 5 rows per group, D' has 6.
CREATE TABLE dp_test.cnt AS
    SELECT 'D' AS ds, civic.dp_count(0.5) AS y FROM generate_series(1, 250000) g GROUP BY g % 50000
    UNION ALL
    SELECT 'D''', civic.dp_count(0.5) FROM generate_series(1, 300000) g GROUP BY g % 50000;
SELECT 'dp_count' AS mechanism, (dp_test.loss(
    count(*) FILTER (WHERE ds = 'D' AND y <= 5), count(*) FILTER (WHERE ds = 'D''' AND y <= 5),
    50000, 0.5)).*
  FROM dp_test.cnt;
-- Every single output value seen often enough: no significant excess.
SELECT count(*) <= 30 AS values_tested, bool_and(abs(ln(kd::float8 / kn)) - 6 * sqrt(1.0 / kd + 1.0 / kn) <= 0.5) AS no_excess
  FROM (SELECT y, count(*) FILTER (WHERE ds = 'D') AS kd, count(*) FILTER (WHERE ds = 'D''') AS kn
          FROM dp_test.cnt GROUP BY y) s
 WHERE kd >= 500 AND kn >= 500;

-- dp_count, Gaussian, epsilon = 1, delta = 1e-6: P[M(D) in E] <=
-- e^eps P[M(D') in E] + delta, for E = {output <= cut}, up to 6 s.e.
CREATE TABLE dp_test.cntg AS
    SELECT 'D' AS ds, civic.dp_count(1.0, 1e-6) AS y FROM generate_series(1, 250000) g GROUP BY g % 50000
    UNION ALL
    SELECT 'D''', civic.dp_count(1.0, 1e-6) FROM generate_series(1, 300000) g GROUP BY g % 50000;
-- (D, with 5 rows, is the more likely to be <= cut, so that is the
-- direction that can fail; the reverse is checked too.)
SELECT 'dp_count gaussian' AS mechanism,
       bool_and(q2 - exp(1.0) * q1 <= 1e-6 + 6 * sqrt(q2 * (1 - q2) / 50000 + exp(2.0) * q1 * (1 - q1) / 50000)) AS no_excess,
       bool_and(q1 - exp(1.0) * q2 <= 1e-6 + 6 * sqrt(q1 * (1 - q1) / 50000 + exp(2.0) * q2 * (1 - q2) / 50000)) AS no_excess_reverse
  FROM (SELECT avg((y <= cut)::int) FILTER (WHERE ds = 'D''') AS q1,
               avg((y <= cut)::int) FILTER (WHERE ds = 'D') AS q2
          FROM dp_test.cntg, generate_series(-5, 15, 5) cut GROUP BY cut) s;

-- dp_count_units, epsilon = 0.5: D has units 1, 2 and 3 (unit 3 with 5
-- rows), D' lacks unit 3: the whole person is protected.
CREATE TABLE dp_test.units AS
    SELECT 'D' AS ds, civic.dp_count_units(u, 0.5) AS y
      FROM generate_series(1, 20000) grp, LATERAL (VALUES (1), (2), (3), (3), (3), (3), (3)) v(u) GROUP BY grp
    UNION ALL
    SELECT 'D''', civic.dp_count_units(u, 0.5)
      FROM generate_series(1, 20000) grp, LATERAL (VALUES (1), (2)) v(u) GROUP BY grp;
SELECT 'dp_count_units' AS mechanism, (dp_test.loss(
    count(*) FILTER (WHERE ds = 'D' AND y <= 2), count(*) FILTER (WHERE ds = 'D''' AND y <= 2),
    20000, 0.5)).*
  FROM dp_test.units;

-- dp_count(unit, max_rows => 3), epsilon = 0.5: unit 1 has one row in both
-- datasets; unit 9 has 10 rows in D and none in D'.  Its contribution is
-- capped at 3 (the sensitivity): capped counts 4 and 1.
CREATE TABLE dp_test.capped AS
    SELECT 'D' AS ds, civic.dp_count(u, 3, 0.5) AS y
      FROM generate_series(1, 20000) grp,
           LATERAL (SELECT 1 UNION ALL SELECT 9 FROM generate_series(1, 10)) v(u) GROUP BY grp
    UNION ALL
    SELECT 'D''', civic.dp_count(u, 3, 0.5)
      FROM generate_series(1, 20000) grp, LATERAL (VALUES (1)) v(u) GROUP BY grp;
SELECT 'dp_count(unit, max_rows)' AS mechanism, (dp_test.loss(
    count(*) FILTER (WHERE ds = 'D' AND y <= 1), count(*) FILTER (WHERE ds = 'D''' AND y <= 1),
    20000, 0.5)).*
  FROM dp_test.capped;

-- dp_sum(float8), [0, 10], epsilon = 0.5: D' adds one row of value 10.
CREATE TABLE dp_test.sums AS
    SELECT 'D' AS ds, civic.dp_sum(v, 0, 10, 0.5) AS y
      FROM generate_series(1, 20000) grp, LATERAL (VALUES (1.0::float8), (2.0)) x(v) GROUP BY grp
    UNION ALL
    SELECT 'D''', civic.dp_sum(v, 0, 10, 0.5)
      FROM generate_series(1, 20000) grp, LATERAL (VALUES (1.0::float8), (2.0), (10.0)) x(v) GROUP BY grp;
SELECT 'dp_sum' AS mechanism, (dp_test.loss(
    count(*) FILTER (WHERE ds = 'D' AND y <= 3), count(*) FILTER (WHERE ds = 'D''' AND y <= 3),
    20000, 0.5)).*
  FROM dp_test.sums;

-- dp_median, epsilon = 1 (the exponential mechanism's loss on one event is
-- at most epsilon; it need not reach it, so only the no-excess side holds).
CREATE TABLE dp_test.med AS
    SELECT 'D' AS ds, civic.dp_median(v::float8, 0, 10, 1.0) AS y
      FROM generate_series(1, 10000) grp, generate_series(0, 10) v GROUP BY grp
    UNION ALL
    SELECT 'D''', civic.dp_median(v::float8, 0, 10, 1.0)
      FROM generate_series(1, 10000) grp, (SELECT generate_series(0, 10) UNION ALL SELECT 10) x(v) GROUP BY grp;
SELECT 'dp_median' AS mechanism, (dp_test.loss(
    count(*) FILTER (WHERE ds = 'D' AND y < 5.5), count(*) FILTER (WHERE ds = 'D''' AND y < 5.5),
    10000, 1.0)).no_excess
  FROM dp_test.med;

DROP TABLE dp_test.cnt, dp_test.cntg, dp_test.units, dp_test.capped, dp_test.sums, dp_test.med;
