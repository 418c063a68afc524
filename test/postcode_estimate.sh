#!/usr/bin/env bash
# civic.postcode_estimate, measured by leave-one-out on the shipped directory:
# every postcode of the newest release (2024.1.0) is estimated from the other
# postcodes of its sector (postcode_estimate never uses the postcode's own
# rows), and the estimate's ward (2022 wards) and borough are compared with
# those of its real location.  A missing estimate counts as wrong.  Checks
# the rates against the aims and that README.md states the measured figures.
# TAP output.
set -uo pipefail
: "${CIVIC_TOP:?}"
echo "1..5"
db=civic_pc_estimate
export PGOPTIONS='-c search_path=public,civic -c client_min_messages=warning'
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
check() { if [[ $1 == 0 ]]; then echo "ok $2"; else echo "not ok $2"; fi; }

q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
q -d "$db" -c 'CREATE EXTENSION civic CASCADE' >/dev/null 2>&1

read -r n_ward ward_ok n_borough borough_ok no_estimate < <(q -F ' ' -d "$db" <<'SQL'
CREATE TEMP TABLE loo AS
SELECT d.postcode, d.location AS loc, postcode_estimate(d.postcode) AS est
  FROM civic.postcode_directory d WHERE d.release = 2024;
SELECT count(*) FILTER (WHERE ward_of(loc, 2022) IS NOT NULL),
       count(*) FILTER (WHERE ward_of(loc, 2022) IS NOT NULL
                          AND ward_of(est, 2022)::text IS NOT DISTINCT FROM ward_of(loc, 2022)::text),
       count(*) FILTER (WHERE borough_of(loc) IS NOT NULL),
       count(*) FILTER (WHERE borough_of(loc) IS NOT NULL
                          AND borough_of(est)::text IS NOT DISTINCT FROM borough_of(loc)::text),
       count(*) FILTER (WHERE est IS NULL)
  FROM loo;
SQL
)
pct() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", 100 * a / b}'; }
ward=$(pct "$ward_ok" "$n_ward")
borough=$(pct "$borough_ok" "$n_borough")
echo "# leave-one-out over $n_ward postcodes of 2024.1.0 in a 2022 ward: right ward $ward_ok ($ward %),"
echo "#   right borough $borough_ok of $n_borough ($borough %); no estimate (sector of one): $no_estimate"

[[ $n_ward -gt 140000 && $n_borough -gt 140000 ]]
check $? "1 - the measurement covers the newest release ($n_ward postcodes)"
# The aims are 88 % and 98.5 %; the estimate measured 89.5 % and 98.4 %
# (98.37 %): these check the measured figures less a small margin (README.md
# says the borough aim is not reached).
awk -v r="$ward" 'BEGIN{exit !(r >= 89.3)}'
check $? "2 - the right ward for at least 89.3 % of postcodes (measured $ward %; aim 88 %)"
awk -v r="$borough" 'BEGIN{exit !(r >= 98.3)}'
check $? "3 - the right borough for at least 98.3 % of postcodes (measured $borough %; aim 98.5 %)"
grep -q "right ward for $ward %" "$CIVIC_TOP/README.md"
check $? "4 - README.md states the measured ward figure ($ward %)"
grep -q "right borough for $borough %" "$CIVIC_TOP/README.md"
check $? "5 - README.md states the measured borough figure ($borough %)"
