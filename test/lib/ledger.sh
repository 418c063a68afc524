# Shell tests that put a crafted privacy ledger under the suite's cluster
# (sourced after scripts/cluster.sh): they stop the cluster, keep its
# ledger, write their own records, start it, and put the cluster's ledger
# back at the end (trap ledger_restore EXIT).  Records are written byte for
# byte in their fixed on-disk layout (src/ledger.c), with their CRC-32C.

LEDGER=$CIVIC_PGDATA/pg_civic/ledger

# Wait until the cluster answers again after a start or restart.
ledger_wait_ready() {
  local i
  for i in $(seq 1 120); do
    psql -X -At -d postgres -c 'SELECT 1' >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}

# ledger_install SAVED: stop the cluster, keep its ledger as SAVED and its
# mark as SAVED.mark (once), make the bytes on stdin its ledger, start it
# again.  A ledger replaced on purpose goes without the old file's mark
# (pg_civic/ledger.mark: the number of its last record), which would report
# the new one as missing records.
ledger_install() {
  local saved=$1
  cluster_ctl -w -t 60 stop >/dev/null
  if [[ ! -f $saved ]]; then
    cp "$LEDGER" "$saved"
    rm -f "$saved.mark"
    [[ -f $LEDGER.mark ]] && cp "$LEDGER.mark" "$saved.mark"
  fi
  cat >"$LEDGER"
  rm -f "$LEDGER.mark"
  chown postgres: "$LEDGER"
  cluster_ctl -w -t 60 start >/dev/null
  ledger_wait_ready
}

# ledger_restore SAVED: the cluster's own ledger and mark back, if replaced.
ledger_restore() {
  local saved=$1
  if [[ -f $saved ]]; then
    cluster_ctl -w -t 60 stop >/dev/null 2>&1
    cp "$saved" "$LEDGER" && chown postgres: "$LEDGER" && rm -f "$saved"
    rm -f "$LEDGER.mark"
    if [[ -f $saved.mark ]]; then
      cp "$saved.mark" "$LEDGER.mark" && chown postgres: "$LEDGER.mark" && rm -f "$saved.mark"
    fi
    cluster_ctl -w -t 60 start >/dev/null 2>&1
    ledger_wait_ready
  fi
}

# ledger_v1_records DBID ROLEID RELID RECORD...: civic 0.1.0 records
# ("CLV1") of one role on one table, on stdout.  Each RECORD is
#   TYPE|EPSILON|EPS_UNITS|AGGREGATE|MECHANISM|TEXT[|DELTA|DELTA_UNITS]
# TYPE B (budget: the limits) or C (charge: the costs); units as src/ledger.h
# counts them (1e9 per unit of epsilon, 1e18 per unit of delta).
ledger_v1_records() {
  perl - "$@" <<'PERL'
use strict; use warnings;
my ($dbid, $roleid, $relid, @records) = @ARGV;
my @t; for my $i (0 .. 255) { my $c = $i; for (1 .. 8) { $c = ($c & 1) ? (($c >> 1) ^ 0x82F63B78) : ($c >> 1); } $t[$i] = $c; }
sub crc32c { my $c = 0xFFFFFFFF; $c = $t[($c ^ $_) & 0xFF] ^ ($c >> 8) for unpack('C*', $_[0]); return $c ^ 0xFFFFFFFF; }
my $time = 820000000 * 1000000;   # a time in 2025, microseconds since 2000
for my $r (@records) {
  my ($type, $eps, $units, $agg, $mech, $text, $delta, $dunits) = split /\|/, $r, -1;
  $delta ||= 0; $dunits ||= 0;
  my $body = pack('l< q< V V', ord($type), $time, $roleid, 10)            # type .. actor
    . pack('V l< V a64', $dbid, 1, $relid, '')                           # dataset: a table
    . pack('V l< x4', 0, 0)                                              # member_relid, k
    . pack('d< d< q< q< Q<', $eps, $delta, $units, $dunits, 7)           # costs, query id
    . pack('a64 a32 V x4', $agg, $mech, length($text)) . $text;
  print pack('V V', 0x31564C43, 264 + length($text)) . pack('V', crc32c($body)) . $body;
}
PERL
}

# ledger_patch_record TYPE OLD NEW: in the last record of TYPE (C a charge,
# S an account's state after compaction ...; current format, "CLV2") of the
# cluster's ledger, the one 64-bit field holding OLD (units
# of a cost, say) holds NEW instead, and the record's CRC-32C is made
# right again: a record as a writer with access to $PGDATA would craft it.
# Fails unless exactly one field of that record holds OLD.  Run with the
# cluster stopped.
ledger_patch_record() {
  perl - "$LEDGER" "$1" "$2" "$3" <<'PERL'
use strict; use warnings;
my ($file, $rtype, $old, $new) = @ARGV;
my @t; for my $i (0 .. 255) { my $c = $i; for (1 .. 8) { $c = ($c & 1) ? (($c >> 1) ^ 0x82F63B78) : ($c >> 1); } $t[$i] = $c; }
sub crc32c { my $c = 0xFFFFFFFF; $c = $t[($c ^ $_) & 0xFF] ^ ($c >> 8) for unpack('C*', $_[0]); return $c ^ 0xFFFFFFFF; }
open(my $f, '+<', $file) or die "$file: $!"; binmode $f;
local $/; my $all = <$f>;
my ($off, $last) = (0, -1);
while ($off + 16 <= length($all)) {          # magic, crc, length, type
  my ($magic, $crc, $len, $type) = unpack('V V V l<', substr($all, $off, 16));
  last unless $magic == 0x32564C43 && $len > 16;
  $last = $off if $type == ord($rtype);
  $off += $len;
}
die "no charge record
" if $last < 0;
my $len = unpack('V', substr($all, $last + 8, 4));
my $rec = substr($all, $last, $len);
my $want = pack('q<', $old);
my @at = grep { substr($rec, $_, 8) eq $want } map { $_ * 8 } 2 .. int($len / 8) - 1;
die "the record holds $old " . scalar(@at) . " times
" unless @at == 1;
substr($rec, $at[0], 8) = pack('q<', $new);
substr($rec, 4, 4) = pack('V', crc32c(substr($rec, 8)));
seek($f, $last, 0); print $f $rec; close $f or die;
PERL
}

# ledger_test_db DB ROLE: a new database DB with civic, a table t of 100
# rows and a view v over it that ROLE (a new login role) may read; sets
# dbid, roleid and relid (of t) for the records.
ledger_test_db() {
  local db=$1 role=$2
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
  psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db" >/dev/null
  psql -X -q -d "$db" -c "CREATE EXTENSION civic CASCADE" >/dev/null 2>&1
  psql -X -q -d postgres -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1
  psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<SQL
CREATE ROLE $role LOGIN;
CREATE TABLE t AS SELECT g FROM generate_series(1, 100) g;
CREATE VIEW v AS SELECT * FROM t;
GRANT SELECT ON v TO $role;
SQL
  dbid=$(psql -X -At -d "$db" -c "SELECT oid FROM pg_database WHERE datname = '$db'")
  roleid=$(psql -X -At -d "$db" -c "SELECT '$role'::regrole::oid")
  relid=$(psql -X -At -d "$db" -c "SELECT 'public.t'::regclass::oid")
}

# ledger_test_drop DB ROLE: what ledger_test_db made goes.
ledger_test_drop() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $1" >/dev/null 2>&1
  psql -X -q -d postgres -c "DROP ROLE IF EXISTS $2" >/dev/null 2>&1
}
