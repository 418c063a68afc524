#!/usr/bin/env bash
# Releases read by ordinary clients, as BI tools read them: psql, Python
# psycopg2 and Java JDBC (Debian's python3-psycopg2 and
# libpostgresql-jdbc-java).  Columns arrive as plain numbers and text (JDBC
# getObject gives Integer/Long/BigDecimal/Double/String, never PGobject),
# the table and columns carry comments, and reading never charges a budget.
# A release with boundaries (geometry => 'all') is read too: its GeoJSON
# column arrives as a String (JDBC) and a str (psycopg2) that parses as a
# MultiPolygon in WGS 84 within Power BI's 32766 characters, and its geometry
# columns are typed (geometry_columns, which QGIS reads, lists them with
# their SRID and type).
#
# JDBC needs TCP and the suite's cluster listens on a unix socket only, so
# this test starts its own small cluster on the next port, listening on
# 127.0.0.1, and stops it on exit (scripts/cluster.sh, CIVIC_STAGE honoured).
set -uo pipefail
: "${CIVIC_TOP:?}" "${PGPORT:?}"
cd "$CIVIC_TOP" || exit 1

echo "1..14"
n=0
check() { n=$((n + 1)); if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
skip() { n=$((n + 1)); echo "ok $n - $1 # skip $2"; }

# ---- a cluster of our own that listens on loopback ---------------------------
export CIVIC_PGPORT=$((PGPORT + 1))
# shellcheck source=../scripts/cluster.sh
source scripts/cluster.sh
work=$(mktemp -d /tmp/civic-clients.XXXXXX)
chmod 755 "$work"
trap 'cluster_stop; rm -rf "$work" "$CIVIC_RUN"' EXIT
if ! cluster_start >"$work/start.log" 2>&1; then
  echo "# the extra cluster did not start:"; sed 's/^/#   /' "$work/start.log"; exit 1
fi
echo "listen_addresses = '127.0.0.1'" >>"$CIVIC_PGDATA/postgresql.conf"
cluster_restart >/dev/null 2>&1
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
db=civic_clients
q -d postgres -c "CREATE DATABASE $db" >/dev/null
q -d "$db" >"$work/setup.log" 2>&1 <<'SQL'
CREATE EXTENSION civic CASCADE;
CREATE ROLE clients_analyst LOGIN;
CREATE SCHEMA rel;
-- sensitive rows: 1 to 4 people in each of the 2022 wards, with an income
CREATE TABLE people AS
SELECT g AS id, ST_PointOnSurface(w.geom)::civic.bng AS p, (1000 + g % 3000)::numeric(10,2) AS income
  FROM (SELECT geom, row_number() OVER (ORDER BY code) AS k FROM civic.boundary
         WHERE level = 'ward' AND vintage = 2022) w,
       generate_series(1, 4) g WHERE g <= 1 + w.k % 4;
REVOKE ALL ON people FROM PUBLIC;
SELECT civic.set_budget('postgres', 'public.people', 5.0);
SELECT * FROM civic.publish_release('people', 'public.people', 'p',
    '[{"name": "people", "kind": "count"},
      {"name": "income", "kind": "sum", "column": "income", "lower": 0, "upper": 5000},
      {"name": "mean_income", "kind": "avg", "column": "income", "lower": 0, "upper": 5000}]',
    epsilon => 1.0, target_schema => 'rel', levels => ARRAY['ward', 'borough'], vintage => 2022,
    grantees => ARRAY['clients_analyst']::regrole[], consistent => true);
-- the boroughs with their boundaries and the counts rounded to 5
SELECT * FROM civic.publish_release('geo', 'public.people', 'p', '[{"name": "people", "kind": "count"}]',
    epsilon => 0.5, target_schema => 'rel', levels => ARRAY['borough'],
    grantees => ARRAY['clients_analyst']::regrole[], sdc => '{"round": 5}', geometry => 'all');
SQL
check $? "a release is published on a cluster listening on 127.0.0.1:$CIVIC_PGPORT"
tail -n 5 "$work/setup.log" | grep ERROR | sed 's/^/#   /'
state() {  # every charge in the database, and the publisher's remaining epsilon on the source
  q -At -d "$db" -c "SELECT (SELECT count(*) FROM civic.privacy_ledger) || ' ' ||
                            (SELECT epsilon FROM civic.budget_remaining('public.people'))"
}
before=$(state)

# ---- psql ----------------------------------------------------------------
out=$(psql -X -At -h 127.0.0.1 -p "$CIVIC_PGPORT" -U clients_analyst -d "$db" -F ' ' \
  -c "SELECT count(*), count(*) FILTER (WHERE people >= 0 AND income IS NOT NULL) FROM rel.people_ward" 2>&1)
[[ $out == "704 704" ]]
check $? "psql over TCP reads every ward of the release as the analyst ($out)"
psql -X -h 127.0.0.1 -p "$CIVIC_PGPORT" -U clients_analyst -d "$db" -c 'SELECT * FROM public.people LIMIT 1' \
  >"$work/denied.log" 2>&1
grep -q 'permission denied for table people' "$work/denied.log"
check $? "the analyst cannot read the source"

out=$(psql -X -At -h 127.0.0.1 -p "$CIVIC_PGPORT" -U clients_analyst -d "$db" -F ' ' \
  -c "SELECT f_geometry_column, srid, type FROM geometry_columns
       WHERE f_table_schema = 'rel' AND f_table_name = 'geo_borough' ORDER BY 1" 2>&1)
[[ $out == $'geom 27700 MULTIPOLYGON\ngeom_wgs84 4326 MULTIPOLYGON' ]]
check $? "geometry_columns (what QGIS reads) lists the release's geom (27700) and geom_wgs84 (4326) as MultiPolygon"
echo "$out" | sed 's/^/#   /'

# ---- Python psycopg2 ---------------------------------------------------------
py=/usr/bin/python3
if [[ -x $py ]] && $py -c 'import psycopg2' 2>/dev/null; then
  cat >"$work/read.py" <<'PY'
import decimal, sys
import psycopg2
conn = psycopg2.connect(host=sys.argv[1], port=int(sys.argv[2]), dbname=sys.argv[3], user="clients_analyst")
cur = conn.cursor()
# a BI tool's probe first, then the rows
cur.execute("SELECT * FROM rel.people_borough LIMIT 0")
probe = [(d.name, d.type_code) for d in cur.description]
cur.execute("SELECT * FROM rel.people_borough ORDER BY id")
rows = cur.fetchall()
types = {d.name: type(v).__name__ for d, v in zip(cur.description, rows[0])}
print("columns", " ".join("%s:%d" % p for p in probe))
print("types", " ".join("%s:%s" % kv for kv in sorted(types.items())))
print("rows", len(rows))
ok = (len(rows) == 33
      and isinstance(rows[0][0], int) and isinstance(rows[0][1], str)
      and isinstance(rows[0][4], int) and isinstance(rows[0][6], decimal.Decimal)
      and isinstance(rows[0][5], float) and isinstance(rows[0][8], float)
      and all(t in (20, 23, 25, 701, 1700) for _, t in probe))
print("ok" if ok else "bad")
PY
  $py "$work/read.py" 127.0.0.1 "$CIVIC_PGPORT" "$db" >"$work/py.out" 2>&1
  grep -qx ok "$work/py.out"
  check $? "psycopg2 reads the release: int, str, int, Decimal and float values, built-in type OIDs only"
  sed 's/^/#   /' "$work/py.out"
  $py - "$CIVIC_SOCK" "$CIVIC_PGPORT" "$db" >"$work/py2.out" 2>&1 <<'PY'
import sys, psycopg2
conn = psycopg2.connect(host=sys.argv[1], port=int(sys.argv[2]), dbname=sys.argv[3], user="clients_analyst")
cur = conn.cursor()
for _ in range(20):
    cur.execute("SELECT sum(people) FROM rel.people_ward")
print(cur.fetchone()[0] >= 0)
PY
  grep -qx True "$work/py2.out"
  check $? "psycopg2 over the unix socket reads the release twenty times"
  $py - 127.0.0.1 "$CIVIC_PGPORT" "$db" >"$work/py3.out" 2>&1 <<'PY'
import json, sys, psycopg2
conn = psycopg2.connect(host=sys.argv[1], port=int(sys.argv[2]), dbname=sys.argv[3], user="clients_analyst")
cur = conn.cursor()
cur.execute("SELECT id, area_code, people, geojson FROM rel.geo_borough ORDER BY id")
rows = cur.fetchall()
ok = len(rows) == 33
for i, code, people, gj in rows:
    ok &= isinstance(i, int) and isinstance(people, int) and people % 5 == 0 and isinstance(gj, str) and len(gj) <= 32766
    g = json.loads(gj)
    ok &= g["type"] == "MultiPolygon"
    for poly in g["coordinates"]:
        for ring in poly:
            ok &= ring[0] == ring[-1] and all(-0.6 < lon < 0.4 and 51.2 < lat < 51.8 for lon, lat in ring)
print("geojson", type(rows[0][3]).__name__, max(len(r[3]) for r in rows), "characters at most")
print("ok" if ok else "bad")
PY
  grep -qx ok "$work/py3.out"
  check $? "psycopg2 reads the GeoJSON column as str: MultiPolygons in WGS 84 around London, each within 32766 characters"
  sed 's/^/#   /' "$work/py3.out"
else
  skip "psycopg2 reads the release" "python3-psycopg2 is not installed"
  skip "psycopg2 over the unix socket" "python3-psycopg2 is not installed"
  skip "psycopg2 reads the GeoJSON column" "python3-psycopg2 is not installed"
fi

# ---- Java JDBC -----------------------------------------------------------
jar=/usr/share/java/postgresql.jar
if [[ -f $jar ]] && command -v javac >/dev/null && command -v java >/dev/null; then
  cat >"$work/ReadRelease.java" <<'JAVA'
import java.sql.*;

public class ReadRelease {
    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + args[0] + "/" + args[1];
        try (Connection c = DriverManager.getConnection(url, "clients_analyst", "")) {
            boolean ok = true;
            int rows = 0;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT * FROM rel.people_ward ORDER BY id")) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    rows++;
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        Object o = rs.getObject(i);
                        String cls = o == null ? "null" : o.getClass().getName();
                        if (rows == 1)
                            System.out.println(md.getColumnName(i) + " " + md.getColumnTypeName(i) + " " + cls);
                        if (o != null && !(o instanceof Integer || o instanceof Long || o instanceof String
                                           || o instanceof java.math.BigDecimal || o instanceof Double))
                            ok = false;
                        if (cls.startsWith("org.postgresql.util.PGobject"))
                            ok = false;
                    }
                }
            }
            System.out.println("rows " + rows);
            // what a BI tool shows as descriptions: the table's and the columns' comments
            DatabaseMetaData dm = c.getMetaData();
            try (ResultSet t = dm.getTables(null, "rel", "people_ward", null)) {
                ok &= t.next() && t.getString("REMARKS") != null && t.getString("REMARKS").startsWith("civic release");
            }
            int described = 0;
            try (ResultSet col = dm.getColumns(null, "rel", "people_ward", null)) {
                while (col.next())
                    if (col.getString("REMARKS") != null && !col.getString("REMARKS").isEmpty())
                        described++;
            }
            System.out.println("described " + described);
            System.out.println(ok && rows == 704 && described == 10 ? "ok" : "bad");
            // the release with boundaries: the GeoJSON is a String that a
            // Power BI text value holds; the PostGIS columns, which the
            // driver does not know, arrive as PGobject of type geometry
            boolean geo = true;
            int geoRows = 0;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id, area_code, people, geojson, geom FROM rel.geo_borough ORDER BY id")) {
                while (rs.next()) {
                    geoRows++;
                    Object gj = rs.getObject("geojson");
                    Object g = rs.getObject("geom");
                    if (geoRows == 1)
                        System.out.println("geojson " + gj.getClass().getName() + " geom " + g.getClass().getName()
                                           + " " + ((org.postgresql.util.PGobject) g).getType());
                    geo &= gj instanceof String && ((String) gj).startsWith("{\"type\":\"MultiPolygon\",\"coordinates\":[[[")
                           && ((String) gj).length() <= 32766 && rs.getObject("people") instanceof Long
                           && rs.getObject("id") instanceof Integer;
                }
            }
            int geoDescribed = 0;
            try (ResultSet col = dm.getColumns(null, "rel", "geo_borough", null)) {
                while (col.next())
                    if (col.getString("REMARKS") != null && !col.getString("REMARKS").isEmpty())
                        geoDescribed++;
            }
            System.out.println("geo rows " + geoRows + " described " + geoDescribed);
            System.out.println(geo && geoRows == 33 && geoDescribed == 9 ? "geo ok" : "geo bad");
        }
    }
}
JAVA
  if javac -d "$work" -cp "$jar" "$work/ReadRelease.java" >"$work/javac.log" 2>&1; then
    java -cp "$work:$jar" ReadRelease "$CIVIC_PGPORT" "$db" >"$work/java.out" 2>&1
    grep -qx ok "$work/java.out"
    check $? "JDBC reads the release: getObject gives Integer, Long, BigDecimal, Double and String, never PGobject"
    sed 's/^/#   /' "$work/java.out"
    grep -q '^income numeric java.math.BigDecimal$' "$work/java.out" \
      && grep -q '^people int8 java.lang.Long$' "$work/java.out" \
      && grep -q '^area_code text java.lang.String$' "$work/java.out"
    check $? "JDBC: the count is a Long, the numeric sum a BigDecimal, the code a String"
    grep -qx 'described 10' "$work/java.out"
    check $? "JDBC sees the table's and every column's comment (REMARKS)"
    grep -qx 'geo ok' "$work/java.out" && grep -q '^geojson java.lang.String ' "$work/java.out"
    check $? "JDBC: getObject of the GeoJSON column is a String (a MultiPolygon within 32766 characters), every column described"
  else
    sed 's/^/#   /' "$work/javac.log"
    check 1 "JDBC reads the release (the test class compiles)"
    check 1 "JDBC: the count is a Long, the numeric sum a BigDecimal, the code a String"
    check 1 "JDBC sees the table's and every column's comment (REMARKS)"
    check 1 "JDBC: getObject of the GeoJSON column is a String"
  fi
else
  skip "JDBC reads the release" "libpostgresql-jdbc-java or a JDK is not installed"
  skip "JDBC column classes" "libpostgresql-jdbc-java or a JDK is not installed"
  skip "JDBC comments" "libpostgresql-jdbc-java or a JDK is not installed"
  skip "JDBC GeoJSON column" "libpostgresql-jdbc-java or a JDK is not installed"
fi

# ---- reading is never charged ----------------------------------------------
after=$(state)
[[ -n $before && $before == "$after" ]]
check $? "no read charged anything: ledger and the publisher's budget unchanged ($before / $after)"
a=$(q -At -d "$db" -c "SELECT count(*) FROM civic.privacy_ledger WHERE role = 'clients_analyst'::regrole")
[[ $a == 0 ]]
check $? "the analyst has no charge at all"
# a refresh is charged once more: one ledger record per aggregate and dataset,
# as the publication; the release with boundaries keeps them and its rounding
q -d "$db" -c "SELECT civic.refresh_release('people')" -c "SELECT civic.refresh_release('geo')" >/dev/null 2>&1
pub=$(q -At -d "$db" -c "SELECT count(*) FROM civic.privacy_ledger")
geo=$(q -At -d "$db" -c "SELECT count(*) FILTER (WHERE geom IS NOT NULL AND geojson IS NOT NULL AND people % 5 = 0)
                         FROM rel.geo_borough")
[[ $pub -gt 0 && $pub == $((2 * ${before%% *})) && $geo == 33 ]]
check $? "a refresh is charged once, as much as the publication (ledger records: ${before%% *} then $pub), and re-applies boundaries and rounding ($geo boroughs)"
exit 0
