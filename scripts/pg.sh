#!/usr/bin/env bash
# A private PostgreSQL cluster for the tests and the benchmark: Debian's server binaries, run
# as the `postgres` user (when we are root), on a port of its own, in a directory of its own.
# Never the system service.
#
#   scripts/pg.sh start    initdb if needed, start, wait until it answers; prints the URL
#   scripts/pg.sh stop     fast shutdown
#   scripts/pg.sh url      the server URL (no database), e.g. postgres://postgres@127.0.0.1:55432
#   scripts/pg.sh clean    drops the databases earlier test runs left (esign_test_*)
#
# ESIGN_PG_PORT (55432) and ESIGN_PG_DIR (/tmp/esign-pg-<port>) move it.
set -euo pipefail

PORT=${ESIGN_PG_PORT:-55432}
DIR=${ESIGN_PG_DIR:-/tmp/esign-pg-$PORT}
URL="postgres://postgres@127.0.0.1:$PORT"

bin_dir() {
  local v
  v=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1)
  [ -n "$v" ] || { echo "pg.sh: PostgreSQL is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
  echo "/usr/lib/postgresql/$v/bin"
}

# Runs a server binary as `postgres` when we are root (initdb refuses root), else as ourselves.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local bin
  bin=$(bin_dir)
  if [ ! -f "$DIR/PG_VERSION" ]; then
    mkdir -p "$DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR"
    as_pg "$bin/initdb" -D "$DIR" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$DIR.initdb.log" 2>&1 ||
      { cat "$DIR.initdb.log" >&2; exit 1; }
  fi
  if as_pg "$bin/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
    echo "$URL"
    return
  fi
  # The tests create one database per test app and a pool of 4 on each: room for many at once.
  # fsync off: these databases are thrown away, and the durability tests kill the app server,
  # never PostgreSQL.
  as_pg "$bin/pg_ctl" -D "$DIR" -w -t 60 -l "$DIR/server.log" \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
  echo "$URL"
}

stop() {
  local bin
  bin=$(bin_dir)
  if [ -f "$DIR/PG_VERSION" ]; then
    as_pg "$bin/pg_ctl" -D "$DIR" -m fast stop >/dev/null 2>&1 || true
  fi
}

# The API tests create a database per test app and leave it: a run's worth is a few GB.
clean() {
  local db
  for db in $(psql -At "$URL/postgres" -c "SELECT datname FROM pg_database WHERE datname LIKE 'esign\_test\_%'"); do
    psql -q "$URL/postgres" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"
  done
}

case "${1:-}" in
  start) start ;;
  clean) clean ;;
  stop) stop ;;
  url) echo "$URL" ;;
  *) echo "usage: scripts/pg.sh start|stop|url|clean" >&2; exit 2 ;;
esac
