#!/usr/bin/env bash
# 32 concurrent sessions of one role race to spend the last of a budget that
# allows exactly N queries: exactly N succeed, all others fail with SQLSTATE
# VB001, and the ledger total equals the budget.  Once with pgbench
# (-c 32 -j 2), once with 32 parallel psql sessions.
set -u
source "$CIVIC_TOP/scripts/cluster.sh"

DB=civic_budget_race
ROLE=regress_civic_racer
n=0 fails=0
ok() {
  n=$((n + 1))
  if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
is() {
  if [[ $1 == "$2" ]]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got '$1', expected '$2'"; fi
}
admin() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }
ledger() {  # charges and total epsilon of the role on a dataset
  admin "SELECT count(*) || ' ' || round(coalesce(sum(epsilon), 0)::numeric, 9)
           FROM civic.privacy_ledger WHERE role = '$ROLE'::regrole AND dataset = '$1'"
}

echo "1..8"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS $ROLE" >/dev/null 2>&1
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $DB" -c "CREATE ROLE $ROLE LOGIN" >/dev/null
admin "CREATE EXTENSION civic CASCADE" 2>/dev/null
admin "CREATE SCHEMA race; GRANT USAGE ON SCHEMA race TO PUBLIC;
       CREATE TABLE race.a AS SELECT g AS id FROM generate_series(1, 20000) g;
       CREATE TABLE race.b AS SELECT g AS id FROM generate_series(1, 20000) g;
       CREATE VIEW race.va AS SELECT * FROM race.a;
       CREATE VIEW race.vb AS SELECT * FROM race.b;
       GRANT SELECT ON race.va, race.vb TO $ROLE;
       SELECT civic.set_budget('$ROLE', 'race.a', 1.0);     -- exactly 10 queries of 0.1
       SELECT civic.set_budget('$ROLE', 'race.b', 0.7);     -- exactly 7 queries of 0.1" >/dev/null

# pgbench: 32 clients x 4 transactions each, 128 attempts for 10 slots.
script=$CIVIC_RUN/race.sql
echo "SELECT civic.dp_count(0.1) FROM race.va;" >"$script"
chmod a+r "$script"
pgbench -n -c 32 -j 2 -t 4 -f "$script" -U "$ROLE" "$DB" >"$CIVIC_RUN/race.out" 2>"$CIVIC_RUN/race.err"
done_tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\)\/.*/\1/p' "$CIVIC_RUN/race.out")
refused=$(grep -c 'privacy budget exceeded' "$CIVIC_RUN/race.err")
other=$(grep '^pgbench: error: client' "$CIVIC_RUN/race.err" | grep -vc 'privacy budget exceeded')
is "$done_tx" 10 "pgbench: exactly 10 of the racing queries succeeded"
is "$refused" 32 "pgbench: every client stopped on a budget refusal (each stops at its first)"
is "$other" 0 "pgbench: no other error"
is "$(ledger race.a)" "10 1.000000000" "pgbench: the ledger total equals the budget"

# 32 parallel psql sessions, each running the query 3 times (96 attempts for 7 slots).
for i in $(seq 1 32); do
  psql -X -At -d "$DB" -U "$ROLE" -v VERBOSITY=sqlstate \
    -c "SELECT civic.dp_count(0.1) > 0 FROM race.vb" \
    -c "SELECT civic.dp_count(0.1) > 0 FROM race.vb" \
    -c "SELECT civic.dp_count(0.1) > 0 FROM race.vb" >"$CIVIC_RUN/race.$i" 2>&1 &
done
wait
cat "$CIVIC_RUN"/race.[0-9]* >"$CIVIC_RUN/race.all"
is "$(grep -c '^t$' "$CIVIC_RUN/race.all")" 7 "psql: exactly 7 of 96 racing queries succeeded"
is "$(grep -c '^ERROR:  VB001$' "$CIVIC_RUN/race.all")" 89 "psql: the other 89 failed with SQLSTATE VB001"
is "$(ledger race.vb)" "0 0.000000000" "nothing is charged to the view itself"
is "$(ledger race.b)" "7 0.700000000" "psql: the ledger total equals the budget"

psql -X -q -d postgres -c "DROP DATABASE $DB" >/dev/null 2>&1
((fails == 0))
