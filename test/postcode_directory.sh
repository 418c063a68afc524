#!/usr/bin/env bash
# civic.postcode_directory across sessions, pg_dump and upgrades: a session's
# postcode cache follows changes committed by another session; pg_dump/restore
# keeps user rows without duplicating the shipped ones; ALTER EXTENSION civic
# UPDATE from 0.1.0 loads the directory and keeps stored 0.1.0 postcodes'
# meaning and order.  TAP output.
set -uo pipefail
echo "1..10"

db=civic_pc_directory
up=civic_pc_upgrade
export PGOPTIONS='-c search_path=public,civic -c client_min_messages=warning'
work=$(mktemp -d)
trap 'rm -rf "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" \
      -c "DROP DATABASE IF EXISTS ${db}_restored" -c "DROP DATABASE IF EXISTS $up" >/dev/null 2>&1' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
ok() {  # $1 number, $2 description, $3 got, $4 expected
  if [[ $3 == "$4" ]]; then echo "ok $1 - $2"; else
    echo "not ok $1 - $2"; echo "#   got: '$3'"; echo "#   expected: '$4'"; fi
}

q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS ${db}_restored" \
  -c "DROP DATABASE IF EXISTS $up" -c "CREATE DATABASE $db" >/dev/null
q -d "$db" -c 'CREATE EXTENSION civic CASCADE' >/dev/null 2>&1

# Session A keeps its cache while another session (psql run from \!) commits.
other() { printf '\\! psql -X -q -d %s -c "%s" >/dev/null\n' "$db" "$1"; }
out=$( {
  echo "SELECT coalesce(postcode_location('EC3A 1AA')::text, 'none') || ' ' || postcode_location('BR1 1DN');"
  other "INSERT INTO civic.postcode_directory (release, postcode, location) VALUES (2025, 'EC3A 1AA', '533300 181200'), (2025, 'BR1 1DN', '540000 169000')"
  echo "SELECT coalesce(postcode_location('EC3A 1AA')::text, 'none') || ' ' || postcode_location('BR1 1DN') || ' ' || (ward_of('EC3A 1AA'::postcode) = ward_of('533300 181200'::bng));"
  other "DELETE FROM civic.postcode_directory WHERE postcode = 'BR1 1DN' AND NOT shipped"
  echo "SELECT coalesce(postcode_location('EC3A 1AA')::text, 'none') || ' ' || postcode_location('BR1 1DN');"
} | q -d "$db" 2>&1)
mapfile -t lines <<<"$out"
ok 1 "session A builds its cache" "${lines[0]:-}" "none 540365 169136"
ok 2 "rows committed by another session are seen at A's next lookup" "${lines[1]:-}" "533300 181200 540000 169000 true"
ok 3 "a delete committed by another session is seen too" "${lines[2]:-}" "533300 181200 540365 169136"

# pg_dump / restore: the user row survives, shipped rows are not duplicated.
shipped=$(q -d "$db" -c "SELECT count(*) FROM civic.postcode_directory WHERE shipped")
q -d postgres -c "CREATE DATABASE ${db}_restored" >/dev/null
pg_dump -d "$db" >"$work/dump.sql" 2>"$work/dump.err"
psql -X -q -d "${db}_restored" -f "$work/dump.sql" >"$work/restore.out" 2>&1
got=$(q -d "${db}_restored" -c "SELECT count(*) FILTER (WHERE shipped) || ' ' || count(*) FILTER (WHERE NOT shipped) FROM civic.postcode_directory")
ok 4 "restore has the shipped rows once and the user row" "$got" "$shipped 1"
got=$(q -d "${db}_restored" -c "SELECT postcode_location('EC3A 1AA') || ' ' || (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'civic.postcode_directory'::regclass AND tgname = 'postcode_directory_invalidate')")
ok 5 "lookups work on the restored database, whose trigger is there once" "$got" "533300 181200 1"

# Upgrade from 0.1.0: postcodes stored by 0.1.0 keep their text and order,
# and the update loads the directory.
q -d postgres -c "CREATE DATABASE $up" >/dev/null
q -d "$up" -c "CREATE EXTENSION civic VERSION '0.1.0' CASCADE" >/dev/null 2>&1
q -d "$up" >/dev/null <<'SQL'
CREATE TABLE stored (id int, p civic.postcode);
INSERT INTO stored
SELECT row_number() OVER (), p::civic.postcode
  FROM unnest('{SW1A 1AA, E1 6AN, E1W 1AA, GIR 0AA, EC1A 1BB, SW10 1AA, SW2 1AA, N1C 4AX, BR1 1DN, ZE3 9ZZ, A1 0AA}'::text[]) p;
CREATE INDEX ON stored (p);
CREATE TABLE before AS SELECT id, p::text AS t, row_number() OVER (ORDER BY p) AS rank,
                              encode(civic.postcode_send(p), 'hex') AS bytes FROM stored;
SQL
q -d "$up" -c 'ALTER EXTENSION civic UPDATE' >/dev/null 2>"$work/up.err"
ok 6 "ALTER EXTENSION civic UPDATE from 0.1.0 succeeds" "$(q -d "$up" -c "SELECT extversion FROM pg_extension WHERE extname = 'civic'")" "0.2.0"
got=$(q -d "$up" -c "SELECT count(*) FILTER (WHERE b.t = s.p::text AND b.bytes = encode(civic.postcode_send(s.p), 'hex')) || ' of ' || count(*)
                        FROM before b JOIN stored s USING (id)")
ok 7 "stored 0.1.0 postcodes keep their text and bytes" "$got" "11 of 11"
got=$(q -d "$up" -c "SELECT bool_and(b.rank = s.rank) FROM before b JOIN (SELECT id, row_number() OVER (ORDER BY p) AS rank FROM stored) s USING (id)")
ok 8 "stored 0.1.0 postcodes keep their order" "$got" "t"
got=$(q -d "$up" -c "SET enable_seqscan = off; SELECT count(*) FROM stored WHERE p ^@ 'E1'; SELECT count(*) FROM stored WHERE p < 'STHL 1ZZ'")
ok 9 "the 0.1.0 index answers prefixes and orders new values" "$(echo $got)" "1 7"
got=$(q -d "$up" -c "SELECT (SELECT count(*) FROM civic.postcode_directory) || ' ' || civic.ward_of('SW1A 1AA'::civic.postcode)")
ok 10 "the update loads the directory: postcode lookups work" "$got" "$(q -d "$db" -c "SELECT count(*) FROM civic.postcode_directory WHERE shipped") E05013806"
