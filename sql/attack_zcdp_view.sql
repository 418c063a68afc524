SET search_path = "$user", public, civic;
-- Attack on zCDP accounting through a privacy-safe view (docs/budget.md,
-- "Metering reads of privacy-safe views"): a read of a DP view costs at
-- least the view's full price.  A query is charged the larger of the cost
-- of the DP aggregates in its plan and the views' full price; under zCDP
-- accounting what a budget limits is rho, so "larger" must include rho.
-- The attack: read one column of the view (its other aggregate is planned
-- away) and add a Gaussian aggregate of one's own, cheap in rho but large
-- in epsilon and delta, so that the plan's aggregates "cover" the view's
-- price in (epsilon, delta) and are charged instead of it.  Everything is
-- deterministic (no noisy value is tested).
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_atkv_analyst;
RESET client_min_messages;
CREATE ROLE regress_atkv_analyst;
CREATE SCHEMA atkv;
GRANT USAGE ON SCHEMA atkv TO PUBLIC;
CREATE TABLE atkv.people (id int PRIMARY KEY, ward text NOT NULL, age int);
INSERT INTO atkv.people SELECT g, 'W' || (g % 5), g % 90 FROM generate_series(1, 1000) g;
CREATE TABLE atkv.wards (ward text PRIMARY KEY);
INSERT INTO atkv.wards SELECT 'W' || i FROM generate_series(0, 4) i;
GRANT SELECT ON atkv.wards TO regress_atkv_analyst;
-- Two Laplace aggregates at epsilon 1: full price epsilon 2, rho 2 * 1/2 = 1.
SELECT civic.create_private_view('atkv.stats', $$
  SELECT w.ward, civic.dp_count_units(p.id, 1.0) AS n,
         civic.dp_sum_per_unit(p.id, p.age::float8, 0, 100, 1.0) AS ages
    FROM atkv.wards w LEFT JOIN atkv.people p ON p.ward = w.ward GROUP BY w.ward$$,
  'regress_atkv_analyst');
SELECT civic.set_budget('regress_atkv_analyst', 'atkv.people', 100, 1e-6, 'zcdp');

-- What the analyst's query q was charged on atkv.people: epsilon and rho.
CREATE FUNCTION atkv.cost_of(q text, OUT epsilon numeric, OUT rho numeric) LANGUAGE plpgsql AS $$
DECLARE e0 float8; r0 float8;
BEGIN
    SELECT epsilon_spent, rho_spent INTO e0, r0 FROM civic.privacy_budgets
     WHERE role = 'regress_atkv_analyst'::regrole AND dataset = 'atkv.people';
    EXECUTE 'SET SESSION AUTHORIZATION regress_atkv_analyst';
    EXECUTE q;
    EXECUTE 'RESET SESSION AUTHORIZATION';
    SELECT round((epsilon_spent - e0)::numeric, 6), round((rho_spent - r0)::numeric, 6)
      INTO epsilon, rho FROM civic.privacy_budgets
     WHERE role = 'regress_atkv_analyst'::regrole AND dataset = 'atkv.people';
END $$;

-- The full price: every column.
SELECT * FROM atkv.cost_of('SELECT * FROM atkv.stats');
-- One column: still the full price.
SELECT * FROM atkv.cost_of('SELECT ward, n FROM atkv.stats');
-- The key column only: still the full price.
SELECT * FROM atkv.cost_of('SELECT count(*) FROM atkv.stats');
-- The attack: one column plus a Gaussian aggregate of one's own (epsilon 2,
-- delta 1e-10: rho about 0.05) that covers the view's epsilon and delta.
-- Must cost at least the full price in rho (1), plus its own.
SELECT epsilon = 3 AS plan_epsilon, rho >= 1 AS attack_one_column_pays_full_rho
  FROM atkv.cost_of('SELECT ward, n, (SELECT civic.dp_count(2.0, 1e-10) FROM generate_series(1, 1)) AS extra FROM atkv.stats');
-- The same with the key column only: the view's aggregates are all planned
-- away, yet its private table is read.
SELECT epsilon = 2 AS view_epsilon, rho >= 1 AS attack_count_star_pays_full_rho
  FROM atkv.cost_of('SELECT count(*), (SELECT civic.dp_count(2.0, 1e-10) FROM generate_series(1, 1)) FROM atkv.stats');
-- The same under basic accounting: still epsilon 3 (the plan's aggregates),
-- not 3 + 2; the rho difference is charged alone, with no epsilon.
SELECT civic.set_budget('regress_atkv_analyst', 'atkv.people', 100, 1e-6, 'basic');
SELECT * FROM atkv.cost_of('SELECT ward, n, (SELECT civic.dp_count(2.0, 1e-10) FROM generate_series(1, 1)) AS extra FROM atkv.stats');
-- The ledger shows the difference as a charge of rho alone.
SELECT aggregate, mechanism, epsilon, delta, rho > 0 AS has_rho
  FROM civic.privacy_ledger
 WHERE role = 'regress_atkv_analyst'::regrole AND dataset = 'atkv.people' AND aggregate = '(view price)'
 LIMIT 1;

SELECT civic.reset_budget('regress_atkv_analyst', 'atkv.people');
SELECT civic.reset_budget('regress_atkv_analyst', 'atkv.wards');
DROP SCHEMA atkv CASCADE;
DROP ROLE regress_atkv_analyst;
