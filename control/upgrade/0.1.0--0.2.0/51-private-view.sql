-- 0.1.0 -> 0.2.0: privacy-safe views (control/install/50-budget.sql,
-- control/install/51-private-view.sql).
--
-- civic.check_private_view keeps its C symbol and signature; its check is
-- stricter (docs/budget.md) and its comment says so.  Views created with
-- 0.1.0 are re-checked whenever an analyst reads them: one that breaks a
-- new rule (most often, a key table without a unique key on its GROUP BY
-- columns) is refused with a message naming the rule until the DBA fixes it.
COMMENT ON FUNCTION civic.check_private_view(pg_catalog.regclass, pg_catalog.regrole[]) IS
'raise an error unless a view is privacy-safe for the analysts: a security_barrier view of differentially-private aggregates whose rows are exactly the rows of a public key table with a unique key on its GROUP BY columns, reading no table an analyst can change (docs/budget.md lists the rules)';

-- create_private_view warns while the statistics are readable by everyone.
-- @include-replacing control/shared/50-create-private-view.sql

-- The statistics of privacy-safe views (all new in 0.2.0).
-- @include control/install/51-private-view.sql
