#!/usr/bin/env bash
# Start a throw-away PostgreSQL on loopback for the store and outbox-lease tests, and print the URL
# they read from BRIEFBOT_TEST_POSTGRES_URL. Best effort: where PostgreSQL cannot be installed or
# started, print nothing and those tests skip (SQLite still runs every test).
set -u
log=/tmp/briefbot-ci-postgres.log
{
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 || exit 0
    timeout 300 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq postgresql
  fi
  cluster=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1" "$2}')
  [ -n "$cluster" ] || exit 0
  pg_ctlcluster $cluster start || true
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
  su postgres -c "psql -q -c \"DROP DATABASE IF EXISTS briefbot_test\"" &&
  su postgres -c "psql -q -c \"DO \\\$\\\$ BEGIN CREATE ROLE briefbot LOGIN SUPERUSER PASSWORD 'briefbot'; EXCEPTION WHEN duplicate_object THEN NULL; END \\\$\\\$\"" &&
  su postgres -c "psql -q -c \"CREATE DATABASE briefbot_test OWNER briefbot\""
} >"$log" 2>&1 || { echo "PostgreSQL unavailable (see $log): its tests will skip" >&2; exit 0; }
pg_isready -q -h 127.0.0.1 && echo "postgresql+psycopg://briefbot:briefbot@127.0.0.1/briefbot_test"
