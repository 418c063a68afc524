#!/usr/bin/env bash
# Releases read by ordinary clients, as BI tools read them: psql, Python
# psycopg2 and Java JDBC (Debian's python3-psycopg2 and
# libpostgresql-jdbc-java).  Columns arrive as plain numbers and text (JDBC
# getObject gives Integer/Long/BigDecimal/Double/String, never PGobject),
# the table and columns carry comments, and reading never charges a budget.
#
# JDBC needs TCP and the suite's cluster listens on a unix socket only, so
# this test starts its own small cluster on the next port, listening on
# 127.0.0.1, and stops it on exit (scripts/cluster.sh, CIVIC_STAGE honoured).
set -uo pipefail
: "${CIVIC_TOP:?}" "${PGPORT:?}"
cd "$CIVIC_TOP" || exit 1

echo "1..11"
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
else
  skip "psycopg2 reads the release" "python3-psycopg2 is not installed"
  skip "psycopg2 over the unix socket" "python3-psycopg2 is not installed"
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
  else
    sed 's/^/#   /' "$work/javac.log"
    check 1 "JDBC reads the release (the test class compiles)"
    check 1 "JDBC: the count is a Long, the numeric sum a BigDecimal, the code a String"
    check 1 "JDBC sees the table's and every column's comment (REMARKS)"
  fi
else
  skip "JDBC reads the release" "libpostgresql-jdbc-java or a JDK is not installed"
  skip "JDBC column classes" "libpostgresql-jdbc-java or a JDK is not installed"
  skip "JDBC comments" "libpostgresql-jdbc-java or a JDK is not installed"
fi

# ---- reading is never charged ----------------------------------------------
after=$(state)
[[ -n $before && $before == "$after" ]]
check $? "no read charged anything: ledger and the publisher's budget unchanged ($before / $after)"
a=$(q -At -d "$db" -c "SELECT count(*) FROM civic.privacy_ledger WHERE role = 'clients_analyst'::regrole")
[[ $a == 0 ]]
check $? "the analyst has no charge at all"
# a refresh is charged once more: one ledger record per aggregate and dataset, as the publication
q -d "$db" -c "SELECT civic.refresh_release('people')" >/dev/null 2>&1
pub=$(q -At -d "$db" -c "SELECT count(*) FROM civic.privacy_ledger")
[[ $pub -gt 0 && $pub == $((2 * ${before%% *})) ]]
check $? "a refresh is charged once, as much as the publication (ledger records: ${before%% *} then $pub)"
exit 0
