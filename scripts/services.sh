#!/usr/bin/env bash
# Start, stop or destroy the project-local PostgreSQL and Redis servers, on loopback only.
# Idempotent: starting what already runs does nothing. Redis keeps its files under .var/.
# PostgreSQL refuses to run as root, so when invoked as root the cluster belongs to the
# unprivileged "postgres" system user, and lives where that user can reach it wherever the clone
# sits (root's own home is private): /var/lib/cvms/<key of this checkout>/pg. Otherwise it is
# .var/pg, run by the invoking user.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd -P)
VAR="$ROOT/.var"
PGPORT="${CVMS_PG_PORT:-5433}"
REDIS_PORT="${CVMS_REDIS_PORT:-6380}"
PGBIN="${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
PGHOME=""
PGDATA="$VAR/pg"
# A cluster an earlier version made in .var/pg stays where it is.
if [ "$(id -u)" = 0 ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  CLUSTERS=/var/lib/cvms
  # One cluster per checkout: the key is a hash of the checkout's path.
  PGHOME="$CLUSTERS/$(printf '%s' "$ROOT" | sha256sum | cut -c1-16)"
  PGDATA="$PGHOME/pg"
fi

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
  mkdir -p "$VAR"
  if [ -n "$PGHOME" ]; then
    install -d -m 755 "$CLUSTERS"
    install -d -m 700 -o postgres -g postgres "$PGHOME"
    printf '%s\n' "$ROOT" > "$PGHOME/checkout"  # which clone this cluster serves
  fi
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    if [ "$(id -u)" = 0 ]; then
      chown postgres:postgres "$PGDATA"
      as_pg test -x "$PGDATA" || { echo "The postgres user cannot reach $PGDATA: make its parent folders world-executable." >&2; exit 1; }
    fi
    chmod 700 "$PGDATA"
    as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$PGDATA'
fsync = ${CVMS_PG_FSYNC:-on}
shared_buffers = 256MB
max_connections = 200
CONF
  fi
  if ! as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 start >/dev/null
  fi
  # The application role; superuser on this local cluster so tests can create databases and extensions.
  psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_roles WHERE rolname='cvms'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -qc "CREATE ROLE cvms LOGIN SUPERUSER"
  psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='cvms'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -qc "CREATE DATABASE cvms OWNER cvms"
  echo "PostgreSQL on 127.0.0.1:$PGPORT (data in $PGDATA)"
}

redis_start() {
  mkdir -p "$VAR/redis"
  if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$VAR/redis" --daemonize yes \
      --pidfile "$VAR/redis/redis.pid" --logfile "$VAR/redis/redis.log" --save "" --appendonly no >/dev/null
    for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  echo "Redis on 127.0.0.1:$REDIS_PORT"
}

stop() {
  if [ -s "$PGDATA/PG_VERSION" ]; then as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true; fi
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  echo "Stopped PostgreSQL and Redis"
}

# Stop, then delete the cluster kept outside the checkout (make clean deletes .var/).
destroy() {
  stop
  if [ -n "$PGHOME" ] && [ -d "$PGHOME" ]; then
    rm -rf -- "$PGHOME"
    echo "Deleted $PGDATA"
  fi
}

case "${1:-start}" in
  start) pg_start; redis_start ;;
  stop) stop ;;
  destroy) destroy ;;
  *) echo "usage: $0 start|stop|destroy" >&2; exit 2 ;;
esac
