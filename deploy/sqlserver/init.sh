#!/usr/bin/env bash
# Creates the Media database and facerec's two logins (logins.sql), applies facerec's SQL Server migrations in order
# with the DDL login facerec_migrator, and enables change data capture on dbo.MediaItems (as sa: sp_cdc_enable_db needs
# sysadmin). The workers log in as facerec_worker, which can read and write rows but not change the schema.
# Passwords travel in the environment only: sqlcmd reads SQLCMDPASSWORD when -P is absent, and logins.sql reads its
# $(...) scripting variables from the environment, so no password is ever on a command line (ps shows those).
# The workers' Flyway then finds tables without a history and baselines the database at version 2
# (spring.flyway.baseline-version); the later migrations it applies again find every guarded statement done.
set -euo pipefail
sql() { /opt/mssql-tools18/bin/sqlcmd -C -S sqlserver -b "$@"; }
export SQLCMDPASSWORD="$MSSQL_SA_PASSWORD"
sql -U sa -Q "IF DB_ID(N'Media') IS NULL CREATE DATABASE Media;"
export MIGRATOR_PASSWORD_SQL="${FACEREC_MIGRATOR_PASSWORD//\'/\'\'}" WORKER_PASSWORD_SQL="${FACEREC_DB_PASSWORD//\'/\'\'}"
sql -U sa -d Media -i /init/logins.sql
unset MIGRATOR_PASSWORD_SQL WORKER_PASSWORD_SQL
export SQLCMDPASSWORD="$FACEREC_MIGRATOR_PASSWORD"
for f in $(ls /migrations/V*__*.sql | sort -V); do
  echo "applying $f"
  sql -U facerec_migrator -d Media -i "$f"
done
export SQLCMDPASSWORD="$MSSQL_SA_PASSWORD"
sql -U sa -d Media -i /init/enable-cdc.sql
