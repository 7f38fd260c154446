#!/usr/bin/env bash
# Creates the Media database, applies facerec's SQL Server migrations in order, and enables change data capture on
# dbo.MediaItems. The workers' Flyway then finds tables without a history and baselines the database at version 2
# (spring.flyway.baseline-version); the later migrations it applies again find every guarded statement done.
set -euo pipefail
SQL=(/opt/mssql-tools18/bin/sqlcmd -C -S sqlserver -U sa -P "$MSSQL_SA_PASSWORD" -b)
"${SQL[@]}" -Q "IF DB_ID(N'Media') IS NULL CREATE DATABASE Media;"
for f in $(ls /migrations/V*__*.sql | sort -V); do
  echo "applying $f"
  "${SQL[@]}" -d Media -i "$f"
done
"${SQL[@]}" -d Media -i /init/enable-cdc.sql
