#!/usr/bin/env bash
# Installs, from Debian 12's packages, whatever civic needs to build, run and
# test that is not already on this machine.  Run as root.
set -euo pipefail

packages=(
  make gcc libc6-dev pkg-config gzip perl
  postgresql-15 postgresql-server-dev-15 postgresql-15-postgis-3
  postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
  libicu-dev
  python3-psycopg2 libpostgresql-jdbc-java default-jdk-headless
  chromium python3 python3-pil fonts-dejavu-core
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "civic: missing packages (${missing[*]}); run this as root to install them" >&2
  exit 1
fi
echo "civic: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
