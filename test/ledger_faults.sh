#!/usr/bin/env bash
# A ledger that cannot be written never takes the server down.  With the
# ledger file read-only (mode 0400 as the server's user; root ignores
# permissions, the server runs as postgres), immutable (chattr +i, where the
# file system supports it), or on a full disk (a 4 MB tmpfs mounted on
# pg_civic), a DP query fails with an ERROR -- VB011, or 53100 for the full
# disk -- and charges nothing; other sessions go on; a backend crash
# (crash-restart) and a restart succeed with the file read-only; once the
# file is writable again DP queries work with no restart.  Runs its own small
# cluster; needs root (mount, chattr).
set -u
source "$CIVIC_TOP/scripts/cluster.sh"

n=0 fails=0
ok() { n=$((n + 1)); if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi; }
is() { if [[ $1 == "$2" ]]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got '$1', expected '$2'"; fi; }
skip() { n=$((n + 1)); echo "ok $n # skip $1"; }
DATA=$CIVIC_RUN/faults_pgdata
SOCK=$CIVIC_RUN/faults_sock
LOG=$CIVIC_RUN/faults.log
LEDGER=$DATA/pg_civic/ledger
ROLE=regress_civic_faults
ctl() { as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 "$@" >/dev/null 2>&1; }
cleanup() {
  chattr -i "$LEDGER" 2>/dev/null
  ctl stop -m immediate
  mountpoint -q "$DATA/pg_civic" && umount "$DATA/pg_civic"
}
trap cleanup EXIT
q() { psql -X -q -At -d postgres "$@"; }
spent() { q -c "SELECT round(epsilon_spent::numeric, 6) FROM civic.privacy_budgets WHERE role = '$ROLE'::regrole AND dataset IN ('t', 'public.t')"; }
dp() { psql -X -q -At -d postgres -U "$ROLE" -v VERBOSITY=sqlstate -c "SELECT civic.dp_count(0.01) > -1000 FROM v" 2>&1; }
wait_ready() { local i; for i in $(seq 1 120); do q -c 'SELECT 1' >/dev/null 2>&1 && return 0; sleep 0.5; done; return 1; }

echo "1..20"
rm -rf "$DATA" "$SOCK"; mkdir -p "$SOCK"; chown postgres: "$SOCK"
as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$CIVIC_RUN/faults_initdb.log" 2>&1
cat >>"$DATA/postgresql.conf" <<CONF
port = $((CIVIC_PGPORT + 4))
listen_addresses = ''
unix_socket_directories = '$SOCK'
shared_preload_libraries = 'civic'
shared_buffers = 16MB
max_connections = 20
restart_after_crash = on
CONF
ctl start
export PGHOST=$SOCK PGPORT=$((CIVIC_PGPORT + 4))
q -c 'CREATE EXTENSION civic CASCADE' >/dev/null 2>&1
q -c "CREATE ROLE $ROLE LOGIN" \
  -c 'CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 100) g' \
  -c 'CREATE VIEW v AS SELECT * FROM t' -c "GRANT SELECT ON v TO $ROLE" \
  -c "SELECT civic.set_budget('$ROLE', 'public.t', 1000)" >/dev/null
is "$(dp)/$(spent)" "t/0.010000" "a DP query is charged"

# 1. the ledger file read-only for the server
chmod 0400 "$LEDGER"
is "$(dp)" "ERROR:  VB011" "with a read-only ledger a DP query fails with VB011"
psql -X -q -At -d postgres -U "$ROLE" -c "SELECT civic.dp_count(0.01) FROM v" 2>&1 | grep -q 'could not open privacy ledger "pg_civic/ledger" for writing: Permission denied'
ok $? "the error says why"
is "$(spent)" "0.010000" "nothing was charged"
is "$(q -c 'SELECT count(*) FROM t')" "100" "other sessions go on"
# a backend crash: the postmaster restarts everything and replays the ledger
psql -X -At -d postgres -c 'SELECT pg_sleep(30)' >/dev/null 2>&1 &
sleeper=$!
pid=
for i in $(seq 1 50); do
  pid=$(q -c "SELECT pid FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)'")
  [[ -n $pid ]] && break; sleep 0.1
done
kill -9 "$pid" 2>/dev/null
wait "$sleeper" 2>/dev/null
sleep 1; wait_ready; ok $? "a crash-restart with a read-only ledger succeeds"
grep -q 'terminated by signal 9' "$LOG"; ok $? "(it was a crash-restart: the server log says so)"
is "$(dp)/$(spent)" "ERROR:  VB011/0.010000" "after it DP still refuses and the spending is intact"
ctl restart -m fast; ok $? "a restart with a read-only ledger succeeds"
is "$(dp)/$(spent)" "ERROR:  VB011/0.010000" "after it DP still refuses and the spending is intact"
chmod 0600 "$LEDGER"
is "$(dp)/$(spent)" "t/0.020000" "writable again: DP works with no restart"

# 2. an immutable file (chattr +i), where the file system supports it
if chattr +i "$LEDGER" 2>/dev/null; then
  is "$(dp)/$(spent)" "ERROR:  VB011/0.020000" "with an immutable ledger a DP query fails with VB011 and charges nothing"
  chattr -i "$LEDGER"
  is "$(dp)/$(spent)" "t/0.030000" "mutable again: DP works"
else
  skip "chattr +i is not supported on this file system"
  skip "chattr +i is not supported on this file system"
  dp >/dev/null
fi

# 3. a full disk: pg_civic on a 4 MB tmpfs, filled up
ctl stop -m fast
mv "$DATA/pg_civic" "$DATA/pg_civic.saved"
mkdir "$DATA/pg_civic"
if mount -t tmpfs -o size=4m,mode=0700 tmpfs "$DATA/pg_civic" 2>/dev/null; then
  cp -a "$DATA/pg_civic.saved/ledger" "$LEDGER"
  chown postgres: "$DATA/pg_civic" "$LEDGER"; chmod 0700 "$DATA/pg_civic"
  ctl start; ok $? "the server starts with the ledger on a small file system"
  dp >/dev/null    # the first write preallocates the next megabyte
  dd if=/dev/zero of="$DATA/pg_civic/filler" bs=64k status=none 2>/dev/null
  aggs=$(for i in $(seq 1 25); do printf 'civic.dp_count(0.01) FILTER (WHERE id > %d),' "$i"; done)
  s0=$(spent)
  for i in $(seq 1 400); do echo "SELECT num_nonnulls(${aggs%,}) = 25 AS r FROM v;"; done \
    | psql -X -q -At -d postgres -U "$ROLE" -v VERBOSITY=sqlstate >"$CIVIC_RUN/faults_full.out" 2>&1
  good=$(grep -c '^t$' "$CIVIC_RUN/faults_full.out")
  full=$(grep -c '^ERROR:  53100$' "$CIVIC_RUN/faults_full.out")
  other=$(grep -c '^ERROR' "$CIVIC_RUN/faults_full.out")
  ok $(( full > 0 && good > 0 && good + full == 400 && other == full ? 0 : 1 )) "on a full disk DP queries fail with 53100 ($good passed while preallocated space lasted, $full refused, $((other - full)) other errors)"
  is "$(spent)" "$(perl -e "printf '%.6f', $s0 + $good * 0.25")" "exactly the queries that passed were charged"
  is "$(q -c 'SELECT count(*) FROM t')" "100" "other sessions go on"
  rm -f "$DATA/pg_civic/filler"
  s1=$(spent)
  is "$(dp)/$(spent)" "t/$(perl -e "printf '%.6f', $s1 + 0.01")" "with space again DP works with no restart"
  ctl restart -m fast
  is "$(spent)" "$(perl -e "printf '%.6f', $s1 + 0.01")" "and every charge survives a restart"
  ctl stop -m fast
  umount "$DATA/pg_civic"
else
  for i in 1 2 3 4 5 6; do skip "cannot mount a tmpfs here (needs root)"; done
  ctl stop -m fast
fi
rmdir "$DATA/pg_civic"; mv "$DATA/pg_civic.saved" "$DATA/pg_civic"
ctl start
is "$(q -c 'SELECT status FROM civic.ledger_verify()')" "ok" "the ledger verifies after all this"
((fails == 0))
