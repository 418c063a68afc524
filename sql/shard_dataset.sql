SET search_path = "$user", public, civic;
-- Citus shards count as their table for datasets, and DP over Citus data
-- runs on the coordinator only (src/citus_meta.c, docs/citus.md).  CI has
-- no Citus: this test fakes the three Citus catalogue tables civic reads
-- (pg_dist_shard, pg_dist_partition, pg_dist_local_group) inside one
-- transaction that is rolled back, so nothing of the fake outlives it (the
-- charges do: the ledger is not transactional).  test/citus.sh checks the
-- same on a real Citus cluster.
CREATE ROLE regress_shard_analyst;
BEGIN;
SET LOCAL allow_system_table_mods = on;
CREATE TABLE pg_catalog.pg_dist_shard (logicalrelid regclass NOT NULL, shardid bigint NOT NULL);
CREATE TABLE pg_catalog.pg_dist_partition (logicalrelid regclass NOT NULL);
CREATE TABLE pg_catalog.pg_dist_local_group (groupid int NOT NULL);
SET LOCAL allow_system_table_mods = off;
CREATE SCHEMA shard_ds;
CREATE SCHEMA shard_ds_other;
-- a distributed table, its shard 102008, and a long-named one whose shard
-- name is clipped and hashed (Citus's convention for names that would not fit)
CREATE TABLE shard_ds.people (id int);
CREATE TABLE shard_ds.people_102008 AS SELECT g AS id FROM generate_series(1, 50) g;
CREATE TABLE shard_ds.a_table_name_long_enough_that_its_shard_names_are_hashed_x (id int);
DO $$
DECLARE n text := 'a_table_name_long_enough_that_its_shard_names_are_hashed_x';
BEGIN
  EXECUTE format('CREATE TABLE shard_ds.%I AS SELECT 1 AS id',
                 left(n, 64 - length('_102009') - 10) || '_' || lpad(to_hex(hashtext(n)), 8, '0') || '_102009');
END $$;
-- look-alikes: the right number but another name, or another schema
CREATE TABLE shard_ds.other_102008 AS SELECT 1 AS id;
CREATE TABLE shard_ds_other.people_102008 AS SELECT 1 AS id;
INSERT INTO pg_dist_partition VALUES ('shard_ds.people'),
  ('shard_ds.a_table_name_long_enough_that_its_shard_names_are_hashed_x');
INSERT INTO pg_dist_shard VALUES ('shard_ds.people', 102008),
  ('shard_ds.a_table_name_long_enough_that_its_shard_names_are_hashed_x', 102009);
INSERT INTO pg_dist_local_group VALUES (0);
GRANT USAGE ON SCHEMA shard_ds, shard_ds_other TO regress_shard_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA shard_ds, shard_ds_other TO regress_shard_analyst;

-- on the coordinator (group 0): each read is charged to its table's dataset
SET LOCAL SESSION AUTHORIZATION regress_shard_analyst;
SELECT civic.dp_count(1.0) IS NOT NULL AS released FROM shard_ds.people_102008;
DO $$
DECLARE n text := 'a_table_name_long_enough_that_its_shard_names_are_hashed_x';
        released bool;
BEGIN
  EXECUTE format('SELECT civic.dp_count(1.0) IS NOT NULL FROM shard_ds.%I',
                 left(n, 64 - length('_102009') - 10) || '_' || lpad(to_hex(hashtext(n)), 8, '0') || '_102009')
    INTO released;
  RAISE NOTICE 'hashed shard name: released %', released;
END $$;
SELECT civic.dp_count(1.0) IS NOT NULL AS released FROM shard_ds.other_102008;
SELECT civic.dp_count(1.0) IS NOT NULL AS released FROM shard_ds_other.people_102008;
SELECT dataset, count(*) AS charges FROM civic.privacy_ledger
 WHERE role = 'regress_shard_analyst'::regrole GROUP BY dataset ORDER BY dataset;
RESET SESSION AUTHORIZATION;

-- on a worker (any other group): DP over a Citus table or shard is refused
UPDATE pg_dist_local_group SET groupid = 2;
SET LOCAL SESSION AUTHORIZATION regress_shard_analyst;
\set VERBOSITY sqlstate
SAVEPOINT s;
SELECT civic.dp_count(1.0) FROM shard_ds.people_102008;
ROLLBACK TO s;
SELECT civic.dp_count(1.0) FROM shard_ds.people;
ROLLBACK TO s;
SELECT civic.dp_count(1.0) FROM shard_ds.people_102008 s JOIN shard_ds_other.people_102008 o USING (id);
ROLLBACK TO s;
\set VERBOSITY default
-- a table that is not Citus's still runs there, and plain reads of a shard too
SELECT civic.dp_count(1.0) IS NOT NULL AS released FROM shard_ds.other_102008;
SELECT count(*) FROM shard_ds.people_102008;
SELECT dataset, count(*) AS charges FROM civic.privacy_ledger
 WHERE role = 'regress_shard_analyst'::regrole GROUP BY dataset ORDER BY dataset;
ROLLBACK;
-- nothing of the fake is left
SELECT count(*) FROM pg_class WHERE relname IN ('pg_dist_shard', 'pg_dist_partition', 'pg_dist_local_group');
DROP ROLE regress_shard_analyst;
