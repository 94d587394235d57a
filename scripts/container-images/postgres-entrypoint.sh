#!/bin/sh
# Entry point of the PostgreSQL 15 image scripts/container-images.sh builds from Debian's packages.
# It keeps the contract of the official postgres image that the test fixtures rely on, so one
# fixture runs either image: POSTGRES_PASSWORD (required), POSTGRES_USER (default postgres) and
# POSTGRES_DB (default: the user's name) initialise an empty $PGDATA on first start; arguments are
# the server's command line ("postgres -p 5433 -c listen_addresses=127.0.0.1"), a first argument
# starting with "-" meaning "postgres" plus those options. The server runs with default settings.
set -eu

PGDATA=${PGDATA:-/var/lib/postgresql/data}
export PGDATA

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
  set -- postgres "$@"
fi

if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "postgres-entrypoint: POSTGRES_PASSWORD is required to initialise the database" >&2
    exit 1
  fi
  user=${POSTGRES_USER:-postgres}
  database=${POSTGRES_DB:-$user}
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  # As the official image: every address may connect with the password; the command line narrows
  # listen_addresses (the fixtures pass 127.0.0.1 under host networking).
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.auto.conf"
  if [ "$database" != postgres ]; then
    echo "CREATE DATABASE \"$database\"" | postgres --single -D "$PGDATA" postgres >/dev/null
  fi
  echo "postgres-entrypoint: initialised $PGDATA for user $user, database $database"
fi

exec "$@"
