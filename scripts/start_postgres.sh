#!/usr/bin/env bash
# Start a local PostgreSQL (Debian's packages) for the storage contract tests and print its URL.
#
#   export NEWSBRIEF_TEST_POSTGRES_URL="$(bash scripts/start_postgres.sh)"
#
# Idempotent: installs postgresql only when missing (needs root + apt-get), starts the cluster
# only when it is down, creates the role and database only when absent. Only the URL goes to
# stdout; progress goes to stderr. Override with PGUSER_NAME / PGPASSWORD_VALUE / PGDB_NAME / PGPORT.
set -euo pipefail

user="${PGUSER_NAME:-newsbrief}"
password="${PGPASSWORD_VALUE:-newsbrief}"
db="${PGDB_NAME:-newsbrief_test}"

log() { printf 'start_postgres: %s\n' "$*" >&2; }

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    log "PostgreSQL is not installed; run as root on Debian/Ubuntu or: apt-get install -y postgresql"
    exit 1
  fi
  log "installing postgresql"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi

# The newest installed major version with a cluster config (Debian: /etc/postgresql/<ver>/main).
version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$version" ]; then
  version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  log "creating cluster $version/main"
  pg_createcluster "$version" main >&2
fi

port="$(awk -F= '/^[[:space:]]*port[[:space:]]*=/ {gsub(/[^0-9]/, "", $2); print $2; exit}' \
  "/etc/postgresql/$version/main/postgresql.conf")"
port="${PGPORT:-${port:-5432}}"

if ! pg_ctlcluster "$version" main status >/dev/null 2>&1; then
  log "starting cluster $version/main on port $port"
  pg_ctlcluster "$version" main start >&2
fi

# Wait until it accepts connections (a fresh start takes a moment).
for _ in $(seq 1 30); do
  if su postgres -c "pg_isready -q -p $port" 2>/dev/null; then break; fi
  sleep 0.5
done

psql_admin() { su postgres -c "psql -v ON_ERROR_STOP=1 -q -t -A -p $port $*"; }

# CREATEDB: the parallel test run (pytest -n) gives each worker a database of its own.
if [ "$(psql_admin "-c \"SELECT 1 FROM pg_roles WHERE rolname = '$user'\"")" != 1 ]; then
  log "creating role $user"
  psql_admin "-c \"CREATE ROLE $user LOGIN CREATEDB PASSWORD '$password'\"" >&2
elif [ "$(psql_admin "-c \"SELECT rolcreatedb FROM pg_roles WHERE rolname = '$user'\"")" != t ]; then
  log "allowing role $user to create databases"
  psql_admin "-c \"ALTER ROLE $user CREATEDB\"" >&2
fi
if [ "$(psql_admin "-c \"SELECT 1 FROM pg_database WHERE datname = '$db'\"")" != 1 ]; then
  log "creating database $db"
  psql_admin "-c \"CREATE DATABASE $db OWNER $user\"" >&2
fi

echo "postgresql://$user:$password@127.0.0.1:$port/$db"
