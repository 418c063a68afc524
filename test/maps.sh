#!/usr/bin/env bash
# Maps (docs/maps.md): civic.area_geojson gives a GeoJSON FeatureCollection in
# WGS 84 of every area with code, name and the properties given; and
# civic.choropleth_svg gives well-formed SVG with one shape per area, hatched
# suppressed areas, a legend, a title and the attribution, which a browser
# (headless Chromium) renders to a picture that is not blank.
set -uo pipefail
: "${CIVIC_TOP:?}"
work=$(mktemp -d /tmp/civic-maps.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
echo "1..11"
n=0
check() { n=$((n + 1)); if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d civic_maps "$@"; }
psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS civic_maps' -c 'CREATE DATABASE civic_maps' >/dev/null
q -c 'CREATE EXTENSION civic CASCADE' 2>/dev/null

nwards=$(q -c "SELECT count(*) FROM civic.boundary WHERE level = 'ward' AND vintage = 2022")
q -c "SELECT civic.area_geojson('ward', 2022, 25,
        (SELECT jsonb_object_agg(code::text, jsonb_build_object('stops', length(name))) FROM civic.boundary
          WHERE level = 'ward' AND vintage = 2022))" >"$work/wards.geojson"
/usr/bin/python3 - "$work/wards.geojson" "$nwards" <<'PY' >"$work/geojson.out" 2>&1
import json, sys
fc = json.load(open(sys.argv[1]))
assert fc["type"] == "FeatureCollection", fc["type"]
fs = fc["features"]
assert len(fs) == int(sys.argv[2]), (len(fs), sys.argv[2])
codes = set()
for f in fs:
    p = f["properties"]
    assert p["code"].startswith("E05") and p["name"] and p["vintage"] == 2022 and p["stops"] == len(p["name"]), p
    codes.add(p["code"])
    g = f["geometry"]
    assert g["type"] in ("Polygon", "MultiPolygon"), g["type"]
    def pts(c):
        if isinstance(c[0], (int, float)): yield c
        else:
            for x in c: yield from pts(x)
    for lon, lat in pts(g["coordinates"]):
        assert -0.6 < lon < 0.4 and 51.2 < lat < 51.8, (lon, lat)
assert len(codes) == len(fs)
print("ok", len(fs))
PY
check $? "area_geojson: a WGS 84 FeatureCollection of all $nwards wards of 2022 with code, name and the given properties"
[[ $? != 0 ]] && sed 's/^/#   /' "$work/geojson.out"
size=$(stat -c %s "$work/wards.geojson")
echo "# GeoJSON of the 2022 wards at 25 m: $size bytes"
nb=$(q -c "SELECT count(*) FROM civic.boundary WHERE level = 'borough'")
[[ $(q -c "SELECT json_array_length(civic.area_geojson('borough')::json -> 'features')") == "$nb" ]]
check $? "area_geojson: the boroughs (vintage-independent) too"

# A choropleth of the 2022 wards: a value for most, JSON null (suppressed)
# for every 10th, nothing for every 25th.
q -c "SELECT civic.choropleth_svg('ward', 2022,
        (SELECT jsonb_object_agg(code::text, CASE WHEN rn % 10 = 0 THEN NULL ELSE to_jsonb(rn % 97) END)
           FROM (SELECT code, row_number() OVER (ORDER BY code) AS rn FROM civic.boundary
                  WHERE level = 'ward' AND vintage = 2022) w WHERE rn % 25 <> 0),
        'Test & check: wards <2022>', 'value')" >"$work/map.svg"
nsupp=$(q -c "SELECT count(*) FROM generate_series(1, $nwards) rn WHERE rn % 10 = 0 AND rn % 25 <> 0")
nnone=$(q -c "SELECT count(*) FROM generate_series(1, $nwards) rn WHERE rn % 25 = 0")
/usr/bin/python3 - "$work/map.svg" "$nwards" "$nsupp" "$nnone" <<'PY' >"$work/svg.out" 2>&1
import sys, xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
areas = root.findall(".//s:g[@id='areas']/s:path", ns)
assert len(areas) == int(sys.argv[2]), (len(areas), sys.argv[2])
assert len({a.get("id") for a in areas}) == len(areas)
hatched = [a for a in areas if a.get("fill") == "url(#civic-hatch-map)"]
assert len(hatched) == int(sys.argv[3]), (len(hatched), sys.argv[3])
nodata = [a for a in areas if a.get("fill") == "#d9d9d9"]
assert len(nodata) == int(sys.argv[4]), (len(nodata), sys.argv[4])
colours = {a.get("fill") for a in areas} - {"url(#civic-hatch-map)", "#d9d9d9"}
assert len(colours) == 5, colours
assert root.find("s:title", ns).text == "Test & check: wards <2022>"
legend = root.findall(".//s:g[@id='legend']/s:rect", ns)
assert len(legend) == 7, len(legend)
attribution = " ".join(root.find(".//s:text[@id='attribution']", ns).itertext())
assert "Crown copyright" in attribution and "Open Government Licence" in attribution
print("ok")
PY
rc=$?
check $rc "choropleth_svg: well-formed SVG, one shape per ward, suppressed areas hatched, no-data grey, 5 classes, title, legend, attribution"
[[ $rc != 0 ]] && sed 's/^/#   /' "$work/svg.out"

# Render it in a browser.
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=900,700 \
  --screenshot="$work/map.png" "file://$work/map.svg" >"$work/chromium.out" 2>&1
[[ -s $work/map.png ]]; check $? "headless Chromium renders the SVG to a PNG"
/usr/bin/python3 - "$work/map.png" <<'PY' >"$work/png.out" 2>&1
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
w, h = im.size
px = list(im.getdata())
nonwhite = sum(1 for p in px if p != (255, 255, 255)) / len(px)
palette = {(0xff,0xff,0xb2), (0xfe,0xcc,0x5c), (0xfd,0x8d,0x3c), (0xf0,0x3b,0x20), (0xbd,0x00,0x26)}
seen = {p for p in px if p in palette}
print("nonwhite %.3f palette colours %d" % (nonwhite, len(seen)))
assert nonwhite > 0.25, nonwhite
assert len(seen) == 5, seen
PY
rc=$?
check $rc "the rendered map is not blank: over a quarter of the pixels drawn, all five class colours visible"
sed 's/^/#   /' "$work/png.out"
[[ -n ${CIVIC_MAPS_KEEP:-} ]] && cp "$work/map.svg" "$work/map.png" "$CIVIC_MAPS_KEEP/"

# Tied values, as a release under the NHS rule gives (counts rounded to 5):
# three wards in five at 10, the rest spread out.  Quantile breaks that tie
# are merged: no class of the legend is empty or reads "10.0 – 10.0", and
# every ward's value lies in the class whose colour it has.
q -c "SELECT civic.choropleth_svg('ward', 2022,
        (SELECT jsonb_object_agg(code::text, CASE WHEN rn % 5 < 3 THEN 10 ELSE 5 * (rn % 40) END)
           FROM (SELECT code, row_number() OVER (ORDER BY code) AS rn FROM civic.boundary
                  WHERE level = 'ward' AND vintage = 2022) w))" >"$work/tied.svg"
/usr/bin/python3 - "$work/tied.svg" <<'PY' >"$work/tied.out" 2>&1
import re, sys, xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
legend = root.find(".//s:g[@id='legend']", ns)
rects = legend.findall("s:rect", ns)
texts = legend.findall("s:text", ns)[1:]          # after the legend title
classes = [(r.get("fill"), t.text) for r, t in zip(rects, texts)
           if t.text not in ("suppressed", "no data")]
print("legend:", classes)
assert 2 <= len(classes) < 5, classes              # 5 asked, ties merged
assert len({f for f, _ in classes}) == len(classes), classes
def bounds(label):
    m = re.fullmatch(r"≤ (\S+)", label)
    if m: return (float("-inf"), float(m.group(1)))
    m = re.fullmatch(r"> (\S+)", label)
    if m: return (float(m.group(1)), float("inf"))
    a, b = label.split(" – ")
    assert float(a) < float(b), "degenerate class " + label
    return (float(a), float(b))
cls = {f: bounds(l) for f, l in classes}
used = set()
for a in root.findall(".//s:g[@id='areas']/s:path", ns):
    value = float(a.find("s:title", ns).text.rsplit(": ", 1)[1])
    lo, hi = cls[a.get("fill")]
    assert lo < value <= hi, (a.get("id"), value, lo, hi)
    used.add(a.get("fill"))
assert used == set(cls), ("empty classes", set(cls) - used)
print("ok")
PY
rc=$?
check $rc "choropleth_svg: tied quantiles are merged: no empty or degenerate class, every value in its class"
sed 's/^/#   /' "$work/tied.out"

# Bad input: clear errors with SQLSTATEs, nothing else.
err() { q -c "$1" 2>&1 >/dev/null | head -n 1; }
[[ $(err "SELECT civic.choropleth_svg('ward', 2022, '[1, 2]')") == *"must be a JSON object"* ]]
check $? "a values argument that is not an object is refused"
[[ $(err "SELECT civic.choropleth_svg('ward', 2022, '{\"E05013732\": \"x\"}')") == *"is not a number"* ]]
check $? "a value that is not a number is refused"
[[ $(err "SELECT civic.choropleth_svg('ward', 2022, '{}', classes => 9)") == *"classes must be between 3 and 7"* ]]
check $? "an unsupported number of classes is refused"
[[ $(err "SELECT civic.choropleth_svg('parish', NULL, '{}')") == *"ERROR"* ]]
check $? "a level with no areas is refused"
[[ $(q -c "SELECT civic.area_geojson('ward', 2022, 25, '{\"E05013732\": {\"name\": \"<&>\"}}')::json #>> '{features,0,type}'") == "Feature" ]]
check $? "properties with markup are carried as JSON text"
psql -X -q -d postgres -c 'DROP DATABASE civic_maps' >/dev/null
exit 0
