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
psql -X -v ON_ERROR_STOP=1 -d civic_demo -f docs/demo.sql
