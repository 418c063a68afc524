#!/usr/bin/env bash
# civic's demo on real London data, on a fresh Debian 12 machine, as root:
#   installs missing packages, builds and installs civic, starts a throwaway
#   cluster, creates a database with the extension, runs docs/demo.sql and
#   stops the cluster.
set -euo pipefail
CIVIC_TOP=$(cd "$(dirname "$0")/.." && pwd)
export CIVIC_TOP
cd "$CIVIC_TOP"

bash scripts/deps.sh
export PATH=/usr/lib/postgresql/15/bin:$PATH
source scripts/cluster.sh
cluster_session
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE civic_demo'
# The maps of the ward releases go here (CIVIC_DEMO_OUT to change).
export CIVIC_DEMO_OUT=${CIVIC_DEMO_OUT:-/tmp/civic-demo}
mkdir -p "$CIVIC_DEMO_OUT"
psql -X -v ON_ERROR_STOP=1 -d civic_demo -f docs/demo.sql
for svg in "$CIVIC_DEMO_OUT"/stops_by_ward_2022_09.svg "$CIVIC_DEMO_OUT"/stops_by_ward_2022_09_nhs.svg; do
  if [[ -s $svg ]] && command -v chromium >/dev/null; then
    # and as a picture, rendered by a browser as anyone would see it
    if chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=900,640 \
         --screenshot="${svg%.svg}.png" "file://$svg" >/dev/null 2>&1; then
      echo "== $(basename "$svg") as a PNG: ${svg%.svg}.png"
    fi
  fi
done
