#!/usr/bin/env bash
# Makes a PostgreSQL server available on 127.0.0.1 for the tests that run Iceberg's JDBC catalog on it:
# installs Debian's server package when it is missing, starts a cluster, and creates a test role and database.
# Idempotent, and quick (about a second) when the server is already installed and running.
#
# Prints the variables the tests read as `export` lines on stdout (everything else goes to stderr), so a
# caller runs:   eval "$(bash .ci/postgres.sh)"
# Settings (environment, with defaults): PSYBERG_PG_USER=psyberg PSYBERG_PG_PASSWORD=psyberg
# PSYBERG_PG_DATABASE=psyberg_test PSYBERG_PG_PORT=5432 (used when a cluster has to be created).
set -euo pipefail

PG_USER="${PSYBERG_PG_USER:-psyberg}"
PG_PASSWORD="${PSYBERG_PG_PASSWORD:-psyberg}"
PG_DATABASE="${PSYBERG_PG_DATABASE:-psyberg_test}"
PG_PORT="${PSYBERG_PG_PORT:-5432}"

log() { echo "postgres.sh: $*" >&2; }

server_bin_dir() {
  # The newest installed server version, e.g. /usr/lib/postgresql/15/bin.
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | while read -r d; do
    [ -x "$d/postgres" ] && echo "$d"
  done | tail -n 1
}

if [ -z "$(server_bin_dir)" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "the PostgreSQL server is not installed and this script is not root: install the 'postgresql' package."
    exit 1
  fi
  log "installing the PostgreSQL server from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
BIN="$(server_bin_dir)"
VERSION="$(basename "$(dirname "$BIN")")"

as_postgres() {
  # PostgreSQL refuses to run as root; run its tools as the 'postgres' account from a folder it can read.
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

if command -v pg_lsclusters >/dev/null 2>&1; then
  # Debian's cluster tools (postgresql-common): one cluster 'main' per version, sockets in /var/run/postgresql.
  if ! pg_lsclusters -h "$VERSION" main >/dev/null 2>&1 || [ -z "$(pg_lsclusters -h "$VERSION" main 2>/dev/null)" ]; then
    log "creating cluster $VERSION/main on port $PG_PORT"
    pg_createcluster -p "$PG_PORT" "$VERSION" main >&2
  fi
  PORT="$(pg_lsclusters -h "$VERSION" main | awk '{print $3}')"
  STATUS="$(pg_lsclusters -h "$VERSION" main | awk '{print $4}')"
  if [ "$STATUS" != "online" ]; then
    log "starting cluster $VERSION/main on port $PORT"
    mkdir -p /var/run/postgresql && chown postgres:postgres /var/run/postgresql 2>/dev/null || true
    pg_ctlcluster "$VERSION" main start >&2
  fi
  SOCKET_DIR=/var/run/postgresql
else
  # No cluster tools: a private cluster made with initdb, run with pg_ctl.
  PORT="$PG_PORT"
  DATA=/var/tmp/psyberg-postgres/data
  SOCKET_DIR=/var/tmp/psyberg-postgres
  if [ ! -s "$DATA/PG_VERSION" ]; then
    log "creating a cluster in $DATA"
    mkdir -p "$DATA" && chown -R postgres:postgres /var/tmp/psyberg-postgres
    as_postgres "$BIN/initdb" -D "$DATA" -A peer --auth-host=scram-sha-256 >/dev/null
  fi
  if ! as_postgres "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    log "starting the cluster in $DATA on port $PORT"
    as_postgres "$BIN/pg_ctl" -D "$DATA" -l /var/tmp/psyberg-postgres/server.log -w start \
      -o "-p $PORT -c listen_addresses=127.0.0.1 -k $SOCKET_DIR" >&2
  fi
fi

for _ in $(seq 1 60); do
  if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
    break
  fi
  sleep 0.5
done
"$BIN/pg_isready" -h 127.0.0.1 -p "$PORT" >&2

psql_admin() {
  as_postgres "$BIN/psql" -h "$SOCKET_DIR" -p "$PORT" -v ON_ERROR_STOP=1 -qtAX "$@"
}
# The role may create databases, so a test can also make a fresh one of its own.
psql_admin -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE \"$PG_USER\" LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  ELSE
    ALTER ROLE \"$PG_USER\" LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  END IF;
END \$\$;" >&2
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'")" != "1" ]; then
  psql_admin -c "CREATE DATABASE \"$PG_DATABASE\" OWNER \"$PG_USER\"" >&2
fi
log "PostgreSQL $VERSION is ready on 127.0.0.1:$PORT (database $PG_DATABASE, role $PG_USER)"

echo "export PSYBERG_TEST_JDBC_URL='jdbc:postgresql://127.0.0.1:$PORT/$PG_DATABASE'"
echo "export PSYBERG_TEST_JDBC_USER='$PG_USER'"
echo "export PSYBERG_TEST_JDBC_PASSWORD='$PG_PASSWORD'"
echo "export PSYBERG_REQUIRE_POSTGRES=1"
