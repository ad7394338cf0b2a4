#!/usr/bin/env bash
# Runs once, when a PostgreSQL container starts on an empty data volume (docker-entrypoint-initdb.d):
# mounted by deploy/compose.yaml and by the dev StatefulSet (deploy/k8s/postgres/).
# Each service gets its own database and its own login role owning it: no service can read another
# service's tables, even by mistake. Passwords come from the environment: deploy/secrets/postgres.env
# with compose, the postgres-secrets Secret on Kubernetes.
set -euo pipefail

for service in members tasks matching notifications gateway; do
  password_variable="${service^^}_DB_PASSWORD"
  password="${!password_variable:?${password_variable} must be set (deploy/secrets/postgres.env)}"
  # psql variables (:"name", :'password') quote the values, so no password can break the SQL.
  psql --no-psqlrc -v ON_ERROR_STOP=1 --username "${POSTGRES_USER}" --dbname postgres \
    -v name="${service}" -v password="${password}" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
done
