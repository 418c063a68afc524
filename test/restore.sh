#!/usr/bin/env bash
# pg_dump / pg_restore of a database that uses civic (docs/boundaries.md,
# "Backups: pg_dump and pg_restore").  A dump names schema civic on its own
# (CREATE SCHEMA civic: the schema is created for the extension by CREATE
# EXTENSION, so it is not one of the extension's members), so:
#   - into an empty database, pg_restore works as it is;
#   - into a database where civic is already installed, a plain pg_restore
#     stops on "schema civic already exists" (exit 1); leaving the schema's
#     entry out of the restore list (pg_restore -l | grep -v ... ; pg_restore
#     -L) restores everything else.
# Both documented ways are run here, each in a single transaction, and the
# data must come back exactly: a user table of civic types, an index on it,
# a view calling civic, and user rows of civic.boundary.  Runs against the
# suite's cluster (PGHOST/PGPORT from scripts/run-tests.sh).
set -uo pipefail
: "${CIVIC_TOP:?}"
cd "$CIVIC_TOP" || exit 1
echo "1..9"
n=0
check() { n=$((n + 1)); if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$@"; }
work=$(mktemp -d /tmp/civic-restore.XXXXXX)
chmod 755 "$work"
dbs=(civic_rs_src civic_rs_empty civic_rs_has_civic civic_rs_plain)
cleanup() {
  for d in "${dbs[@]}"; do q postgres -c "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1; done
  rm -rf "$work"
}
trap cleanup EXIT
for d in "${dbs[@]}"; do q postgres -c "DROP DATABASE IF EXISTS $d" -c "CREATE DATABASE $d TEMPLATE template0" >/dev/null 2>&1; done

# What a user's database holds: civic types in a table with an index, a view
# calling civic, user rows in civic.boundary (dumped: WHERE NOT shipped).
q civic_rs_src >/dev/null 2>"$work/src.err" <<'SQL'
CREATE EXTENSION civic CASCADE;
CREATE TABLE public.places (id int PRIMARY KEY, p civic.bng, w civic.gsscode,
                            pc civic.postcode, g public.geometry(Point, 27700));
INSERT INTO public.places
SELECT i, civic.bng(520000 + i * 7.125, 175000 + i * 3.5),
       (SELECT code FROM civic.boundary WHERE level = 'ward' ORDER BY code OFFSET i % 50 LIMIT 1),
       ('SW1A ' || (1 + i % 9) || 'AA')::civic.postcode,
       public.st_setsrid(public.st_makepoint(520000 + i, 175000 + i), 27700)
  FROM generate_series(1, 500) AS i;
CREATE INDEX places_p_idx ON public.places USING gist (p);
CREATE VIEW public.places_wards AS
    SELECT id, civic.ward_of(p) AS ward, civic.borough_of(p) AS borough FROM public.places;
INSERT INTO civic.boundary (vintage, level, code, name, parent, geom)
VALUES (2030, 'zone', 'E05999991', 'square', 'E09000001',
        public.st_multi(public.st_geomfromtext('POLYGON((520000 175000, 521000 175000, 521000 176000, 520000 176000, 520000 175000))', 27700))),
       (2030, 'zone', 'E05999992', 'bow tie', 'E09000001',
        public.st_multi(public.st_geomfromtext('POLYGON((0 0, 10 10, 10 0, 0 10, 0 0))', 27700)));
SQL
rc=$?
pg_dump -Fc -d civic_rs_src -f "$work/dump" 2>>"$work/src.err"
rc=$((rc | $?))
[[ $(q civic_rs_src -Atc "SELECT count(*) FROM public.places_wards WHERE ward IS NOT NULL") -gt 0 ]] || rc=1
check $rc "a database with civic, a table of civic types, a view and user boundaries is dumped (pg_dump -Fc)"
sed 's/^/#   /' "$work/src.err" | grep -v NOTICE

# A fingerprint of everything restored: rows of the user table, the view's
# answers (civic lookups), the user boundary rows with their validity, and
# the number of shipped boundary rows.
fingerprint() {
  q "$1" -At <<'SQL'
SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM public.places t;
SELECT md5(string_agg(v::text, '|' ORDER BY v.id)) FROM public.places_wards v;
SELECT string_agg(format('%s %s %s %s %s %s', vintage, level, code, name, valid, invalid_reason IS NULL), '|' ORDER BY code)
  FROM civic.boundary WHERE NOT shipped;
SELECT count(*) FROM civic.boundary WHERE shipped;
SELECT count(*) FROM pg_indexes WHERE indexname = 'places_p_idx';
SQL
}
fingerprint civic_rs_src >"$work/src.txt" 2>&1
sed 's/^/#   source: /' "$work/src.txt"

# 1. Into an empty database: as it is.
pg_restore --single-transaction --exit-on-error -d civic_rs_empty "$work/dump" 2>"$work/empty.err"
check $? "pg_restore into an empty database succeeds"
sed 's/^/#   /' "$work/empty.err"
fingerprint civic_rs_empty >"$work/empty.txt" 2>&1
diff -u "$work/src.txt" "$work/empty.txt" >"$work/empty.diff"
check $? "restored into an empty database, the data, view answers and user boundaries are identical"
sed 's/^/#   /' "$work/empty.diff"

# 2. Into a database that already has civic: a plain restore stops on the
# schema (the pitfall the documentation explains) ...
q civic_rs_plain -c 'CREATE EXTENSION civic CASCADE' >/dev/null 2>&1
pg_restore -d civic_rs_plain "$work/dump" >"$work/plain.out" 2>&1
rc=$?
[[ $rc -ne 0 ]] && grep -q 'schema "civic" already exists' "$work/plain.out" \
  && [[ $(grep -c 'ERROR:' "$work/plain.out") -eq 1 ]]
check $? "a plain pg_restore into a database that has civic fails on CREATE SCHEMA civic alone (exit $rc)"

# ... and the documented way leaves the schema's entry out of the list.
q civic_rs_has_civic -c 'CREATE EXTENSION civic CASCADE' >/dev/null 2>&1
pg_restore -l "$work/dump" | grep -v -E '^[0-9]+; [0-9]+ [0-9]+ SCHEMA - civic ' >"$work/list"
[[ $(pg_restore -l "$work/dump" | wc -l) -eq $(($(wc -l <"$work/list") + 1)) ]]
check $? "the restore list without schema civic drops exactly one entry"
pg_restore --single-transaction --exit-on-error -L "$work/list" -d civic_rs_has_civic "$work/dump" 2>"$work/has.err"
check $? "pg_restore -L (without schema civic) into a database that has civic succeeds"
sed 's/^/#   /' "$work/has.err"
fingerprint civic_rs_has_civic >"$work/has.txt" 2>&1
diff -u "$work/src.txt" "$work/has.txt" >"$work/has.diff"
check $? "restored into a database that has civic, the data, view answers and user boundaries are identical"
sed 's/^/#   /' "$work/has.diff"

# The restored databases work: civic's functions and the restored index.
[[ $(q civic_rs_has_civic -Atc "SET enable_seqscan = off; SELECT count(*) FROM public.places WHERE p OPERATOR(civic.<@) '((520000,175000),(521000,176000))'::box") -gt 0 ]]
check $? "the restored gist index on a civic.bng column answers queries"
[[ $(q civic_rs_empty -Atc "SELECT civic.bng_gridref(civic.bng_from_lonlat(-0.12806, 51.50778), 6)") == "TQ 300 804" ]]
check $? "civic works in the database restored from scratch"
exit 0
