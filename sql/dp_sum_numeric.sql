-- dp_sum(numeric) converts each value exactly: clamped to [lower, upper]
-- and rounded half away from zero to the decimal grid 10^j, i.e. the
-- value released for one row is
--     round(least(greatest(v, lower), upper) * 10^-j) * 10^j + noise.
-- Each group below holds one value, so a group's release minus that SQL
-- formula is its noise alone.  The bound pairs give j = -4 and j = -3,
-- both a sensitivity of 10^5 grid units; at epsilon = 1e6 the discrete Laplace
-- noise is nonzero with probability 2p/(1 + p) < 9.1e-5 (p = e^-10).
-- Over the fewer than 8000 releases the number of nonzero differences is at
-- most Binomial(8000, 9.1e-5) (mean < 0.73); "conversion_exact" allows 11
-- of them and fails by chance with probability below 1e-10, while a
-- conversion that is wrong for a kind of value (halves, long fractions,
-- bounds, huge or tiny magnitudes) changes the release of every group
-- holding one.  "sum_exact" (20 groups, at most 4 nonzero) fails by chance
-- with probability below 1e-15.
SET client_min_messages = warning;
CREATE SCHEMA dp_numeric;

-- Values of many shapes: random values in and around the bounds with 0 to
-- 14 decimals and both signs, grid half points and their neighbours
-- 10^-12 away, the bounds themselves and their neighbours, huge and tiny
-- magnitudes, infinities, NaN, and long (compressed) values.
CREATE TABLE dp_numeric.v AS
    SELECT row_number() OVER () AS id, v
      FROM (SELECT round((random() * 30 - 15)::numeric, (random() * 14)::int) AS v
              FROM generate_series(1, 1500)
            UNION ALL
            SELECT (k + 0.5) / 10000 + d
              FROM generate_series(-100300, 100300, 401) k,
                   (VALUES (-1e-12), (0), (1e-12)) dd(d)
            UNION ALL
            SELECT (k + 0.5) / 1000 + d
              FROM generate_series(-300, 100300, 401) k,
                   (VALUES (-1e-12), (0), (1e-12)) dd(d)
            UNION ALL
            SELECT x::numeric
              FROM (VALUES ('-10.00004'), ('9.99996'), ('0'), ('100'), ('-10.00004000000001'),
                           ('-10.00003999999999'), ('9.99995999999999'), ('9.99996000000001'),
                           ('0.00005'), ('-0.00005'), ('0.000049999999'), ('-0.000049999999'),
                           ('99.99995'), ('100.00005'), ('1e100'), ('-1e100'), ('1e-100'),
                           ('-1e-100'), ('1e30'), ('-1e30'), ('123456789012345678901234567890.5'),
                           ('Infinity'), ('-Infinity'), ('NaN')) t(x)
            UNION ALL
            SELECT (s || repeat('3', 6000) || 'e-5996')::numeric
              FROM (VALUES (''), ('-')) t(s)) q;
ANALYZE dp_numeric.v;
SELECT count(*) = 2 AS has_compressed_values
  FROM dp_numeric.v WHERE length(v::text) > 6000 AND pg_column_size(v) < 1000;

-- [-10.00004, 9.99996]: bounds off the grid (they round to -10 and 10);
-- [0, 100]: bounds on the grid, j = -3.  Both: sensitivity 10^5 units.
CREATE TABLE dp_numeric.diff AS
    SELECT id,
           civic.dp_sum(v, -10.00004, 9.99996, 1e6)
             - coalesce(sum(round(least(greatest(v, -10.00004), 9.99996) * 10000))
                        FILTER (WHERE v <> 'NaN'), 0) / 10000 AS d1,
           civic.dp_sum(v, 0, 100, 1e6)
             - coalesce(sum(round(least(greatest(v, 0), 100) * 1000))
                        FILTER (WHERE v <> 'NaN'), 0) / 1000 AS d2
      FROM dp_numeric.v GROUP BY id;
SELECT count(*) FILTER (WHERE d1 <> 0) + count(*) FILTER (WHERE d2 <> 0) <= 11 AS conversion_exact,
       bool_and(d1 = round(d1, 4) AND d2 = round(d2, 3)) AS on_grid,
       2 * count(*) < 8000 AS few_releases
  FROM dp_numeric.diff;

-- The same values summed in 20 groups: each release minus the exact sum of
-- its converted values is one draw of the noise.
SELECT count(*) = 20 AS twenty, count(*) FILTER (WHERE d <> 0) <= 4 AS sum_exact
  FROM (SELECT civic.dp_sum(v, -10.00004, 9.99996, 1e6)
                 - coalesce(sum(round(least(greatest(v, -10.00004), 9.99996) * 10000))
                            FILTER (WHERE v <> 'NaN'), 0) / 10000 AS d
          FROM dp_numeric.v GROUP BY id % 20) s;

DROP SCHEMA dp_numeric CASCADE;
