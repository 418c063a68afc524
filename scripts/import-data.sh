#!/usr/bin/env bash
# Copy a London data collection (laid out as data/ is: one folder per source,
# each with a README giving source, licence and attribution) into data/:
# GeoPackages left out, plain CSVs gzip-compressed, then data/SHA256SUMS
# rewritten.  Usage: bash scripts/import-data.sh /path/to/collection
set -euo pipefail
src=$(cd "${1:?usage: import-data.sh DIR}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
dst=$top/data
cd "$src"
find . -type f ! -name '*.gpkg' | sort | while IFS= read -r f; do
  mkdir -p "$dst/$(dirname "$f")"
  case $f in
    ./README.md) cp "$f" "$dst/README.upstream.md" ;;
    ./SHA256SUMS) cp "$f" "$dst/SHA256SUMS.upstream" ;;
    *.csv) gzip -9 -n -c "$f" >"$dst/$f.gz" ;;
    *) cp "$f" "$dst/$f" ;;
  esac
done
cd "$dst"
find . -type f ! -name SHA256SUMS | sort | xargs sha256sum >SHA256SUMS
echo "data/: $(wc -l <SHA256SUMS) files, $(du -sh . | cut -f1)"
