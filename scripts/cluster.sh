# Throwaway PostgreSQL cluster for civic's demo, tests and benchmarks.
# Source this file; then `cluster_start` and `trap cluster_stop EXIT`.
#
# The server runs as the `postgres` OS user (PostgreSQL refuses root), on its
# own port and socket directory, with the settings civic needs.  Clients run as
# the calling user and connect through the socket as role `postgres`.

: "${CIVIC_PGPORT:=54329}"
# CIVIC_STAGE=/some/dir runs everything against a private copy of the
# PostgreSQL installation (PostgreSQL finds its files relative to its
# binaries), so several work trees can build and test side by side without
# overwriting each other's installed civic.  Unset, civic is installed into
# the system's PostgreSQL as `make install` does.
PGBIN=$(pg_config --bindir)
if [[ -n ${CIVIC_STAGE:-} ]]; then
  PGBIN=$CIVIC_STAGE$PGBIN
fi
CIVIC_RUN=/tmp/civic-run.$CIVIC_PGPORT
CIVIC_PGDATA=$CIVIC_RUN/pgdata
CIVIC_SOCK=$CIVIC_RUN/sock
CIVIC_LOG=$CIVIC_RUN/server.log
export PGHOST=$CIVIC_SOCK PGPORT=$CIVIC_PGPORT PGUSER=postgres
export CIVIC_PGDATA CIVIC_RUN CIVIC_LOG CIVIC_SOCK

as_pg() { runuser -u postgres -- "$@"; }

# pg_ctl as the cluster owner, with this cluster's data directory.
cluster_ctl() {
  as_pg "$PGBIN/pg_ctl" -D "$CIVIC_PGDATA" -l "$CIVIC_LOG" "$@"
}

cluster_start() {
  # A cluster left behind by an earlier, interrupted run on this port goes first.
  if [[ -f $CIVIC_PGDATA/postmaster.pid ]]; then
    cluster_ctl stop -m immediate >/dev/null 2>&1 || true
  fi
  rm -rf "$CIVIC_RUN"
  mkdir -p "$CIVIC_RUN" "$CIVIC_SOCK"
  chown -R postgres: "$CIVIC_RUN"
  chmod 755 "$CIVIC_RUN"
  as_pg "$PGBIN/initdb" -D "$CIVIC_PGDATA" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$CIVIC_RUN/initdb.log" 2>&1 \
    || { cat "$CIVIC_RUN/initdb.log" >&2; return 1; }
  cat >>"$CIVIC_PGDATA/postgresql.conf" <<CONF
# civic test cluster
port = $CIVIC_PGPORT
listen_addresses = ''
unix_socket_directories = '$CIVIC_SOCK'
shared_preload_libraries = 'civic'
max_connections = 100
max_worker_processes = 16
max_parallel_workers = 8
max_parallel_workers_per_gather = 2
shared_buffers = 256MB
work_mem = 64MB
maintenance_work_mem = 512MB
fsync = on
synchronous_commit = on
log_min_messages = warning
log_line_prefix = '%m [%p] %q%a '
CONF
  cluster_ctl -w -t 60 start >/dev/null || { cat "$CIVIC_LOG" >&2; return 1; }
}

cluster_restart() {
  cluster_ctl -w -t 60 restart >/dev/null || { cat "$CIVIC_LOG" >&2; return 1; }
}

cluster_stop() {
  if [[ -f $CIVIC_PGDATA/postmaster.pid ]]; then
    cluster_ctl -w -t 60 stop -m fast >/dev/null 2>&1 \
      || cluster_ctl stop -m immediate >/dev/null 2>&1 || true
  fi
}

# Decompressed copies of the repository's data/ that the server user can read
# (COPY ... FROM a file runs as `postgres`).  Sets CIVIC_DATA.
stage_data() {
  local src=${CIVIC_DATA_SRC:-$CIVIC_TOP/data}
  if [[ ! -f $src/SHA256SUMS ]]; then
    echo "civic: the data folder $src is missing or incomplete (no SHA256SUMS)" >&2
    return 1
  fi
  src=$(cd "$src" && pwd)
  export CIVIC_DATA=$CIVIC_RUN/data
  mkdir -p "$CIVIC_DATA"
  local f rel
  while IFS= read -r f; do
    rel=${f#"$src"/}
    mkdir -p "$CIVIC_DATA/$(dirname "$rel")"
    case $f in
      *.gz) gzip -dc "$f" >"$CIVIC_DATA/${rel%.gz}" ;;
      *.csv|*.txt) cp "$f" "$CIVIC_DATA/$rel" ;;
    esac
  done < <(find "$src" -type f \( -name '*.csv.gz' -o -name '*.csv' -o -name '*.txt' \))
  chown -R postgres: "$CIVIC_DATA"
  chmod -R a+rX "$CIVIC_DATA"
}

build_and_install() {
  make -C "$CIVIC_TOP" -s -j2 ${CI:+CIVIC_WERROR=1} >/dev/null
  if [[ -n ${CIVIC_STAGE:-} ]]; then
    local d
    for d in "$(pg_config --bindir)/.." "$(pg_config --sharedir)"; do
      d=$(cd "$d" && pwd)
      if [[ ! -d $CIVIC_STAGE$d ]]; then
        mkdir -p "$CIVIC_STAGE$(dirname "$d")"
        cp -a "$d" "$CIVIC_STAGE$d"
      fi
    done
    make -C "$CIVIC_TOP" -s install DESTDIR="$CIVIC_STAGE" >/dev/null
  else
    make -C "$CIVIC_TOP" -s install >/dev/null
  fi
}

# Everything a demo or benchmark needs before its first query: build and
# install civic, start the throwaway cluster (stopped when the calling script
# exits, whatever happens) and stage the London data.
cluster_session() {
  build_and_install
  trap cluster_stop EXIT
  cluster_start
  stage_data
}
