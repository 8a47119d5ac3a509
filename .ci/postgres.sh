#!/usr/bin/env bash
# Installs (if needed) and starts Debian's PostgreSQL, and creates the
# kaiwu role and the kaiwu_test database the workspace tests use.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -d /usr/lib/postgresql ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
ver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$ver main"; then
  pg_createcluster "$ver" main >/dev/null
fi
pg_ctlcluster "$ver" main start 2>/dev/null || pg_ctlcluster "$ver" main status >/dev/null
for i in $(seq 1 30); do
  su postgres -c "pg_isready -q" && break
  sleep 1
done
psql_do() { su postgres -c "psql -qtAX -c \"$1\""; }
[ "$(psql_do "SELECT 1 FROM pg_roles WHERE rolname='kaiwu'")" = 1 ] ||
  psql_do "CREATE ROLE kaiwu LOGIN PASSWORD 'kaiwu' CREATEDB"
[ "$(psql_do "SELECT 1 FROM pg_database WHERE datname='kaiwu_test'")" = 1 ] ||
  su postgres -c "createdb -O kaiwu kaiwu_test"
echo "PostgreSQL $ver ready for the workspace tests"
