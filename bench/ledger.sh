#!/usr/bin/env bash
# The privacy ledger at scale: how long civic.privacy_ledger, a restart
# (replay of the file) and a compaction take as the ledger grows, and that
# automatic compaction keeps the file (and so the view) bounded however many
# charges are made.  Records are made 3,000 per query (300 DP aggregates over
# a 10-table join: one charge record per aggregate and table), the worst case
# of the issue (long query texts, many aggregates).
#
#   CIVIC_PGPORT=55040 RECORDS=1000000 bash bench/ledger.sh   (its own throwaway cluster)
set -euo pipefail
CIVIC_TOP=$(cd "$(dirname "$0")/.." && pwd)
export CIVIC_TOP
cd "$CIVIC_TOP"
export PATH=/usr/lib/postgresql/15/bin:$PATH
source scripts/cluster.sh
RECORDS=${RECORDS:-1000000}
STEPS=${STEPS:-"100000 300000 1000000"}

cluster_session
q() { psql -X -q -At -d postgres "$@"; }
q -c 'CREATE EXTENSION civic CASCADE' >/dev/null 2>&1
for i in $(seq 1 10); do q -c "CREATE TABLE bt$i AS SELECT 1 AS id"; done
aggs=$(for i in $(seq 1 300); do printf 'civic.dp_count(0.001) FILTER (WHERE bt1.id > %d),' "-$i"; done)
from=$(for i in $(seq 1 10); do printf 'bt%d,' "$i"; done)
SQL="SELECT cardinality(ARRAY[${aggs%,}]) FROM ${from%,};"
ms() {  # ms SQL: milliseconds of one run (second of two: a warm cache)
  local t
  q -c "$1" >/dev/null
  t=$( (echo 'SET jit = off;'; echo '\timing on'; echo "$1") | q | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
  printf '%.0f' "$t"
}
made=0
grow() {  # grow TO: make charge records until there are TO
  local t0 n
  n=$(( ($1 - made + 2999) / 3000 ))
  t0=$(date +%s.%N)
  for _ in $(seq 1 "$n"); do echo "SET jit = off; $SQL"; done | q >/dev/null
  made=$((made + n * 3000))
  printf '  made %d records at %.0f records/s\n' "$((n * 3000))" "$(echo "$n * 3000 / ($(date +%s.%N) - $t0)" | bc -l)"
}
restart_ms() {
  local t0; t0=$(date +%s%N); cluster_restart; echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
row() {
  printf '%10d | %9.1f MB | %8s | %8s | %8s\n' "$made" "$(echo "$(stat -c %s "$CIVIC_PGDATA/pg_civic/ledger") / 1048576" | bc -l)" \
    "$(ms 'SELECT count(*) FROM civic.privacy_ledger')" \
    "$(ms "SELECT * FROM civic.privacy_ledger ORDER BY \"time\" DESC LIMIT 10")" "$(restart_ms)"
}

echo "== without compaction (civic.ledger_compact_size = 0)"
q -c 'ALTER SYSTEM SET civic.ledger_compact_size = 0' -c 'SELECT pg_reload_conf()' >/dev/null
echo "   charges | ledger file  | view: count(*) ms | last 10 ms | restart ms"
for s in $STEPS; do grow "$s"; row; done
echo "== civic.ledger_compact() of those $made records"
t0=$(date +%s%N); q -c 'SELECT civic.ledger_compact()'; echo "   $(( ($(date +%s%N) - t0) / 1000000 )) ms"
row
echo "== with automatic compaction (default civic.ledger_compact_size, 16 MB): $RECORDS more records"
q -c 'ALTER SYSTEM RESET civic.ledger_compact_size' -c 'SELECT pg_reload_conf()' >/dev/null
target=$((made + RECORDS))
while ((made < target)); do grow $((made + RECORDS / 4 < target ? made + RECORDS / 4 : target)); row; done
echo "compactions: $(grep -c 'compacted from' "$CIVIC_LOG" || true) (server log)"
