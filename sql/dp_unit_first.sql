-- Per-person dp_sum and dp_avg with the privacy unit first: the same
-- aggregates as dp_sum_per_unit / dp_avg_per_unit.
-- epsilon = 1e6 makes the noise small: Laplace scale 30/1e6, Gaussian sigma
-- about 0.021 for sensitivity 30 and delta 1e-9.  A deviation of 1 is then
-- over 40 standard deviations: the checks below fail falsely with
-- probability below 1e-300.
SET search_path = "$user", public, civic;  -- as the database's (sql/00_install.sql), so this file runs alone
CREATE TEMP TABLE visits (person text, pid bigint, amount float8);
INSERT INTO visits
SELECT 'p' || (g % 50), g % 50, (g % 7)::float8 FROM generate_series(1, 1000) g;
-- Per person: 20 rows with amounts summing to between 54 and 66.  Clamping
-- each person's total to [0, 30] gives 50 * 30 = 1500; clamping each row
-- would give the plain sum.
SELECT abs(civic.dp_sum(person, amount, 0, 30, 1e6) - 1500) < 1 AS per_person_sum,
       abs(civic.dp_sum_per_unit(person, amount, 0, 30, 1e6) - 1500) < 1 AS same_as_per_unit,
       abs(civic.dp_sum(person, amount, 0, 30, 1e6, 1e-9) - 1500) < 1 AS gaussian,
       abs(civic.dp_sum(pid, amount, 0, 30, 1e6, 1e-9) - 1500) < 1 AS bigint_unit_with_delta,
       abs(civic.dp_sum(amount, 0, 30, 1e6) - sum(amount)) < 1 AS row_level_is_plain_sum,
       sum(amount) AS plain_sum
  FROM visits;
-- Mean over people of each person's mean (3.0 for everyone here), clamped.
SELECT abs(civic.dp_avg(person, amount, 0, 2.5, 1e6) - 2.5) < 0.01 AS per_person_avg_clamped,
       abs(civic.dp_avg(person, amount, 0, 10, 1e6, 1e-9) - 3) < 0.1 AS gaussian
  FROM visits;
-- A five-argument call with a numeric unit is the row-level aggregate, whose
-- bounds must be constants: refused, never silently misread.
SELECT civic.dp_sum(pid, amount, 0, 30, 1e6) FROM visits;
-- The unit-first variants are noised, parallel safe and VOLATILE at the end.
SELECT p.oid::regprocedure AS aggregate, a.aggcombinefn <> 0 AS combinable,
       p.proparallel = 's' AS parallel_safe, f.provolatile = 'v' AS final_volatile
  FROM pg_proc p JOIN pg_aggregate a ON a.aggfnoid = p.oid JOIN pg_proc f ON f.oid = a.aggfinalfn
 WHERE p.pronamespace = 'civic'::regnamespace AND p.proname IN ('dp_sum', 'dp_avg')
   AND p.proargtypes[0] = 'anyelement'::regtype
 ORDER BY p.oid::regprocedure::text;
-- Noise is really there at an ordinary epsilon: 200 releases of the same
-- per-person sum are not all equal.
SELECT count(DISTINCT s) > 1 AS noisy
  FROM (SELECT g, civic.dp_sum(v.person, v.amount, 0, 30, 1.0) AS s
          FROM generate_series(1, 200) g, visits v GROUP BY g) r;
-- Deprecated since 0.2.0: the unit-first names warn (once per call) and
-- keep working.  dp_sum_per_unit / dp_avg_per_unit resolve to the per-unit
-- aggregate for every unit type, numbers included, with or without delta.
SELECT abs(civic.dp_sum_per_unit(pid, amount, 0, 30, 1e6) - 1500) < 1 AS bigint_unit,
       abs(civic.dp_sum_per_unit(pid::int, amount, 0, 30, 1e6) - 1500) < 1 AS int_unit,
       abs(civic.dp_sum_per_unit(pid::numeric, amount, 0, 30, 1e6) - 1500) < 1 AS numeric_unit,
       abs(civic.dp_sum_per_unit(pid::float8, amount, 0, 30, 1e6) - 1500) < 1 AS float8_unit,
       abs(civic.dp_sum_per_unit(pid::numeric, amount, 0, 30, 1e6, 1e-9) - 1500) < 1 AS numeric_unit_delta,
       abs(civic.dp_avg_per_unit(pid::numeric, amount, 0, 2.5, 1e6) - 2.5) < 0.01 AS numeric_unit_avg
  FROM visits;
-- The same call under the deprecated unit-first name: numeric units go to
-- the row-level aggregate (refused), a text unit to the per-unit one.
SELECT civic.dp_sum(pid::numeric, amount, 0, 30, 1e6) FROM visits;
SELECT civic.dp_avg(pid::int, amount, 0, 30, 1e6) FROM visits;
SELECT abs(civic.dp_sum(person, amount, 0, 30, 1e6) - 1500) < 1 AS deprecated_still_works
  FROM visits;
SELECT obj_description(p.oid, 'pg_proc') LIKE 'Deprecated name of dp\_%\_per\_unit%' AS documented_deprecated
  FROM pg_proc p
 WHERE p.pronamespace = 'civic'::regnamespace AND p.proname IN ('dp_sum', 'dp_avg')
   AND p.proargtypes[0] = 'anyelement'::regtype
 ORDER BY p.oid::regprocedure::text;
-- Errors name the aggregate as the query called it: one final function
-- serves dp_sum_per_unit and the deprecated unit-first dp_sum.
SELECT civic.dp_sum_per_unit(person, amount, 30, 0, 1.0) FROM visits;
SELECT civic.dp_avg_per_unit(person, amount, 0, 'infinity', 1.0) FROM visits;
SELECT civic.dp_sum_per_unit(person, amount, 0, 30, 1.0, 1.5) FROM visits;
SELECT civic.dp_avg_per_unit(person, amount, 0, 30, -1.0) FROM visits;
SELECT civic.dp_sum(person, amount, 30, 0, 1.0) FROM visits;
