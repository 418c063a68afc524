-- Statistical tests of the DP noise: mean and variance against theory,
-- chi-square goodness of fit, outputs on the published grid, error-bar
-- coverage, exponential-mechanism accuracy.
--
-- False-failure budget (a correct implementation fails this file with
-- probability below 1e-7):
--   * 16 z-tests at |z| < 6, each false alarm p = 2.0e-9 (normal
--     approximation of a mean of >= 2000 i.i.d. samples with finite fourth
--     moments)                                            16 * 2.0e-9 = 3.2e-8
--   * 4 chi-square tests at their 1e-8 critical value
--     (df 22: 81.27, df 32: 98.72, twice df 9: 55.46)      4 * 1e-8   = 4e-8
--   * 2 exponential-mechanism accuracy bounds: P(rank error >
--     OPT + 2 (ln 1025 + 25) / epsilon) <= e^-25 per output (McSherry-
--     Talwar), 200 outputs each                        2 * 200 * 1.4e-11 = 5.6e-9
--   * grid, range and coverage-lower-bound checks are exact or included
--     in the z-tests above; "laplace_precise" (the standard deviation of
--     2000 dp_avg releases below 0.2, about 8 times its true value 0.026)
--     fails with probability far below 1e-12.
-- Total < 8e-8.
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS dp_test;
-- 40000 groups of 10 rows; v is an integer in [0, 9] (exact on every grid).
CREATE TABLE dp_test.ten AS
    SELECT g / 10 AS grp, (g % 10)::float8 AS v FROM generate_series(0, 399999) g;
ANALYZE dp_test.ten;

-- Discrete Laplace pmf with p = exp(-rate), and the discrete Gaussian's;
-- theory sums run over |y| <= 1000 (Laplace, rate 0.5: tail < 1e-200) and
-- |y| <= 150 (Gaussian, sigma^2 < 29: tail < 1e-160).
CREATE FUNCTION dp_test.lap_pmf(y bigint, rate float8) RETURNS float8
LANGUAGE sql IMMUTABLE AS
$$ SELECT (1 - exp(-rate)) / (1 + exp(-rate)) * exp(-rate * abs(y)) $$;
-- Discrete Gaussian pmf, sigma^2 = s2, normalised over |y| <= 150.
CREATE FUNCTION dp_test.gau_pmf(y bigint, s2 float8) RETURNS float8
LANGUAGE sql IMMUTABLE AS
$$ SELECT exp(-y * y / (2 * s2)) /
          (SELECT sum(exp(-k * k / (2 * s2))) FROM generate_series(-150, 150) k) $$;
-- sigma^2 / sensitivity^2 of civic's Gaussian mechanism (docs/dp.md).
CREATE FUNCTION dp_test.gau_s2(eps float8, delta float8) RETURNS float8
LANGUAGE sql IMMUTABLE AS
$$ SELECT ((sqrt(ln(1 / delta) + eps) + sqrt(ln(1 / delta))) / (eps * sqrt(2))) ^ 2 $$;

-- z-test of mean and variance of samples against theory (mu, var, mu4 the
-- theoretical mean, variance and fourth central moment).
CREATE FUNCTION dp_test.moments_ok(samples float8[], mu float8, var float8, mu4 float8,
                                   OUT n bigint, OUT mean_ok boolean, OUT var_ok boolean)
LANGUAGE sql IMMUTABLE AS $$
    SELECT count(*),
           abs(avg(x) - mu) / sqrt(var / count(*)) < 6,
           abs(avg((x - mu) ^ 2) - var) / sqrt((mu4 - var ^ 2) / count(*)) < 6
      FROM unnest(samples) x
$$;

-- ---------------------------------------------------------------- dp_count
-- Laplace, epsilon = 0.5 (exactly representable): p = e^-0.5.
CREATE TABLE dp_test.count_lap AS
    SELECT civic.dp_count(0.5) - count(*) AS y FROM dp_test.ten GROUP BY grp;
SELECT (m).* FROM (
    SELECT dp_test.moments_ok(
        (SELECT array_agg(y::float8) FROM dp_test.count_lap), 0,
        (SELECT sum(y * y * dp_test.lap_pmf(y, 0.5)) FROM generate_series(-1000, 1000) y),
        (SELECT sum(y ^ 4 * dp_test.lap_pmf(y, 0.5)) FROM generate_series(-1000, 1000) y)) AS m) s;
-- Goodness of fit: bins -10..10 and the two tails (23 bins, df 22).
WITH obs AS (SELECT greatest(-11, least(11, y)) AS b, count(*) AS o FROM dp_test.count_lap GROUP BY 1),
     th AS (SELECT greatest(-11, least(11, y)) AS b, sum(dp_test.lap_pmf(y, 0.5)) AS p
              FROM generate_series(-1000, 1000) y GROUP BY 1),
     n AS (SELECT count(*) AS n FROM dp_test.count_lap)
SELECT count(*) AS bins, min(n * p) > 50 AS expected_ge_50,
       sum((coalesce(o, 0) - n * p) ^ 2 / (n * p)) < 81.27 AS chi2_ok
  FROM th LEFT JOIN obs USING (b), n;

-- Gaussian, epsilon = 1, delta = 1e-6.
CREATE TABLE dp_test.count_gau AS
    SELECT civic.dp_count(1.0, 1e-6) - count(*) AS y FROM dp_test.ten GROUP BY grp;
SELECT (m).* FROM (
    SELECT dp_test.moments_ok(
        (SELECT array_agg(y::float8) FROM dp_test.count_gau), 0,
        (SELECT sum(y * y * dp_test.gau_pmf(y, dp_test.gau_s2(1, 1e-6))) FROM generate_series(-150, 150) y),
        (SELECT sum(y ^ 4 * dp_test.gau_pmf(y, dp_test.gau_s2(1, 1e-6))) FROM generate_series(-150, 150) y)) AS m) s;
-- Goodness of fit: bins -15..15 and the two tails (33 bins, df 32).
WITH obs AS (SELECT greatest(-16, least(16, y)) AS b, count(*) AS o FROM dp_test.count_gau GROUP BY 1),
     th AS (SELECT greatest(-16, least(16, y)) AS b, sum(dp_test.gau_pmf(y, dp_test.gau_s2(1, 1e-6))) AS p
              FROM generate_series(-150, 150) y GROUP BY 1),
     n AS (SELECT count(*) AS n FROM dp_test.count_gau)
SELECT count(*) AS bins, min(n * p) > 50 AS expected_ge_50,
       sum((coalesce(o, 0) - n * p) ^ 2 / (n * p)) < 98.72 AS chi2_ok
  FROM th LEFT JOIN obs USING (b), n;

-- Error bar: the 90% half-width covers at least 90% of the noise (exact
-- for the discrete Laplace) and the observed coverage matches theory.
WITH h AS (SELECT civic.dp_count_error(0.5, 0.9) AS h),
     th AS (SELECT sum(dp_test.lap_pmf(y, 0.5)) AS cover FROM generate_series(-1000, 1000) y, h WHERE abs(y) <= h.h),
     obs AS (SELECT avg((abs(y) <= h.h)::int) AS cover, count(*) AS n FROM dp_test.count_lap, h)
SELECT th.cover >= 0.9 AS theory_covers,
       abs(obs.cover - th.cover) / sqrt(th.cover * (1 - th.cover) / obs.n) < 6 AS observed_matches
  FROM th, obs;

-- --------------------------------------------------------- dp_sum(float8)
-- [0, 10], epsilon = 1: grid 2^-16, sensitivity 10 * 2^16 units; the noise
-- is discrete Laplace with rate 1/655360 per unit, i.e. variance
-- 2 p / (1 - p)^2 * 2^-32 = 200 (within 1e-5 relative) and fourth central
-- moment 24 * 10^4 (Laplace, same precision).
CREATE TABLE dp_test.sum_lap AS
    SELECT civic.dp_sum(v, 0, 10, 1.0) - sum(v) AS y FROM dp_test.ten GROUP BY grp;
SELECT bool_and(y * 65536 = trunc(y * 65536)) AS on_grid FROM dp_test.sum_lap;
SELECT (dp_test.moments_ok((SELECT array_agg(y) FROM dp_test.sum_lap), 0, 200, 240000)).*;
-- Values outside the bounds are clamped: v + 100 clamps to 10 per row.
SELECT abs(avg(y)) / sqrt(200.0 / count(*)) < 6 AS clamped_mean_ok FROM (
    SELECT civic.dp_sum(v + 100, 0, 10, 1.0) - 10 * count(*) AS y FROM dp_test.ten GROUP BY grp) s;

-- Gaussian, [0, 10], epsilon = 1, delta = 1e-6: sigma = 10 * multiplier on
-- the same grid; the discrete Gaussian of such a sigma (8e5 units) has
-- variance sigma^2 and fourth moment 3 sigma^4 to far better than 1e-6.
CREATE TABLE dp_test.sum_gau AS
    SELECT civic.dp_sum(v, 0, 10, 1.0, 1e-6) - sum(v) AS y FROM dp_test.ten GROUP BY grp;
SELECT bool_and(y * 65536 = trunc(y * 65536)) AS on_grid,
       civic.dp_sum_grid(0, 10, 1.0, 1e-6) = 2 ^ -16 AS grid_published
  FROM dp_test.sum_gau;
SELECT (dp_test.moments_ok((SELECT array_agg(y) FROM dp_test.sum_gau), 0,
                           100 * dp_test.gau_s2(1, 1e-6), 3 * (100 * dp_test.gau_s2(1, 1e-6)) ^ 2)).*;

-- --------------------------------------------------------- dp_sum(bigint)
-- [0, 1000], epsilon = 1: integer grid, discrete Laplace with rate 1/1000.
CREATE TABLE dp_test.sum_int AS
    SELECT civic.dp_sum(v::bigint, 0, 1000, 1.0) - sum(v) AS y FROM dp_test.ten GROUP BY grp;
SELECT (dp_test.moments_ok((SELECT array_agg(y::float8) FROM dp_test.sum_int), 0,
        2 * exp(-0.001) / (1 - exp(-0.001)) ^ 2,
        (SELECT sum(y::float8 ^ 4 * dp_test.lap_pmf(y, 0.001)) FROM generate_series(-200000, 200000) y))).*;
-- Bounds above 2^20 use the grid 2^(bits - 20): here 2^21.
SELECT bool_and(s % 2097152 = 0) AS on_grid_2_21
  FROM (SELECT civic.dp_sum(g::bigint, 0, 1099511627776, 1.0) AS s
          FROM generate_series(1, 2000) g GROUP BY g % 200) s;

-- -------------------------------------------------------- dp_sum(numeric)
-- [0, 10]: decimal grid 10^-4; Laplace scale 10 (variance 200, mu4 240000).
CREATE TABLE dp_test.sum_num AS
    SELECT civic.dp_sum(v::numeric, 0, 10, 1.0) - sum(v::numeric) AS y FROM dp_test.ten GROUP BY grp;
SELECT bool_and(y = round(y, 4)) AS on_grid FROM dp_test.sum_num;
SELECT (dp_test.moments_ok((SELECT array_agg(y::float8) FROM dp_test.sum_num), 0, 200, 240000)).*;

-- ----------------------------------------------------------------- dp_avg
-- 2000 groups of 550 rows, each holding 0..10 fifty times: mean 5, the
-- centre of [0, 10], where the release is unbiased (the noisy centred sum
-- is symmetric and independent of the noisy count).
CREATE TABLE dp_test.avg AS
    SELECT civic.dp_avg((g % 11)::float8, 0, 10, 1.0) AS a,
           civic.dp_avg((g % 11)::float8, 0, 10, 1.0, 1e-6) AS ag
      FROM generate_series(0, 1099999) g GROUP BY g / 550;
SELECT bool_and(a BETWEEN 0 AND 10 AND ag BETWEEN 0 AND 10) AS in_range,
       bool_and(a * 65536 = trunc(a * 65536)) AS on_grid,
       abs(avg(a) - 5) / (stddev(a) / sqrt(count(*))) < 6 AS laplace_unbiased,
       abs(avg(ag) - 5) / (stddev(ag) / sqrt(count(*))) < 6 AS gauss_unbiased,
       stddev(a) < 0.2 AS laplace_precise
  FROM dp_test.avg;

-- -------------------------------------------------- dp_median, dp_percentile
-- 200 groups holding 0..1000 once each.  With epsilon = 1 the rank error is
-- at most OPT + 2 (ln 1025 + 25) < 65 except with probability e^-25, so the
-- median lies in (436, 564] and the 90th percentile in (836, 965].
CREATE TABLE dp_test.pct AS
    SELECT civic.dp_median(v::float8, 0, 1000, 1.0) AS med,
           civic.dp_percentile(v::float8, 0.9, 0, 1000, 1.0) AS p90
      FROM generate_series(0, 1000) v, generate_series(1, 200) grp GROUP BY grp;
SELECT count(*) AS outputs,
       bool_and(abs(med - 500) <= 65) AS median_accurate,
       bool_and(abs(p90 - 900) <= 66) AS p90_accurate,
       bool_and(med * 1024 / 1000 = round(med * 1024 / 1000)) AS median_on_grid
  FROM dp_test.pct;

-- Goodness of fit of the exponential mechanism against its exact
-- distribution.  [0, 16] has the grid points x_j = j / 64; 20000 groups
-- hold 0..10 once each (n = 11), so x_j has rank r_j = min(ceil(j / 64), 11)
-- and probability proportional to exp(-epsilon / 2 |r_j - p n|).  Outputs
-- are binned by floor(x) (64 grid points each), x >= 9 in one bin: 10 bins,
-- df 9, for the median and the 25th percentile at epsilon = 1.
CREATE TABLE dp_test.em AS
    SELECT civic.dp_median(v::float8, 0, 16, 1.0) AS med,
           civic.dp_percentile(v::float8, 0.25, 0, 16, 1.0) AS p25
      FROM generate_series(1, 20000) grp, generate_series(0, 10) v GROUP BY grp;
WITH th AS (SELECT q, least(j / 64, 9) AS b,
                   sum(exp(-0.5 * abs(least(ceil(j / 64.0), 11) - q * 11))) AS w
              FROM generate_series(0, 1024) j, (VALUES (0.5), (0.25)) x(q) GROUP BY 1, 2),
     p AS (SELECT q, b, w / sum(w) OVER (PARTITION BY q) AS p FROM th),
     obs AS (SELECT q, least(floor(x * 64)::int / 64, 9) AS b, count(*) AS o
               FROM dp_test.em, LATERAL (VALUES (0.5, med), (0.25, p25)) y(q, x) GROUP BY 1, 2)
SELECT q AS quantile, count(*) AS bins, min(20000 * p) > 50 AS expected_ge_50,
       bool_and(x_ok) AS on_grid,
       sum((coalesce(o, 0) - 20000 * p) ^ 2 / (20000 * p)) < 55.46 AS chi2_ok
  FROM p LEFT JOIN obs USING (q, b),
       LATERAL (SELECT bool_and(med * 64 = trunc(med * 64) AND p25 * 64 = trunc(p25 * 64)) AS x_ok FROM dp_test.em) g
 GROUP BY q ORDER BY q;

DROP TABLE dp_test.em, dp_test.ten, dp_test.count_lap, dp_test.count_gau, dp_test.sum_lap, dp_test.sum_gau,
    dp_test.sum_int, dp_test.sum_num, dp_test.avg, dp_test.pct;
