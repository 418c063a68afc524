#!/usr/bin/env bash
# The test harness itself (scripts/run-tests.sh), run on small copies of this
# tree: whatever goes wrong, it ends with the line "N passed, N failed",
# exits non-zero on any failure and leaves no cluster running; and a second
# run on the same port works.  Each copy keeps only sql/00_install.sql and
# the test files written here, so a run takes a few seconds.
set -uo pipefail

: "${CIVIC_TOP:?}"
work=$(mktemp -d /tmp/civic-harness.XXXXXX)
ports=()
cleanup() {
  local p
  for p in "${ports[@]}"; do
    if [[ -f /tmp/civic-run.$p/pgdata/postmaster.pid ]]; then
      runuser -u postgres -- "$(pg_config --bindir)/pg_ctl" -D "/tmp/civic-run.$p/pgdata" \
        stop -m immediate >/dev/null 2>&1 || true
    fi
    rm -rf "/tmp/civic-run.$p"
  done
  rm -rf "$work"
}
trap cleanup EXIT

# Sets $port to a port whose run directory no other civic cluster uses,
# reserving the directory (mkdir is atomic); cleanup removes it.
free_port() {
  port=$((${CIVIC_PGPORT:-${PGPORT:-54329}} + 1000))
  until mkdir "/tmp/civic-run.$port" 2>/dev/null; do port=$((port + 1)); done
  ports+=("$port")
}

# make_copy DIR: the build, the scripts and the install test of this tree.
make_copy() {
  mkdir -p "$1/test" "$1/sql" "$1/expected" "$1/data"
  cp -a "$CIVIC_TOP/Makefile" "$CIVIC_TOP/control" "$CIVIC_TOP/src" "$CIVIC_TOP/scripts" "$1/"
  cp -a "$CIVIC_TOP"/data/london_* "$CIVIC_TOP/data/SHA256SUMS" "$1/data/"
  cp -a "$CIVIC_TOP/sql/00_install.sql" "$1/sql/"
  cp -a "$CIVIC_TOP/expected/00_install.out" "$1/expected/"
}

# run_copy DIR PORT: run the copy's test suite; output in DIR/run.out, exit status in $rc.
run_copy() {
  (cd "$1" && env -u PGHOST -u PGPORT -u PGUSER CIVIC_PGPORT="$2" \
     bash scripts/run-tests.sh) >"$1/run.out" 2>&1
  rc=$?
}

n=0
check() {  # check CONDITION-STATUS DESCRIPTION [DIR]
  n=$((n + 1))
  if [[ $1 == 0 ]]; then
    echo "ok $n - $2"
  else
    echo "not ok $n - $2"
    [[ -n ${3:-} && -f $3/run.out ]] && sed 's/^/#   /' "$3/run.out" | tail -n 40
  fi
}
last_line() { tail -n 1 "$1/run.out"; }
stopped() { [[ ! -f /tmp/civic-run.$1/pgdata/postmaster.pid ]]; }

echo "1..10"

# 1. A build that fails: no test runs, but the closing line says so.
broken=$work/broken
make_copy "$broken"
printf '#error "deliberately broken"\n' >"$broken/src/zz_broken.c"
free_port
run_copy "$broken" "$port"
[[ $rc -ne 0 ]]; check $? "a failed build exits non-zero" "$broken"
[[ $(last_line "$broken") =~ ^0\ passed,\ [1-9][0-9]*\ failed$ ]]
check $? "a failed build still ends with 'N passed, N failed' counting a failure" "$broken"

# 2. A passing suite, run twice on the same port.
good=$work/good
make_copy "$good"
cat >"$good/test/fine.sql" <<'SQL'
BEGIN;
SELECT plan(2);
SELECT ok(true, 'first');
SELECT is(civic.postcode_text('sw1a1aa'::text::civic.postcode), 'SW1A 1AA', 'civic works');
SELECT * FROM finish();
ROLLBACK;
SQL
# pg_regress runs in database civic_regress, as the Makefile says.
printf 'SELECT current_database();\n' >"$good/sql/zz_database.sql"
printf 'SELECT current_database();\n current_database \n------------------\n civic_regress\n(1 row)\n\n' \
  >"$good/expected/zz_database.out"
free_port
run_copy "$good" "$port"
first_rc=$rc first_line=$(last_line "$good")
run_copy "$good" "$port"
[[ $first_rc -eq 0 && $first_line == "4 passed, 0 failed" ]]
check $? "a passing suite (pg_regress in civic_regress) exits 0 and ends with '4 passed, 0 failed'" "$good"
[[ $rc -eq 0 && $(last_line "$good") == "4 passed, 0 failed" ]]
check $? "a second run on the same port works" "$good"
stopped "$port"; check $? "the cluster is stopped after a passing run"

# 3. A pgTAP file that dies in the middle of its plan.
dies=$work/dies
make_copy "$dies"
cp "$good/test/fine.sql" "$dies/test/"
cat >"$dies/test/dies.sql" <<'SQL'
BEGIN;
SELECT plan(3);
SELECT ok(true, 'before the error');
SELECT 1 / 0;
SELECT ok(true, 'never reached');
SELECT * FROM finish();
ROLLBACK;
SQL
free_port
run_copy "$dies" "$port"
[[ $rc -ne 0 ]]; check $? "a pgTAP file dying mid-plan makes the run exit non-zero" "$dies"
[[ $(last_line "$dies") =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]]
check $? "a pgTAP file dying mid-plan is counted as a failure" "$dies"
stopped "$port"; check $? "the cluster is stopped after a failing run"

# 4. pg_regress that cannot even start its tests (its database is refused).
noreg=$work/noreg
make_copy "$noreg"
cp "$good/test/fine.sql" "$noreg/test/"
printf 'REGRESS_OPTS += --dbname=template0\n' >>"$noreg/Makefile"
free_port
run_copy "$noreg" "$port"
[[ $rc -ne 0 && $(last_line "$noreg") =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]]
check $? "pg_regress failing to start is counted as a failure" "$noreg"

# 5. Test runs on other ports (other work trees, CI jobs) may run at the same
# time: no regression test may use a server-side file path that is not
# specific to its cluster (one naming the port, or under $CIVIC_DATA).
shared=$(grep -nE "'/tmp/[^']*'" "$CIVIC_TOP"/sql/*.sql | grep -v "current_setting('port')" || true)
[[ -z $shared ]]; check $? "no regression test writes to a file path shared by concurrent runs"
[[ -z $shared ]] || sed 's/^/#   /' <<<"$shared"
