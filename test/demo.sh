#!/usr/bin/env bash
# The demo that `make demo` (scripts/run-demo.sh) runs, docs/demo.sql, works
# on the staged London data in a fresh database and shows what it says.
set -uo pipefail
: "${CIVIC_TOP:?}" "${CIVIC_DATA:?}"
db=civic_demo_check
out=$(mktemp)
trap 'rm -f "$out"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT

echo "1..8"
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
grep -qE '^ +2022 \| E05013806 \| St James.s +\| E09000033 \| Westminster' "$out" \
  && echo "ok 6 - the demo finds the 2022 ward of Trafalgar Square" || echo "not ok 6 - the demo finds the 2022 ward of Trafalgar Square"
grep -qE '^ +144700 \| +1445[0-9][0-9] \| +99\.[89][0-9]$' "$out" \
  && echo "ok 7 - the demo's 2022 ward lookups agree with the ONS labels (>= 99.8%)" || echo "not ok 7 - the demo's 2022 ward lookups agree with the ONS labels (>= 99.8%)"
grep -q 'ERROR:  privacy budget exceeded for dataset' "$out" && grep -q 'ERROR:  permission denied for table stops' "$out" \
  && echo "ok 8 - the demo's analyst cannot read raw rows and is stopped by the budget" || echo "not ok 8 - the demo's analyst cannot read raw rows and is stopped by the budget"
