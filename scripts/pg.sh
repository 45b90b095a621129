#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL + PostGIS server on 127.0.0.1 for tests and benchmarks.
#
#   scripts/pg.sh start   # initdb (first time) + start; prints the server URL
#   scripts/pg.sh url     # print the server URL of a running cluster
#   scripts/pg.sh stop    # stop the server (data kept)
#   scripts/pg.sh destroy # stop and remove the data directory
#
# The URL points at the maintenance database "postgres" as superuser "diaban"
# (trust authentication, localhost only): the test fixtures create one database per
# test on it. Settings: DIABAN_PG_DIR (default /tmp/diaban-pg-$UID), DIABAN_PG_PORT
# (default 54329). initdb refuses to run as root, so when run as root the cluster
# belongs to the "postgres" system user (created by Debian's postgresql package;
# created here when missing) and every server command runs through runuser.
# Durability is switched off (fsync, synchronous_commit): this cluster is for tests only.
set -euo pipefail

DIR=${DIABAN_PG_DIR:-/tmp/diaban-pg-$(id -u)}
PORT=${DIABAN_PG_PORT:-54329}
DATA="$DIR/data"
LOG="$DIR/server.log"
SUPER=diaban

bindir() {
  local b
  b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$b" ]; then
    b=$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)")
  fi
  if [ ! -x "$b/initdb" ]; then
    echo "pg.sh: PostgreSQL is not installed (run scripts/setup.sh)" >&2
    exit 1
  fi
  echo "$b"
}

BIN=$(bindir)

# Run a command as the cluster owner: ourselves, or "postgres" when we are root.
as_owner() {
  if [ "$(id -u)" = "0" ]; then
    if ! id postgres >/dev/null 2>&1; then
      useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

url() {
  echo "postgresql+psycopg2://$SUPER@127.0.0.1:$PORT/postgres"
}

running() {
  [ -f "$DATA/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
  mkdir -p "$DIR"
  if [ "$(id -u)" = "0" ]; then
    as_owner true  # make sure the owner exists
    chown postgres "$DIR"
    chmod 700 "$DIR"
  fi
  if [ ! -f "$DATA/PG_VERSION" ]; then
    as_owner "$BIN/initdb" -D "$DATA" -U "$SUPER" --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$DIR/initdb.log" 2>&1 || {
      cat "$DIR/initdb.log" >&2
      exit 1
    }
    cat >>"$DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 128MB
EOF
  fi
  if running; then
    url
    return 0
  fi
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null || {
    tail -20 "$LOG" >&2
    exit 1
  }
  # PostGIS must be installable in a database (the migrations create the extension).
  if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
    echo "pg.sh: warning: PostGIS is not installed (run scripts/setup.sh)" >&2
  fi
  url
}

stop() {
  if running; then
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
  fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  status) if running; then echo "running: $(url)"; else echo "stopped"; exit 1; fi ;;
  destroy) stop; rm -rf "$DIR" ;;
  *) echo "usage: $0 start|stop|url|status|destroy" >&2; exit 2 ;;
esac
