-- facerec's two SQL logins in the media database (run by init.sh as sa; idempotent; a rerun sets the passwords again).
-- The passwords come from sqlcmd scripting variables that init.sh exports into the environment, single quotes doubled:
-- they never appear on a command line.
--   facerec_migrator: applies the migrations (DDL); used only by the init job
--   facerec_worker:   the workers and the gallery: read and write rows, read change data; no DDL, no sysadmin/db_owner
IF SUSER_ID(N'facerec_migrator') IS NULL
    CREATE LOGIN facerec_migrator WITH PASSWORD = N'$(MIGRATOR_PASSWORD_SQL)', CHECK_POLICY = ON, DEFAULT_DATABASE = Media;
ELSE
    ALTER LOGIN facerec_migrator WITH PASSWORD = N'$(MIGRATOR_PASSWORD_SQL)';
GO
IF SUSER_ID(N'facerec_worker') IS NULL
    CREATE LOGIN facerec_worker WITH PASSWORD = N'$(WORKER_PASSWORD_SQL)', CHECK_POLICY = ON, DEFAULT_DATABASE = Media;
ELSE
    ALTER LOGIN facerec_worker WITH PASSWORD = N'$(WORKER_PASSWORD_SQL)';
GO
IF USER_ID(N'facerec_migrator') IS NULL
    CREATE USER facerec_migrator FOR LOGIN facerec_migrator;
GO
ALTER ROLE db_ddladmin ADD MEMBER facerec_migrator;
ALTER ROLE db_datareader ADD MEMBER facerec_migrator;
ALTER ROLE db_datawriter ADD MEMBER facerec_migrator;
GO
IF USER_ID(N'facerec_worker') IS NULL
    CREATE USER facerec_worker FOR LOGIN facerec_worker;
GO
ALTER ROLE db_datareader ADD MEMBER facerec_worker;
ALTER ROLE db_datawriter ADD MEMBER facerec_worker;
-- change data capture: the gating role of dbo.MediaItems' capture instance (enable-cdc.sql), and the database state the
-- Debezium connector reads (LSNs, the capture jobs' state)
IF DATABASE_PRINCIPAL_ID(N'facerec_cdc_reader') IS NULL
    CREATE ROLE facerec_cdc_reader;
GO
ALTER ROLE facerec_cdc_reader ADD MEMBER facerec_worker;
GRANT VIEW DATABASE STATE TO facerec_worker;
GO
