#!/usr/bin/env bash
# Budget accounts live in shared memory, at most civic.budget_max_entries of
# them.  An analyst with no privilege but the default TEMP can charge as many
# new tables as they like (each temporary table is a new dataset); the
# accounts must stay within the setting -- rather than grow into the spare
# shared memory PostgreSQL needs for its own tables -- and a charge that finds
# no room fails without returning anything.  Runs its own small cluster
# (civic.budget_max_entries = 100) next to the test cluster.
set -u
source "$CIVIC_TOP/scripts/cluster.sh"

n=0 fails=0
is() {
  n=$((n + 1))
  if [[ $1 == "$2" ]]; then echo "ok $n - $3"; else echo "not ok $n - $3"; echo "#   got '$1', expected '$2'"; fails=$((fails + 1)); fi
}
DATA=$CIVIC_RUN/accounts_pgdata
SOCK=$CIVIC_RUN/accounts_sock
LOG=$CIVIC_RUN/accounts.log
stop_small() { as_pg "$PGBIN/pg_ctl" -D "$DATA" -w -t 60 stop -m immediate >/dev/null 2>&1; }
trap stop_small EXIT

echo "1..4"
rm -rf "$DATA" "$SOCK"
mkdir -p "$SOCK"; chown postgres: "$SOCK"
as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$CIVIC_RUN/accounts_initdb.log" 2>&1
cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$SOCK'
shared_preload_libraries = 'civic'
civic.budget_max_entries = 100
shared_buffers = 16MB
max_connections = 10
CONF
as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null
export PGHOST=$SOCK

psql -X -q -d postgres -c 'CREATE EXTENSION civic CASCADE' -c 'CREATE ROLE regress_civic_flood LOGIN' >/dev/null 2>&1
# 300 temporary tables, each charged once, in one session of the analyst
psql -X -q -At -d postgres -U regress_civic_flood >"$CIVIC_RUN/accounts_flood.out" 2>&1 <<'SQL'
\set VERBOSITY sqlstate
SELECT 'CREATE TEMP TABLE t' || i || ' AS SELECT 1 AS x', 'SELECT civic.dp_count(1.0) > -1000 FROM t' || i
  FROM generate_series(1, 300) i \gexec
SQL
accounts=$(psql -X -At -d postgres -c "SELECT count(*) FROM civic.privacy_budgets WHERE role = 'regress_civic_flood'::regrole")
is "$((accounts <= 100))" "1" "accounts stay within civic.budget_max_entries (got $accounts)"
is "$(grep -c '^ERROR:  53400' "$CIVIC_RUN/accounts_flood.out")" "$((300 - accounts))" \
   "every charge beyond it fails with SQLSTATE 53400"
is "$(grep -c '^t$' "$CIVIC_RUN/accounts_flood.out")" "$accounts" "only charged queries returned an answer"
# the ledger replays into the same number of accounts after a restart
as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 restart -m fast >/dev/null
is "$(psql -X -At -d postgres -c "SELECT count(*) FROM civic.privacy_budgets WHERE role = 'regress_civic_flood'::regrole")" \
   "$accounts" "the server restarts with every account"
((fails == 0))
