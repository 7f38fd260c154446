-- Library scale, SQL Server dialect. Keep in step with ../postgresql/V3__library_scale.sql.

GO
IF OBJECT_ID(N'dbo.PersonCentroids', N'U') IS NULL
CREATE TABLE dbo.PersonCentroids (
    PersonId       BIGINT         NOT NULL REFERENCES dbo.Persons (Id) ON DELETE CASCADE,
    EmbeddingModel NVARCHAR(64)   NOT NULL,
    FaceCount      INT            NOT NULL,
    EmbeddingSum   VARBINARY(MAX) NOT NULL,
    ModifiedAt     DATETIME2      NOT NULL DEFAULT SYSUTCDATETIME(),
    PRIMARY KEY (PersonId, EmbeddingModel)
);
GO
IF COL_LENGTH(N'dbo.Persons', N'FaceCount') IS NULL
    ALTER TABLE dbo.Persons ADD FaceCount INT NOT NULL CONSTRAINT DF_Persons_FaceCount DEFAULT 0;
GO
UPDATE p SET FaceCount = (SELECT COUNT(*) FROM dbo.Faces f WHERE f.PersonId = p.Id) FROM dbo.Persons p;
GO
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_Persons_FaceCount')
    CREATE INDEX IX_Persons_FaceCount ON dbo.Persons (FaceCount DESC, Id);
GO
IF OBJECT_ID(N'dbo.ClusteringRevision', N'U') IS NULL
CREATE TABLE dbo.ClusteringRevision (
    Id       INT    NOT NULL PRIMARY KEY,
    Revision BIGINT NOT NULL
);
GO
IF NOT EXISTS (SELECT 1 FROM dbo.ClusteringRevision)
    INSERT INTO dbo.ClusteringRevision (Id, Revision) VALUES (1, 0);
GO
IF OBJECT_ID(N'dbo.ClusteringChanges', N'U') IS NULL
CREATE TABLE dbo.ClusteringChanges (
    Revision  BIGINT       NOT NULL,
    Kind      NVARCHAR(16) NOT NULL,
    SubjectId BIGINT       NULL,
    CreatedAt DATETIME2    NOT NULL DEFAULT SYSUTCDATETIME()
);
GO
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_ClusteringChanges_Revision')
    CREATE INDEX IX_ClusteringChanges_Revision ON dbo.ClusteringChanges (Revision);
GO
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_Faces_Unassigned')
    CREATE INDEX IX_Faces_Unassigned ON dbo.Faces (EmbeddingModel, Id) WHERE PersonId IS NULL;
GO
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_Faces_Person_Id')
    CREATE INDEX IX_Faces_Person_Id ON dbo.Faces (PersonId, Id);
GO
