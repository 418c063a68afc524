#!/usr/bin/env bash
# civic's whole test suite, on a fresh Debian 12 machine, as root:
#   installs missing packages, builds and installs civic, starts a throwaway
#   cluster, runs every pg_regress test (sql/), every pgTAP test (test/*.sql)
#   and every shell test (test/*.sh, TAP output), stops the cluster, and ends
#   with the line "N passed, N failed".  Exit status is non-zero on any failure.
set -euo pipefail
CIVIC_TOP=$(cd "$(dirname "$0")/.." && pwd)
export CIVIC_TOP
cd "$CIVIC_TOP"

passed=0 failed=0 finished=
# However the run ends -- a failed package install, build or cluster start, a
# set-up command failing under `set -e`, an interrupt -- the cluster stops and
# the closing line is printed; a run that stopped early counts one failure
# and exits non-zero.
on_exit() {
  local rc=$?
  if declare -F cluster_stop >/dev/null; then cluster_stop; fi
  if [[ -z $finished ]]; then
    echo "civic: the test run stopped early (exit status $rc)" >&2
    if [[ -n ${CIVIC_LOG:-} && -f $CIVIC_LOG ]]; then
      echo "== server log (last 200 lines)"
      tail -n 200 "$CIVIC_LOG" || true
    fi
    echo "$passed passed, $((failed + 1)) failed"
    exit $((rc != 0 ? rc : 1))
  fi
}
trap on_exit EXIT

bash scripts/deps.sh
export PATH=/usr/lib/postgresql/15/bin:$PATH
source scripts/cluster.sh
build_and_install

cluster_start
stage_data

logdir=$CIVIC_RUN/logs
mkdir -p "$logdir"

# ---- pg_regress ----------------------------------------------------------
echo "== pg_regress"
set +e
make -s installcheck 2>&1 | tee "$logdir/regress.out"
regress_rc=${PIPESTATUS[0]}
set -e
r_ok=$(grep -cE '\.\.\. ok' "$logdir/regress.out" || true)
r_bad=$(grep -cE '\.\.\. FAILED|\.\.\. failed' "$logdir/regress.out" || true)
if ((regress_rc != 0 && r_bad == 0)); then r_bad=1; fi
passed=$((passed + r_ok)); failed=$((failed + r_bad))
if [[ -f regression.diffs ]] && ((r_bad > 0)); then
  echo "== regression.diffs"; cat regression.diffs
fi

# ---- pgTAP and shell (TAP) tests ----------------------------------------
count_tap() {  # $1: TAP log, $2: exit status of the runner
  local ok bad
  ok=$(grep -cE '^\s*ok [0-9]+' "$1" || true)
  bad=$(grep -cE '^\s*not ok [0-9]+' "$1" || true)
  if (($2 != 0 && bad == 0)); then bad=1; fi
  passed=$((passed + ok)); failed=$((failed + bad))
}

shopt -s nullglob
tap_sql=(test/*.sql)
if ((${#tap_sql[@]})); then
  echo "== pgTAP"
  psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'DROP DATABASE IF EXISTS civic_tap' -c 'CREATE DATABASE civic_tap'
  psql -X -q -v ON_ERROR_STOP=1 -d civic_tap -c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION civic CASCADE' \
    -c 'ALTER DATABASE civic_tap SET search_path = "$user", public, civic'
  set +e
  pg_prove -v -d civic_tap "${tap_sql[@]}" >"$logdir/pgtap.out" 2>&1
  rc=$?
  set -e
  grep -vE '^\s*ok [0-9]+' "$logdir/pgtap.out" || true
  count_tap "$logdir/pgtap.out" "$rc"
fi

tap_sh=(test/*.sh)
if ((${#tap_sh[@]})); then
  echo "== shell tests"
  set +e
  prove -v "${tap_sh[@]}" >"$logdir/shell.out" 2>&1
  rc=$?
  set -e
  grep -vE '^\s*ok [0-9]+' "$logdir/shell.out" || true
  count_tap "$logdir/shell.out" "$rc"
fi

if ((failed > 0)); then
  echo "== server log (last 200 lines)"
  tail -n 200 "$CIVIC_LOG" || true
fi
finished=1
echo "$passed passed, $failed failed"
((failed == 0))
