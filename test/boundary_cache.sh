#!/usr/bin/env bash
# civic.boundary across sessions: a lookup cache built in one session is
# dropped when another session commits a change to civic.boundary (and not
# before), and pg_dump/restore keeps user rows without duplicating the
# shipped ones.  TAP output.
set -uo pipefail
echo "1..9"

db=civic_boundary_cache
export PGOPTIONS='-c search_path=public,civic'
work=$(mktemp -d)
trap 'exec 3>&- 4>&- 2>/dev/null; kill $pid_a $pid_b 2>/dev/null; wait 2>/dev/null; rm -rf "$work";
      psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS ${db}_restored" >/dev/null 2>&1' EXIT

psql -X -q -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS ${db}_restored" \
  -c "CREATE DATABASE $db" >/dev/null
psql -X -q -d "$db" -c 'CREATE EXTENSION civic CASCADE' >/dev/null 2>&1

# Two long-lived sessions, A and B, fed through FIFOs.
mkfifo "$work/a.in" "$work/b.in"
: >"$work/a.out"
: >"$work/b.out"
psql -X -q -At -d "$db" <"$work/a.in" >>"$work/a.out" 2>&1 &
pid_a=$!
psql -X -q -At -d "$db" <"$work/b.in" >>"$work/b.out" 2>&1 &
pid_b=$!
exec 3>"$work/a.in" 4>"$work/b.in"
n=0
# run SQL in a session (3 = A, 4 = B) and print its output
run() {
  local fd=$1 sql=$2 out mark
  n=$((n + 1))
  mark="--done-$n--"
  out=$([[ $fd == 3 ]] && echo "$work/a.out" || echo "$work/b.out")
  local before
  before=$(wc -l <"$out")
  printf '%s\n\\echo %s\n' "$sql" "$mark" >&"$fd"
  for _ in $(seq 1 600); do
    grep -qx -- "$mark" "$out" && break
    sleep 0.05
  done
  tail -n +"$((before + 1))" "$out" | grep -vx -- "$mark"
}
ok() {  # $1 number, $2 description, $3 got, $4 expected
  if [[ $3 == "$4" ]]; then echo "ok $1 - $2"; else
    echo "not ok $1 - $2"; echo "#   got: '$3'"; echo "#   expected: '$4'"; fi
}

p='civic.bng(530043.19, 180358.21)'
moved='civic.bng(530043.19, 280358.21)'
shift_sql() {
  echo "UPDATE civic.boundary SET geom = ST_Translate(geom, 0, $1) WHERE vintage = 2018 AND level = 'ward' AND code = 'E05000644';"
}

got=$(run 4 "SELECT civic.ward_of($p, 2018);")
ok 1 "session B builds its cache and finds the ward" "$got" "E05000644"

run 3 "BEGIN; $(shift_sql 100000)" >/dev/null
got=$(run 4 "SELECT coalesce(civic.ward_of($p, 2018)::text, 'none');")
ok 2 "an uncommitted change in session A is not seen by B" "$got" "E05000644"

run 3 "COMMIT;" >/dev/null
got=$(run 4 "SELECT coalesce(civic.ward_of($p, 2018)::text, 'none') || ' ' || coalesce(civic.ward_of($moved, 2018)::text, 'none');")
ok 3 "after A commits, B's next lookup sees the moved ward" "$got" "none E05000644"

run 3 "$(shift_sql -100000)" >/dev/null
got=$(run 4 "SELECT coalesce(civic.ward_of($p, 2018)::text, 'none') || ' ' || coalesce(civic.ward_of($moved, 2018)::text, 'none');")
ok 4 "a second change (autocommit) is seen too" "$got" "E05000644 none"

run 3 "INSERT INTO civic.boundary (vintage, level, code, name, geom) VALUES (1, 'test_cache', 'E05900001', 'square', 'SRID=27700;MULTIPOLYGON(((100000 100000,100100 100000,100100 100100,100000 100100,100000 100000)))');" >/dev/null
got=$(run 4 "SELECT civic.area_of(civic.bng(100050, 100050), 'test_cache');")
ok 5 "a level added in A is found by B" "$got" "E05900001"

exec 3>&- 4>&-
wait $pid_a $pid_b 2>/dev/null

# pg_dump / restore: the user row survives, shipped rows are not duplicated.
shipped=$(psql -X -At -d "$db" -c "SELECT count(*) FROM civic.boundary WHERE shipped")
psql -X -q -d postgres -c "CREATE DATABASE ${db}_restored" >/dev/null
pg_dump -d "$db" >"$work/dump.sql" 2>"$work/dump.err"
psql -X -q -d "${db}_restored" -f "$work/dump.sql" >"$work/restore.out" 2>&1
got=$(psql -X -At -d "${db}_restored" -c "SELECT count(*) FILTER (WHERE shipped) || ' ' || count(*) FILTER (WHERE NOT shipped) FROM civic.boundary")
ok 6 "restore has the shipped rows once and the user row" "$got" "$shipped 1"
got=$(psql -X -At -d "${db}_restored" -c "SELECT count(*) FROM (SELECT vintage, level, code FROM civic.boundary GROUP BY 1, 2, 3 HAVING count(*) > 1) d")
ok 7 "no duplicated (vintage, level, code) after restore" "$got" "0"
got=$(psql -X -At -d "${db}_restored" -c "SELECT civic.area_of(civic.bng(100050, 100050), 'test_cache') || ' ' || civic.ward_of(civic.bng(530043.19, 180358.21), 2018)")
ok 8 "lookups work on the restored database" "$got" "E05900001 E05000644"
got=$(psql -X -At -d "${db}_restored" -c "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'civic.boundary'::regclass AND tgname = 'boundary_invalidate'")
ok 9 "the invalidation trigger is there once after restore" "$got" "1"
