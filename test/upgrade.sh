#!/usr/bin/env bash
# Upgrades: every released version of civic (control/released/) installs,
# upgrades with ALTER EXTENSION civic UPDATE, and ends with a catalogue
# identical to a fresh install of the current version (test/lib/catalogue.sql:
# functions with their labels, aggregates, types, operators, casts, operator
# classes, tables, views, columns, comments and grants).  Runs against the
# suite's cluster (PGHOST/PGPORT from scripts/run-tests.sh).
set -uo pipefail
: "${CIVIC_TOP:?}"
cd "$CIVIC_TOP" || exit 1
current=$(sed -n "s/^default_version = '\(.*\)'/\1/p" control/civic.control)
mapfile -t released < <(ls control/released/ | sed -n 's/^civic--\([0-9.]*\)\.sql$/\1/p' | sort -V)
echo "1..$((2 + 3 * ${#released[@]}))"
n=0
check() { n=$((n + 1)); if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$@"; }
work=$(mktemp -d /tmp/civic-upgrade.XXXXXX)
trap 'rm -rf "$work"' EXIT

q postgres -c 'DROP DATABASE IF EXISTS civic_up_fresh' -c 'CREATE DATABASE civic_up_fresh' >/dev/null
q civic_up_fresh -c 'CREATE EXTENSION civic CASCADE' >/dev/null 2>"$work/fresh.err"
check $? "a fresh install of $current works"
q civic_up_fresh -f test/lib/catalogue.sql >"$work/fresh.txt" 2>&1
[[ $(grep -c '^function ' "$work/fresh.txt") -gt 50 ]]
check $? "the catalogue snapshot of a fresh install lists civic's functions"

for v in "${released[@]}"; do
  db=civic_up_${v//./_}
  q postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
  q "$db" -c "CREATE EXTENSION civic VERSION '$v' CASCADE" >/dev/null 2>"$work/$v.err"
  check $? "released version $v installs"
  q "$db" -c 'ALTER EXTENSION civic UPDATE' >/dev/null 2>>"$work/$v.err" \
    && [[ $(q "$db" -Atc "SELECT extversion FROM pg_extension WHERE extname = 'civic'") == "$current" ]]
  check $? "ALTER EXTENSION civic UPDATE takes $v to $current"
  grep -v "^NOTICE:" "$work/$v.err" | sed 's/^/#   /'
  q "$db" -f test/lib/catalogue.sql >"$work/$v.txt" 2>&1
  diff -u "$work/fresh.txt" "$work/$v.txt" >"$work/$v.diff"
  check $? "the catalogue after upgrading from $v equals a fresh install of $current"
  sed 's/^/#   /' "$work/$v.diff" | head -n 80
  q postgres -c "DROP DATABASE $db" >/dev/null
done
q postgres -c 'DROP DATABASE civic_up_fresh' >/dev/null
exit 0
