#!/usr/bin/env bash
# The demo that `make demo` (scripts/run-demo.sh) runs, docs/demo.sql, works
# on the staged London data in a fresh database and shows what it says.
set -uo pipefail
: "${CIVIC_TOP:?}" "${CIVIC_DATA:?}"
db=civic_demo_check
out=$(mktemp)
work=$(mktemp -d)
chmod 777 "$work"      # psql writes the map here as the calling user; keep it simple
trap 'rm -rf "$out" "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS mydb" >/dev/null 2>&1' EXIT

# The README's SQL examples, one file per ```sql block, in order.
mkdir -p "$work/readme"
awk -v dir="$work/readme" '
  /^```sql[[:space:]]*$/ { n++; f = sprintf("%s/block_%02d.sql", dir, n); inb = 1; next }
  /^```/ { inb = 0; next }
  inb { print > f }' "$CIVIC_TOP/README.md"
blocks=("$work"/readme/block_*.sql)

echo "1..$((15 + ${#blocks[@]}))"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>&1
CIVIC_DEMO_OUT=$work psql -X -v ON_ERROR_STOP=1 -d "$db" -f "$CIVIC_TOP/docs/demo.sql" >"$out" 2>&1
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

col() {  # $1: header; prints the value in that column of the first row below it
  awk -v h="$1" -F'|' '
    !found { for (i = 1; i <= NF; i++) { c = $i; gsub(/^ +| +$/, "", c); if (c == h) { k = i; found = 1 } } if (found) { getline; getline; v = $k; gsub(/^ +| +$/, "", v); print v; exit } }' "$out"
}
wards=$(col wards_released) bad=$(col boroughs_not_adding_up) btot=$(col boroughs_total) london=$(col london)
[[ $wards == 704 && $bad == 0 && -n $btot && $btot == "$london" ]] \
  && echo "ok 9 - the demo's release has every 2022 ward, and wards add up to boroughs and boroughs to London" \
  || echo "not ok 9 - the demo's release has every 2022 ward, and wards add up to boroughs and boroughs to London ($wards, $bad, $btot, $london)"
awk '/^== the ten wards with the most stops/ {f = 1} f && /^\(10 rows\)$/ {ok = 1; exit} END {exit !ok}' "$out" \
  && grep -qE '^ +ward +\| +borough +\| +stops +\| +plus_minus' "$out" \
  && echo "ok 10 - the demo prints the ten highest wards with their error bars" \
  || echo "not ok 10 - the demo prints the ten highest wards with their error bars"
before=$(col analyst_charges_before) after=$(col analyst_charges_after)
left=$(col dba_epsilon_spent) left2=$(col dba_epsilon_spent_after_reads) aleft=$(col analyst_epsilon_left)
[[ -n $before && $before == "$after" && $left == 2.000000 && $left2 == "$left" && $aleft == 0 ]] \
  && echo "ok 11 - the demo's analyst (budget spent) reads the release for free, and the DBA paid once" \
  || echo "not ok 11 - the demo's analyst (budget spent) reads the release for free, and the DBA paid once ($before $after $left $left2 $aleft)"
# Every error the demo prints is a deliberate one, announced by the line
# just before it (a "== ..." heading, possibly followed by SET).
awk '/^== / {h = NR} /ERROR:/ {n++; if (NR - h > 2) bad++} END {exit !(n >= 2 && !bad)}' "$out" \
  && echo "ok 12 - every error in the demo's output is announced and explained" \
  || { echo "not ok 12 - every error in the demo's output is announced and explained"; grep -n -B3 'ERROR:' "$out" | sed 's/^/#   /'; }
if grep -q '^== the ward release as a map:' "$out"; then
  svg=$(sed -n 's/^== the ward release as a map: //p' "$out")
  [[ -s $svg ]] && head -c 200 "$svg" | grep -q '<svg\|<?xml' \
    && echo "ok 13 - the demo writes the ward release as an SVG map" \
    || echo "not ok 13 - the demo writes the ward release as an SVG map ($svg)"
else
  echo "ok 13 - the demo writes the ward release as an SVG map # skip civic.choropleth_svg is not in this build"
fi

# The release carries its boundaries, typed for QGIS (geometry_columns).
g27700=$(grep -cE '^ stops_2022_09_(ward|borough|region) +\| geom +\| 27700 \| MULTIPOLYGON$' "$out")
g4326=$(grep -cE '^ stops_2022_09_(ward|borough|region) +\| geom_wgs84 +\|  4326 \| MULTIPOLYGON$' "$out")
[[ $g27700 == 3 && $g4326 == 3 ]] \
  && echo "ok 14 - the demo's release tables carry their boundaries (geometry_columns: EPSG:27700 and WGS 84)" \
  || echo "not ok 14 - the demo's release tables carry their boundaries ($g27700, $g4326)"
# The NHS-rule release: rounded to 5, wards within their borough, and the
# suppressed wards hatched on its map.
supp=$(col wards_suppressed) notm=$(col not_multiples_of_5) below=$(col boroughs_below_their_wards)
if grep -q '^== the NHS-rule release as a map, suppressed wards hatched:' "$out"; then
  svg=$(sed -n 's/^== the NHS-rule release as a map, suppressed wards hatched: //p' "$out")
  hatched=$(grep -o 'fill="url(#civic-hatch-map)"' "$svg" 2>/dev/null | wc -l)
else
  hatched=$supp
fi
[[ -n $supp && $supp -gt 0 && $notm == 0 && $below == 0 && $hatched == "$supp" ]] \
  && echo "ok 15 - the demo's NHS-rule release suppresses ($supp wards, hatched on its map) and rounds to 5" \
  || echo "not ok 15 - the demo's NHS-rule release suppresses and rounds ($supp suppressed, $hatched hatched, $notm not multiples of 5, $below)"

# Every SQL example of the README runs as written after the demo: the
# Install block in a new database named as it says (mydb), the others in
# order in the demo's database.  A statement that shows an error on purpose
# says so in a comment containing "ERROR" on its line; a block passes when it
# raises exactly as many errors as it announces.
n=15
for b in "${blocks[@]}"; do
  n=$((n + 1))
  name="README example $(basename "$b" .sql) ($(grep -m1 -v '^--' "$b" | cut -c1-50))"
  if grep -q 'CREATE EXTENSION civic' "$b"; then
    target=mydb
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS mydb" -c "CREATE DATABASE mydb" >/dev/null 2>&1
  else
    target=$db
  fi
  announced=$(grep -c -- '--.*ERROR' "$b")
  psql -X -v ON_ERROR_STOP=0 -d "$target" -f "$b" >"$work/block.out" 2>&1
  rc=$? raised=$(grep -c 'ERROR:' "$work/block.out")
  if ((rc == 0 && raised == announced)); then
    echo "ok $n - $name runs"
  else
    echo "not ok $n - $name runs ($raised errors, $announced announced)"
    grep -B2 -A3 'ERROR:' "$work/block.out" | head -n 12 | sed 's/^/#   /'
  fi
done
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS mydb" >/dev/null 2>&1
exit 0
