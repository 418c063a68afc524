#!/usr/bin/env bash
# The ledger file stays bounded: past civic.ledger_compact_size it is
# compacted into one record per account and dataset.  Spending, limits,
# dataset declarations and the sums of the charges survive compaction, a
# restart, and an immediate stop whose WAL replay must not count the
# compacted charges twice; civic.privacy_ledger shows a "(compacted)" row per
# account with the folded sums.  civic.ledger_compact() is for budget
# administrators.  Runs its own small cluster (compaction at 64 kB).
set -u
source "$CIVIC_TOP/scripts/cluster.sh"

n=0 fails=0
ok() { n=$((n + 1)); if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi; }
is() { if [[ $1 == "$2" ]]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got '$1', expected '$2'"; fi; }
DATA=$CIVIC_RUN/compact_pgdata
SOCK=$CIVIC_RUN/compact_sock
LOG=$CIVIC_RUN/compact.log
LEDGER=$DATA/pg_civic/ledger
ROLE=regress_civic_compact
ctl() { as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 "$@" >/dev/null 2>&1; }
trap 'ctl stop -m immediate' EXIT
q() { psql -X -q -At -d postgres "$@"; }
STATE="SELECT (SELECT string_agg(regexp_replace(dataset, '^public[.]', '') || ' ' || epsilon_budget || ' ' || round(epsilon_spent::numeric, 6), ', ' ORDER BY dataset)
                 FROM civic.privacy_budgets WHERE role = '$ROLE'::regrole)
           || ' / ' || (SELECT round(sum(epsilon)::numeric, 6) FROM civic.privacy_ledger WHERE role = '$ROLE'::regrole)"
charge() {  # COUNT queries of 10 aggregates of 0.01 on both datasets
  local aggs i
  aggs=$(for i in $(seq 1 10); do printf 'civic.dp_count(0.01) FILTER (WHERE v.id > %d),' "$i"; done)
  for i in $(seq 1 "$1"); do echo "SELECT cardinality(ARRAY[${aggs%,}]) FROM v, w WHERE v.id = w.id;"; done \
    | psql -X -q -At -d postgres -U "$ROLE" -v ON_ERROR_STOP=1 >/dev/null
}

echo "1..12"
rm -rf "$DATA" "$SOCK"; mkdir -p "$SOCK"; chown postgres: "$SOCK"
as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$CIVIC_RUN/compact_initdb.log" 2>&1
cat >>"$DATA/postgresql.conf" <<CONF
port = $((CIVIC_PGPORT + 7))
listen_addresses = ''
unix_socket_directories = '$SOCK'
shared_preload_libraries = 'civic'
shared_buffers = 16MB
max_connections = 20
civic.ledger_compact_size = 64
log_min_messages = log
CONF
ctl start
export PGHOST=$SOCK PGPORT=$((CIVIC_PGPORT + 7))
q -c 'CREATE EXTENSION civic CASCADE' >/dev/null 2>&1
q -c "CREATE ROLE $ROLE LOGIN" \
  -c 'CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 50) g' \
  -c 'CREATE TABLE u AS SELECT g AS id FROM generate_series(1, 50) g' \
  -c 'CREATE VIEW v AS SELECT * FROM t' -c 'CREATE VIEW w AS SELECT * FROM u' -c "GRANT SELECT ON v, w TO $ROLE" \
  -c "SELECT civic.declare_dataset('compact_ds', ARRAY['u']::regclass[], 2)" \
  -c "SELECT civic.set_budget('$ROLE', 'public.t', 1000)" -c "SELECT civic.set_budget('$ROLE', 'compact_ds', 2000)" >/dev/null

# 60 queries x 20 records (~6 kB each): several compactions at 64 kB
charge 60
expected="compact_ds 2000 12.000000, t 1000 6.000000 / 18.000000"
is "$(q -c "$STATE")" "$expected" "600 charges on each dataset: spending and ledger sums right"
grep -q 'privacy ledger "pg_civic/ledger" compacted' "$LOG"; ok $? "the ledger was compacted automatically"
size=$(stat -c %s "$LEDGER")
ok $(( size < 2 * 1024 * 1024 ? 0 : 1 )) "the file stays small ($size bytes with its preallocation, for 1,200 charge records)"
is "$(q -c "SELECT count(*) FROM civic.privacy_ledger WHERE role = '$ROLE'::regrole AND aggregate = '(compacted)'")" "2" \
   "privacy_ledger shows one (compacted) row per account"
is "$(q -c "SELECT civic.ledger_compact() LIKE '% bytes before, % after'")" "t" "civic.ledger_compact() compacts on demand"
is "$(q -c "$STATE")" "$expected" "nothing changes by it"
is "$(psql -X -q -At -d postgres -U "$ROLE" -v VERBOSITY=sqlstate -c 'SELECT civic.ledger_compact()' 2>&1)" "ERROR:  42501" \
   "an analyst may not compact"
ctl restart -m fast
is "$(q -c "$STATE")" "$expected" "a restart replays the compacted file to the same state"
psql -X -q -At -d postgres -U "$ROLE" -c 'SELECT civic.dp_count(0.01) > -1000 FROM w' >/dev/null
is "$(q -c "SELECT round(epsilon_spent::numeric, 6) FROM civic.privacy_budgets WHERE role = '$ROLE'::regrole AND dataset = 'compact_ds'")" \
   "12.020000" "the dataset declaration survives (table u is charged to compact_ds with k = 2)"
# charges after a compaction, then an immediate stop: WAL replay since the
# checkpoint must skip what the compacted file holds already
q -c 'CHECKPOINT' >/dev/null
charge 5
q -c 'SELECT civic.ledger_compact()' >/dev/null
charge 5
ctl stop -m immediate; ctl start
expected="compact_ds 2000 14.020000, t 1000 7.000000 / 21.020000"
is "$(q -c "$STATE")" "$expected" "after an immediate stop, WAL replay counts nothing twice"
# the budget still binds: 7 spent on t, a budget of 7.05 leaves no room for 0.1
q -c "SELECT civic.set_budget('$ROLE', 'public.t', 7.05)" >/dev/null
is "$(psql -X -q -At -d postgres -U "$ROLE" -v VERBOSITY=sqlstate -c 'SELECT civic.dp_count(0.1) FROM v' 2>&1 | tail -1)" "ERROR:  VB001" \
   "a compacted account's spending still counts against its budget"
is "$(q -c 'SELECT status FROM civic.ledger_verify()')" "ok" "the ledger verifies"
((fails == 0))
