-- Enables change data capture for facerec on the current database (run it in the media database, as sysadmin /
-- db_owner). SQL Server Agent must be running for CDC to capture anything. Idempotent.
IF NOT EXISTS (SELECT 1 FROM sys.databases WHERE name = DB_NAME() AND is_cdc_enabled = 1)
    EXEC sys.sp_cdc_enable_db;
GO
IF NOT EXISTS (SELECT 1 FROM cdc.change_tables WHERE source_object_id = OBJECT_ID(N'dbo.MediaItems'))
    EXEC sys.sp_cdc_enable_table
        @source_schema = N'dbo',
        @source_name   = N'MediaItems',
        @role_name     = N'facerec_cdc_reader', -- only members read the change data (logins.sql adds facerec_worker)
        @supports_net_changes = 0;
GO
