#!/usr/bin/env bash
# sqlsmith against civic: random queries over civic's types, operators,
# indexes (btree, hash, GiST on bng), boundaries and DP aggregates must never
# crash a backend.  Query errors (bad input, refused DP queries, timeouts) are
# normal outcomes; a backend killed by a signal, a PANIC, a failed assertion
# or a server that stops answering is a failure.
#
#   CIVIC_SQLSMITH_QUERIES   number of queries (default 1000)
#   CIVIC_SQLSMITH_SEED      sqlsmith's random seed (default: random, printed)
#   CIVIC_SQLSMITH_ROLE      role the queries run as (default civic_smith, an
#                            ordinary role owning the test tables; "postgres"
#                            runs them as the superuser)
#
# Run by scripts/run-tests.sh (prove), it uses the suite's cluster (PGHOST,
# PGPORT, CIVIC_LOG).  Run alone, it starts its own throwaway cluster:
#   CIVIC_PGPORT=54339 CIVIC_SQLSMITH_QUERIES=100000 bash test/sqlsmith.sh
set -uo pipefail

CIVIC_TOP=${CIVIC_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
queries=${CIVIC_SQLSMITH_QUERIES:-1000}
seed=${CIVIC_SQLSMITH_SEED:-$((RANDOM * 32768 + RANDOM))}
role=${CIVIC_SQLSMITH_ROLE:-civic_smith}
db=civic_smith

if ! command -v sqlsmith >/dev/null; then
  echo "1..0 # SKIP sqlsmith is not installed (Debian: apt-get install sqlsmith)"
  exit 0
fi

own_cluster=
if [[ -z ${CIVIC_LOG:-} || -z ${PGHOST:-} ]]; then
  export PATH=/usr/lib/postgresql/15/bin:$PATH
  # shellcheck source=../scripts/cluster.sh
  source "$CIVIC_TOP/scripts/cluster.sh"
  build_and_install
  trap cluster_stop EXIT
  cluster_start || exit 1
  own_cluster=1
fi

work=$(mktemp -d /tmp/civic-sqlsmith.XXXXXX)
chmod 755 "$work"
cleanup() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
  if [[ $role != postgres ]]; then psql -X -q -d postgres -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1; fi
  rm -rf "$work"
  if [[ -n $own_cluster ]]; then cluster_stop; fi
}
trap cleanup EXIT

n=0 fails=0
ok() {  # ok STATUS DESCRIPTION
  n=$((n + 1))
  if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}

echo "1..4"
echo "# sqlsmith: $queries queries, seed $seed, as $role"

# ---- the database: civic's types in tables with every kind of index -------
setup() {
  psql -X -q -v ON_ERROR_STOP=1 -d postgres <<SQL || return 1
DROP DATABASE IF EXISTS $db;
CREATE DATABASE $db;
SQL
  if [[ $role != postgres ]]; then
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE ROLE $role LOGIN" || return 1
  fi
  psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<SQL || return 1
CREATE EXTENSION civic CASCADE;
GRANT CREATE, USAGE ON SCHEMA public TO $role;
-- as a DBA does, so that the lookups work for the role
GRANT SELECT ON civic.boundary TO $role;
-- a runaway random query must not hold up the run
ALTER DATABASE $db SET statement_timeout = '1s';
ALTER DATABASE $db SET search_path = public, civic;
-- sqlsmith's query errors would flood the server log; crashes are logged
-- by the postmaster whatever this says
ALTER DATABASE $db SET log_min_messages = fatal;
SET ROLE $role;
CREATE TABLE places (
    id       int PRIMARY KEY,
    pc       civic.postcode,
    gss      civic.gsscode,
    pt       civic.bng,
    geom     geometry(Point, 27700),
    label    text
);
-- postcodes: every combination of a few areas, districts and units that is valid
INSERT INTO places (id, pc)
SELECT row_number() OVER (), s::civic.postcode
  FROM (SELECT a || d || ' ' || u AS s
          FROM unnest(ARRAY['E','N','W','SE','SW','EC','WC','NW','CR','BR','GIR']) a,
               unnest(ARRAY['1','1A','2','10','19','1W','9']) d,
               unnest(ARRAY['1AA','2BD','9ZZ','0AA','5XY']) u) c
 WHERE civic.is_valid_postcode(s);
-- points and codes: the wards' points on surface, a few edge points
UPDATE places p SET gss = w.code, pt = w.pt, geom = w.g, label = w.name
  FROM (SELECT row_number() OVER (ORDER BY vintage, code) AS id, code, name,
               ST_PointOnSurface(geom) AS g,
               civic.bng(ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom))) AS pt
          FROM civic.boundary) w
 WHERE p.id = w.id;
INSERT INTO places VALUES
  (100001, 'SW1A 1AA', 'E09000033', '530043.19 180358.21', 'SRID=27700;POINT(530043.19 180358.21)', 'edge'),
  (100002, NULL, 'K02000001', '0 0', 'SRID=27700;POINT(0 0)', NULL),
  (100003, 'ZE1 0AA', 'W92000004', '700000 1300000', 'SRID=27700;POINT(700000 1300000)', ''),
  (100004, 'GIR 0AA', 'E05009317', 'TQ 30043 80358', NULL, 'grid reference');
CREATE INDEX places_pc_btree ON places (pc);
CREATE INDEX places_pc_hash ON places USING hash (pc);
CREATE INDEX places_gss_btree ON places (gss);
CREATE INDEX places_gss_hash ON places USING hash (gss);
CREATE INDEX places_pt_btree ON places (pt);
CREATE INDEX places_pt_hash ON places USING hash (pt);
CREATE INDEX places_pt_gist ON places USING gist (pt);
CREATE INDEX places_geom_gist ON places USING gist (geom);

CREATE TABLE people (
    person   int,
    ward     civic.gsscode,
    home     civic.bng,
    pc       civic.postcode,
    age      int,
    income   numeric,
    score    float8
);
INSERT INTO people
SELECT i, p.gss, p.pt, p.pc, i % 90, (i * 37 % 1000) * 12.5, (i % 17) / 3.0
  FROM generate_series(1, 3000) i
  JOIN places p ON p.id = 1 + i % 400;
CREATE INDEX people_ward ON people (ward);
CREATE INDEX people_home ON people USING gist (home);
CREATE INDEX people_pc ON people USING hash (pc);
ANALYZE places, people;
SQL
}
setup >"$work/setup.out" 2>&1
rc=$?
ok $rc "a database with civic's types, btree/hash/GiST indexes, boundaries and tables using them"
if ((rc != 0)); then sed 's/^/#   /' "$work/setup.out" | tail -n 20; fi

# ---- the run ---------------------------------------------------------------
log_before=$(stat -c %s "$CIVIC_LOG" 2>/dev/null || echo 0)
pm_before=$(head -n 1 "$CIVIC_PGDATA/postmaster.pid" 2>/dev/null)
start=$(date +%s)
sqlsmith --target="host=$PGHOST port=$PGPORT dbname=$db user=$role" \
  --seed="$seed" --max-queries="$queries" --exclude-catalog --verbose \
  >"$work/sqlsmith.out" 2>"$work/sqlsmith.err"
rc=$?
took=$(($(date +%s) - start))
# sqlsmith's closing statistics: "queries: N (...)"; errors are its normal output
ran=$(grep -oE 'queries: [0-9]+' "$work/sqlsmith.err" | tail -n 1 | grep -oE '[0-9]+')
ok $(( rc != 0 || ${ran:-0} < queries )) "sqlsmith ran ${ran:-0} of $queries queries in ${took}s (exit status $rc)"
if ((rc != 0 || ${ran:-0} < queries)); then tail -n 20 "$work/sqlsmith.err" | sed 's/^/#   /'; fi
cp "$work/sqlsmith.err" "${CIVIC_SQLSMITH_KEEP:-/dev/null}" 2>/dev/null || true

# ---- crashes ---------------------------------------------------------------
tail -c +"$((log_before + 1))" "$CIVIC_LOG" >"$work/server.log" 2>/dev/null
crash_re='terminated by signal|was terminated by exception|exited with exit code [^0-1]|PANIC:|TRAP:|all server processes terminated|database system was not properly shut down|database system was interrupted'
crashes=$(grep -cE "$crash_re" "$work/server.log" || true)
ok $((crashes != 0)) "no backend crashed (server log: $crashes crash lines)"
if ((crashes != 0)); then
  grep -E -A2 "$crash_re|Failed process was running" "$work/server.log" | head -n 40 | sed 's/^/#   /'
  keep=/tmp/civic-sqlsmith-crash.$seed.log
  cp "$work/server.log" "$keep" && echo "#   server log of the run kept in $keep (seed $seed)"
fi
pm_after=$(head -n 1 "$CIVIC_PGDATA/postmaster.pid" 2>/dev/null)
up=$(psql -X -At -d postgres -c 'SELECT 1' 2>/dev/null)
ok $([[ $up == 1 && -n $pm_before && $pm_before == "$pm_after" ]]; echo $?) \
  "the server still answers, same postmaster (pid $pm_before -> ${pm_after:-none})"
echo "# sqlsmith: queries=${ran:-0} seconds=$took crashes=$crashes seed=$seed"
((fails == 0))
