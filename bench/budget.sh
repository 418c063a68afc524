#!/usr/bin/env bash
# Throughput of charged DP queries: pgbench -T $SECS, 1 and 16 clients, the
# same small query with civic.dp_count (metered: check-and-spend under the
# ledger lock, one write()+fsync of the ledger file per query) against plain
# count(*) (no ledger).  Prints queries per second and ratios.
#
#   CIVIC_PGPORT=54460 bash bench/budget.sh        (uses its own throwaway cluster)
set -euo pipefail
CIVIC_TOP=$(cd "$(dirname "$0")/.." && pwd)
export CIVIC_TOP
cd "$CIVIC_TOP"
export PATH=/usr/lib/postgresql/15/bin:$PATH
source scripts/cluster.sh
SECS=${SECS:-10}
ROWS=${ROWS:-10000}

cluster_session

DB=civic_bench_budget
psql -X -q -d postgres -c "CREATE DATABASE $DB"
psql -X -q -d "$DB" -c "CREATE EXTENSION civic CASCADE" 2>/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<SQL
CREATE ROLE bench_analyst LOGIN;
CREATE SCHEMA bench; GRANT USAGE ON SCHEMA bench TO PUBLIC;
CREATE TABLE bench.people AS SELECT g AS id, g % 600 AS ward FROM generate_series(1, $ROWS) g;
ANALYZE bench.people;
CREATE VIEW bench.people_v AS SELECT * FROM bench.people;
GRANT SELECT ON bench.people_v TO bench_analyst;
-- an unlimited budget: every query is still checked, charged and written
SELECT civic.set_budget('bench_analyst', 'bench.people', 'infinity') IS NULL AS unlimited_budget_set;
SQL

dir=$(mktemp -d)
chmod 755 "$dir"
echo "SELECT civic.dp_count(0.001) FROM bench.people_v;" >"$dir/dp.sql"
echo "SELECT count(*) FROM bench.people_v;" >"$dir/plain.sql"
chmod a+r "$dir"/*.sql

tps() {  # tps SCRIPT CLIENTS
  pgbench -n -T "$SECS" -c "$2" -j 2 -f "$dir/$1.sql" -U bench_analyst "$DB" 2>/dev/null \
    | sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}

echo "civic privacy budget: queries per second, $ROWS-row table, pgbench -T $SECS -j 2"
printf '%-8s %14s %14s %8s\n' clients "count(*)" "dp_count" ratio
for c in 1 16; do
  plain=$(tps plain "$c")
  dp=$(tps dp "$c")
  printf '%-8s %14.1f %14.1f %8.2f\n' "$c" "$plain" "$dp" "$(echo "$plain / $dp" | bc -l)"
done
charges=$(psql -X -At -d "$DB" -c "SELECT count(*) FROM civic.privacy_ledger")
echo "charges written to the ledger: $charges"
echo "(ratio = plain queries per second / charged DP queries per second)"
rm -rf "$dir"
