#!/usr/bin/env bash
# A ledger written by civic 0.1.0 -- what an upgrade to 0.2.0 meets in
# $PGDATA/pg_civic/ledger -- is read by this version: its budgets and
# charges count, the privacy_ledger view shows them, new records are
# appended in the current format after them, and the mixed file is read
# back the same after a restart and after compaction (which rewrites it in
# the current format).  The 0.1.0 records are written byte for byte in
# their fixed on-disk layout ("CLV1" records, src/ledger.c), with their
# CRC-32C.  The cluster's own ledger is put back at the end.
set -u
source "$CIVIC_TOP/scripts/cluster.sh"

n=0 fails=0
is() {
  n=$((n + 1))
  if [[ $1 == "$2" ]]; then echo "ok $n - $3"; else echo "not ok $n - $3"; echo "#   got '$1', expected '$2'"; fails=$((fails + 1)); fi
}
wait_ready() {
  local i
  for i in $(seq 1 120); do
    psql -X -At -d postgres -c 'SELECT 1' >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}
DB=civic_ledger_v1
LEDGER=$CIVIC_PGDATA/pg_civic/ledger
SAVED=$CIVIC_RUN/ledger.before-v1-test
q() { psql -X -q -At -d "$DB" "$@"; }
restore() {
  if [[ -f $SAVED ]]; then
    cluster_ctl -w -t 60 stop >/dev/null 2>&1
    cp "$SAVED" "$LEDGER" && chown postgres: "$LEDGER" && rm -f "$SAVED"
    cluster_ctl -w -t 60 start >/dev/null 2>&1; wait_ready
  fi
}
trap restore EXIT

echo "1..9"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $DB" >/dev/null
q -c "CREATE EXTENSION civic CASCADE" >/dev/null 2>&1
psql -X -q -d postgres -c "DROP ROLE IF EXISTS ledger_v1_analyst" >/dev/null 2>&1
q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE ROLE ledger_v1_analyst LOGIN;
CREATE TABLE t AS SELECT g FROM generate_series(1, 100) g;
CREATE VIEW v AS SELECT * FROM t;
GRANT SELECT ON v TO ledger_v1_analyst;
SQL
dbid=$(q -c "SELECT oid FROM pg_database WHERE datname = '$DB'")
roleid=$(q -c "SELECT 'ledger_v1_analyst'::regrole::oid")
relid=$(q -c "SELECT 'public.t'::regclass::oid")

cluster_ctl -w -t 60 stop >/dev/null
cp "$LEDGER" "$SAVED"
# two 0.1.0 records: a budget of epsilon 1 on table t, and a charge of 0.25
perl - "$dbid" "$roleid" "$relid" >"$LEDGER" <<'PERL'
use strict; use warnings;
my ($dbid, $roleid, $relid) = @ARGV;
my @t; for my $i (0 .. 255) { my $c = $i; for (1 .. 8) { $c = ($c & 1) ? (($c >> 1) ^ 0x82F63B78) : ($c >> 1); } $t[$i] = $c; }
sub crc32c { my $c = 0xFFFFFFFF; $c = $t[($c ^ $_) & 0xFF] ^ ($c >> 8) for unpack('C*', $_[0]); return $c ^ 0xFFFFFFFF; }
my $time = 820000000 * 1000000;   # a time in 2025, microseconds since 2000
sub record {   # type, epsilon, eps_units, aggregate, mechanism, text
  my ($type, $eps, $units, $agg, $mech, $text) = @_;
  my $len = 264 + length($text);
  my $body = pack('l< q< V V', ord($type), $time, $roleid, 10)            # type .. actor
    . pack('V l< V a64', $dbid, 1, $relid, '')                           # dataset: a table
    . pack('V l< x4', 0, 0)                                              # member_relid, k
    . pack('d< d< q< q< Q<', $eps, 0, $units, 0, 7)                      # costs, query id
    . pack('a64 a32 V x4', $agg, $mech, length($text)) . $text;
  return pack('V V', 0x31564C43, $len) . pack('V', crc32c($body)) . $body;
}
print record('B', 1.0, 1000000000, '', '', '');
print record('C', 0.25, 250000000, 'dp_count', 'discrete_laplace', 'SELECT civic.dp_count(0.25) FROM v');
PERL
chown postgres: "$LEDGER"
cluster_ctl -w -t 60 start >/dev/null; wait_ready

remaining() { q -c "SELECT round(epsilon::numeric, 6) FROM civic.budget_remaining('public.t', 'ledger_v1_analyst')"; }
is "$(remaining)" "0.750000" "the 0.1.0 budget and charge count: 0.75 of 1 left"
is "$(q -c "SELECT aggregate || ' ' || mechanism || ' ' || round(epsilon::numeric, 2) || ' ' || query FROM civic.privacy_ledger WHERE role = 'ledger_v1_analyst'::regrole")" \
   "dp_count discrete_laplace 0.25 SELECT civic.dp_count(0.25) FROM v" "the privacy_ledger view shows the 0.1.0 charge"
q -U ledger_v1_analyst -c "SELECT civic.dp_count(0.5) FROM v" >/dev/null 2>&1
is "$(remaining)" "0.250000" "a new charge is appended after them"
is "$(q -U ledger_v1_analyst -v VERBOSITY=sqlstate -c "SELECT civic.dp_count(0.5) FROM v" 2>&1)" \
   "ERROR:  VB001" "the budget they leave is enforced"
cluster_ctl -w -t 60 restart >/dev/null; wait_ready
is "$(remaining)" "0.250000" "the mixed file reads back the same after a restart"
is "$(q -c "SELECT status FROM civic.ledger_verify()")" "ok" "ledger_verify finds the mixed file sound"
q -c "SELECT civic.ledger_compact()" >/dev/null
is "$(od -An -tx4 -N4 "$LEDGER" | tr -d ' ')" "32564c43" "compaction rewrites the file in the current format (CLV2)"
cluster_ctl -w -t 60 restart >/dev/null; wait_ready
is "$(remaining)" "0.250000" "and it reads back the same"
is "$(q -c "SELECT count(*) FROM civic.privacy_ledger WHERE role = 'ledger_v1_analyst'::regrole")" \
   "1" "the charges folded by compaction show as one row"

restore
trap - EXIT
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
psql -X -q -d postgres -c "DROP ROLE IF EXISTS ledger_v1_analyst" >/dev/null 2>&1
exit $((fails > 0))
