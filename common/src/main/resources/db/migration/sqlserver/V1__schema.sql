-- facerec schema, SQL Server dialect (dbo schema, the origin's tables). Keep in step with ../postgresql/V1__schema.sql.
-- Tables that already exist in an origin database are left as they are and only gain the pipeline's columns.

GO
IF OBJECT_ID(N'dbo.MediaFile', N'U') IS NULL
CREATE TABLE dbo.MediaFile (
    Id         BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY,
    FilePath   NVARCHAR(1024) NOT NULL,
    FileName   NVARCHAR(260)  NOT NULL,
    Extensions NVARCHAR(32)   NULL,
    CreatedAt  DATETIME2      NOT NULL DEFAULT SYSUTCDATETIME(),
    ModifiedAt DATETIME2      NOT NULL DEFAULT SYSUTCDATETIME()
);

GO
IF OBJECT_ID(N'dbo.MediaItems', N'U') IS NULL
CREATE TABLE dbo.MediaItems (
    Id               BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY,
    MediaFileId      BIGINT         NOT NULL REFERENCES dbo.MediaFile (Id),
    Name             NVARCHAR(260)  NULL,
    IsFacesExtracted BIT            NOT NULL DEFAULT 0,
    FacesExtractedOn DATETIME2      NULL
);
IF COL_LENGTH(N'dbo.MediaItems', N'Status') IS NULL
    ALTER TABLE dbo.MediaItems ADD Status NVARCHAR(16) NOT NULL DEFAULT N'PENDING',
        LastError NVARCHAR(MAX) NULL, ErrorKind NVARCHAR(32) NULL, FaceCount INT NULL;

GO
IF OBJECT_ID(N'dbo.Persons', N'U') IS NULL
CREATE TABLE dbo.Persons (
    Id                  BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY,
    PortraitMediaFileId BIGINT         NULL REFERENCES dbo.MediaFile (Id),
    Name                NVARCHAR(260)  NULL,
    Rank                INT            NULL,
    Appointment         NVARCHAR(260)  NULL,
    CreatedAt           DATETIME2      NOT NULL DEFAULT SYSUTCDATETIME(),
    ModifiedAt          DATETIME2      NOT NULL DEFAULT SYSUTCDATETIME()
);
IF COL_LENGTH(N'dbo.Persons', N'PortraitFaceId') IS NULL
    ALTER TABLE dbo.Persons ADD PortraitFaceId BIGINT NULL, IsHidden BIT NOT NULL DEFAULT 0;

GO
IF OBJECT_ID(N'dbo.Faces', N'U') IS NULL
CREATE TABLE dbo.Faces (
    Id          BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY,
    MediaItemId BIGINT          NOT NULL REFERENCES dbo.MediaItems (Id),
    PersonId    BIGINT          NULL REFERENCES dbo.Persons (Id),
    BoundingBox NVARCHAR(256)   NOT NULL,
    Embedding   VARBINARY(MAX)  NULL,
    FrameNumber INT             NOT NULL DEFAULT 0,
    Name        NVARCHAR(260)   NULL,
    CreatedAt   DATETIME2       NOT NULL DEFAULT SYSUTCDATETIME(),
    ModifiedAt  DATETIME2       NOT NULL DEFAULT SYSUTCDATETIME()
);
IF COL_LENGTH(N'dbo.Faces', N'FaceIndex') IS NULL
    ALTER TABLE dbo.Faces ADD FaceIndex INT NOT NULL DEFAULT 0, Score REAL NOT NULL DEFAULT 0,
        Landmarks NVARCHAR(512) NOT NULL DEFAULT N'[]', ThumbnailPath NVARCHAR(1024) NULL,
        EmbeddingModel NVARCHAR(64) NULL, IsUserVerified BIT NOT NULL DEFAULT 0, ClusteredAt DATETIME2 NULL;

GO
IF OBJECT_ID(N'dbo.FaceRejections', N'U') IS NULL
CREATE TABLE dbo.FaceRejections (
    FaceId    BIGINT    NOT NULL REFERENCES dbo.Faces (Id) ON DELETE CASCADE,
    PersonId  BIGINT    NOT NULL REFERENCES dbo.Persons (Id),
    CreatedAt DATETIME2 NOT NULL DEFAULT SYSUTCDATETIME(),
    PRIMARY KEY (FaceId, PersonId)
);
GO
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'UQ_Faces_Item_Frame_Index')
    CREATE UNIQUE INDEX UQ_Faces_Item_Frame_Index ON dbo.Faces (MediaItemId, FrameNumber, FaceIndex);
GO
