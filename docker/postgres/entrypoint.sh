#!/bin/bash
# Entry point of docker/postgres/Dockerfile: on an empty data directory, creates the cluster, the user and the
# database from POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB as the official image does (password login over
# the network, trust on the local socket), then runs the command (postgres).
set -euo pipefail
if [ "${1:-}" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_USER:=postgres}"
  : "${POSTGRES_DB:=$POSTGRES_USER}"
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "postgres: POSTGRES_PASSWORD is empty; set it (docker-compose.yml passes STACKGAN_DB_PASSWORD, default" \
         "'stackgan'): without one the database would refuse every network login" >&2
    exit 1
  fi
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") --auth-local=trust \
         --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  if [ "$POSTGRES_DB" != postgres ]; then
    pg_ctl --wait --options="-c listen_addresses=''" start
    psql -v ON_ERROR_STOP=1 --username="$POSTGRES_USER" --dbname=postgres --set=db="$POSTGRES_DB" \
         <<< 'CREATE DATABASE :"db";'
    pg_ctl --wait --mode=fast stop
  fi
fi
exec "$@"
