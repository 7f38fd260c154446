-- Adopts a database the origin (the Python system, DeepFrame image_grouping) filled: brings its dbo tables to the
-- schema V1 and V2 create, without touching a value the origin wrote. Keep in step with
-- ../postgresql/beforeMigrate__adopt_origin.sql. Flyway runs this before every migrate; on a database facerec created
-- (its history holds V1) and on an empty one nothing below applies.
--
-- An origin database has no Flyway history: Flyway baselines it at version 2 (spring.flyway.baseline-version), so V1
-- and V2 never run on it and every later migration (V3 on) finds the V2 schema this script completed. A database an
-- earlier facerec release baselined at 0 and whose V1 failed (it added IsUserVerified a second time) is adopted here,
-- after which V1 and V2 find every column present and skip.
--
-- One batch: every statement that creates or uses a column runs through EXEC, so nothing is compiled before the
-- column it needs exists. Every ALTER adds one column and is guarded by OBJECT_ID (the table exists) and COL_LENGTH
-- (the column does not). Added columns are nullable or have a default, so the origin's own INSERTs keep working;
-- referencing columns take the type of the column they reference (the origin's ids are INT). Existing faces are
-- numbered per item and frame in the order the origin inserted them (its thumbnail order _TN1, _TN2, ...) before the
-- unique index is created; the index leaves out rows without a FrameNumber (the origin never writes one), so the
-- origin's code, which inserts every face with the default FaceIndex, can still write to the table after a way back.

DECLARE @adopt BIT = 1;
IF OBJECT_ID(N'[${flyway:defaultSchema}].[${flyway:table}]', N'U') IS NOT NULL
    EXEC sp_executesql N'IF EXISTS (SELECT 1 FROM [${flyway:defaultSchema}].[${flyway:table}] WHERE version = N''1'' AND success = 1) SET @a = 0',
        N'@a BIT OUTPUT', @a = @adopt OUTPUT;

-- dbo.MediaFile: the origin's create script names the extension column Extensions; its code reads Extension.
IF @adopt = 1 AND OBJECT_ID(N'dbo.MediaFile', N'U') IS NOT NULL AND COL_LENGTH(N'dbo.MediaFile', N'Extensions') IS NULL
    EXEC(N'ALTER TABLE dbo.MediaFile ADD Extensions NVARCHAR(32) NULL');

IF @adopt = 1 AND OBJECT_ID(N'dbo.MediaItems', N'U') IS NOT NULL AND COL_LENGTH(N'dbo.MediaItems', N'Status') IS NULL
BEGIN
    EXEC(N'ALTER TABLE dbo.MediaItems ADD Status NVARCHAR(16) NOT NULL CONSTRAINT DF_MediaItems_Status DEFAULT N''PENDING''');
    -- items the origin already extracted are done; only our own column is written
    EXEC(N'UPDATE dbo.MediaItems SET Status = N''DETECTED'' WHERE IsFacesExtracted = 1');
END
IF @adopt = 1 AND OBJECT_ID(N'dbo.MediaItems', N'U') IS NOT NULL AND COL_LENGTH(N'dbo.MediaItems', N'LastError') IS NULL
    EXEC(N'ALTER TABLE dbo.MediaItems ADD LastError NVARCHAR(MAX) NULL');
IF @adopt = 1 AND OBJECT_ID(N'dbo.MediaItems', N'U') IS NOT NULL AND COL_LENGTH(N'dbo.MediaItems', N'ErrorKind') IS NULL
    EXEC(N'ALTER TABLE dbo.MediaItems ADD ErrorKind NVARCHAR(32) NULL');
IF @adopt = 1 AND OBJECT_ID(N'dbo.MediaItems', N'U') IS NOT NULL AND COL_LENGTH(N'dbo.MediaItems', N'FaceCount') IS NULL
    EXEC(N'ALTER TABLE dbo.MediaItems ADD FaceCount INT NULL');

IF @adopt = 1 AND OBJECT_ID(N'dbo.Persons', N'U') IS NOT NULL AND COL_LENGTH(N'dbo.Persons', N'IsHidden') IS NULL
    EXEC(N'ALTER TABLE dbo.Persons ADD IsHidden BIT NOT NULL CONSTRAINT DF_Persons_IsHidden DEFAULT 0');

IF @adopt = 1 AND OBJECT_ID(N'dbo.Faces', N'U') IS NOT NULL AND COL_LENGTH(N'dbo.Faces', N'FaceIndex') IS NULL
    EXEC(N'ALTER TABLE dbo.Faces ADD FaceIndex INT NOT NULL CONSTRAINT DF_Faces_FaceIndex DEFAULT 0');
IF @adopt = 1 AND OBJECT_ID(N'dbo.Faces', N'U') IS NOT NULL AND COL_LENGTH(N'dbo.Faces', N'Score') IS NULL
    EXEC(N'ALTER TABLE dbo.Faces ADD Score REAL NULL');
IF @adopt = 1 AND OBJECT_ID(N'dbo.Faces', N'U') IS NOT NULL AND COL_LENGTH(N'dbo.Faces', N'Landmarks') IS NULL
    EXEC(N'ALTER TABLE dbo.Faces ADD Landmarks NVARCHAR(512) NULL');
IF @adopt = 1 AND OBJECT_ID(N'dbo.Faces', N'U') IS NOT NULL AND COL_LENGTH(N'dbo.Faces', N'ThumbnailPath') IS NULL
    EXEC(N'ALTER TABLE dbo.Faces ADD ThumbnailPath NVARCHAR(1024) NULL');
IF @adopt = 1 AND OBJECT_ID(N'dbo.Faces', N'U') IS NOT NULL AND COL_LENGTH(N'dbo.Faces', N'EmbeddingModel') IS NULL
    EXEC(N'ALTER TABLE dbo.Faces ADD EmbeddingModel NVARCHAR(64) NULL');
IF @adopt = 1 AND OBJECT_ID(N'dbo.Faces', N'U') IS NOT NULL AND COL_LENGTH(N'dbo.Faces', N'IsUserVerified') IS NULL
    EXEC(N'ALTER TABLE dbo.Faces ADD IsUserVerified BIT NOT NULL CONSTRAINT DF_Faces_IsUserVerified DEFAULT 0');
IF @adopt = 1 AND OBJECT_ID(N'dbo.Faces', N'U') IS NOT NULL AND COL_LENGTH(N'dbo.Faces', N'ClusteredAt') IS NULL
    EXEC(N'ALTER TABLE dbo.Faces ADD ClusteredAt DATETIME2 NULL');
IF @adopt = 1 AND OBJECT_ID(N'dbo.Faces', N'U') IS NOT NULL AND COL_LENGTH(N'dbo.Faces', N'Sharpness') IS NULL
    EXEC(N'ALTER TABLE dbo.Faces ADD Sharpness REAL NULL');
IF @adopt = 1 AND OBJECT_ID(N'dbo.Faces', N'U') IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'dbo.Faces') AND name = N'UQ_Faces_Item_Frame_Index')
BEGIN
    -- every origin face has FaceIndex 0 (and FrameNumber NULL): number them per item and frame first
    EXEC(N'WITH n AS (SELECT FaceIndex, ROW_NUMBER() OVER (PARTITION BY MediaItemId, FrameNumber ORDER BY Id) - 1 AS i FROM dbo.Faces) UPDATE n SET FaceIndex = i WHERE FaceIndex <> i');
    EXEC(N'CREATE UNIQUE INDEX UQ_Faces_Item_Frame_Index ON dbo.Faces (MediaItemId, FrameNumber, FaceIndex) WHERE FrameNumber IS NOT NULL');
END

IF @adopt = 1 AND OBJECT_ID(N'dbo.Faces', N'U') IS NOT NULL AND OBJECT_ID(N'dbo.Persons', N'U') IS NOT NULL
BEGIN
    DECLARE @faceIdType SYSNAME = (SELECT TYPE_NAME(system_type_id) FROM sys.columns
        WHERE object_id = OBJECT_ID(N'dbo.Faces') AND name = N'Id');
    DECLARE @personIdType SYSNAME = (SELECT TYPE_NAME(system_type_id) FROM sys.columns
        WHERE object_id = OBJECT_ID(N'dbo.Persons') AND name = N'Id');
    IF OBJECT_ID(N'dbo.Persons', N'U') IS NOT NULL AND COL_LENGTH(N'dbo.Persons', N'PortraitFaceId') IS NULL
        EXEC(N'ALTER TABLE dbo.Persons ADD PortraitFaceId ' + @faceIdType + N' NULL');
    -- "not this person": a face a user said does not belong to a person
    IF OBJECT_ID(N'dbo.FaceRejections', N'U') IS NULL
        EXEC(N'CREATE TABLE dbo.FaceRejections ('
            + N'FaceId ' + @faceIdType + N' NOT NULL REFERENCES dbo.Faces (Id) ON DELETE CASCADE, '
            + N'PersonId ' + @personIdType + N' NOT NULL REFERENCES dbo.Persons (Id), '
            + N'CreatedAt DATETIME2 NOT NULL DEFAULT SYSDATETIME(), '
            + N'PRIMARY KEY (FaceId, PersonId))');
END
