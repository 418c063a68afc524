#!/usr/bin/env bash
# The demo that `make demo` (scripts/run-demo.sh) runs, docs/demo.sql, works
# on the staged London data in a fresh database and shows what it says.
set -uo pipefail
: "${CIVIC_TOP:?}" "${CIVIC_DATA:?}"
db=civic_demo_check
out=$(mktemp)
trap 'rm -f "$out"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT

echo "1..5"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>&1
psql -X -v ON_ERROR_STOP=1 -d "$db" -f "$CIVIC_TOP/docs/demo.sql" >"$out" 2>&1
rc=$?
if ((rc == 0)); then echo "ok 1 - docs/demo.sql runs without error"; else
  echo "not ok 1 - docs/demo.sql runs without error (exit status $rc)"; sed 's/^/#   /' "$out" | tail -n 20; fi
grep -qE '^  SW1A  1AA  \| SW1A 1AA \| t$' "$out" \
  && echo "ok 2 - the demo normalises ' SW1A  1AA '" || echo "not ok 2 - the demo normalises ' SW1A  1AA '"
# SW2 1AA is listed before SW10 1AA.
awk '/^ SW2 1AA/ {a = NR} /^ SW10 1AA/ {b = NR} END {exit !(a && b && a < b)}' "$out" \
  && echo "ok 3 - the demo lists SW2 before SW10" || echo "not ok 3 - the demo lists SW2 before SW10"
grep -qE '^ E09000[0-9]{3} \| london_borough +\| England +\|' "$out" \
  && echo "ok 4 - the demo counts postcodes per London borough" || echo "not ok 4 - the demo counts postcodes per London borough"
n=$(psql -X -At -d "$db" -c 'SELECT count(*) FROM public.london_postcode' 2>/dev/null)
[[ ${n:-0} -gt 100000 ]] \
  && echo "ok 5 - the demo loads London's postcodes ($n)" || echo "not ok 5 - the demo loads London's postcodes (${n:-none})"
