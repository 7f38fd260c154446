-- Library scale, SQL Server dialect. Keep in step with ../postgresql/V3__library_scale.sql.
-- One batch, as the origin adoption script: statements that use a column this script adds run through EXEC (so
-- nothing is compiled before the column exists); every ALTER adds one column, guarded; columns that reference the
-- origin's ids take their type (INT on a database the origin created, BIGINT on one facerec created).

DECLARE @personIdType SYSNAME = (SELECT TYPE_NAME(system_type_id) FROM sys.columns
    WHERE object_id = OBJECT_ID(N'dbo.Persons') AND name = N'Id');

-- Each person's sum and count of face embeddings per model (clusterer: average linkage in one dot product; gallery:
-- "looks like" suggestions). Kept by every writer of assignments.
IF OBJECT_ID(N'dbo.PersonCentroids', N'U') IS NULL
    EXEC(N'CREATE TABLE dbo.PersonCentroids ('
        + N'PersonId ' + @personIdType + N' NOT NULL REFERENCES dbo.Persons (Id) ON DELETE CASCADE, '
        + N'EmbeddingModel NVARCHAR(64) NOT NULL, '
        + N'FaceCount INT NOT NULL, '
        + N'EmbeddingSum VARBINARY(MAX) NOT NULL, '
        + N'ModifiedAt DATETIME2 NOT NULL DEFAULT SYSUTCDATETIME(), '
        + N'PRIMARY KEY (PersonId, EmbeddingModel))');

-- Faces per person, for the gallery's largest-first pages without counting the library.
IF OBJECT_ID(N'dbo.Persons', N'U') IS NOT NULL AND COL_LENGTH(N'dbo.Persons', N'FaceCount') IS NULL
BEGIN
    EXEC(N'ALTER TABLE dbo.Persons ADD FaceCount INT NOT NULL CONSTRAINT DF_Persons_FaceCount DEFAULT 0');
    EXEC(N'UPDATE p SET FaceCount = (SELECT COUNT(*) FROM dbo.Faces f WHERE f.PersonId = p.Id) FROM dbo.Persons p');
END
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_Persons_FaceCount')
    EXEC(N'CREATE INDEX IX_Persons_FaceCount ON dbo.Persons (FaceCount DESC, Id)');

-- The change log of assignments (see ../postgresql/V3__library_scale.sql).
IF OBJECT_ID(N'dbo.ClusteringRevision', N'U') IS NULL
    EXEC(N'CREATE TABLE dbo.ClusteringRevision ('
        + N'Id INT NOT NULL PRIMARY KEY, '
        + N'Revision BIGINT NOT NULL)');
IF NOT EXISTS (SELECT 1 FROM sys.objects o WHERE o.name = N'ClusteringRevision' AND o.type = N'U'
        AND EXISTS (SELECT 1 FROM sys.partitions p WHERE p.object_id = o.object_id AND p.rows > 0))
    EXEC(N'INSERT INTO dbo.ClusteringRevision (Id, Revision) VALUES (1, 0)');
IF OBJECT_ID(N'dbo.ClusteringChanges', N'U') IS NULL
    EXEC(N'CREATE TABLE dbo.ClusteringChanges ('
        + N'Revision BIGINT NOT NULL, '
        + N'Kind NVARCHAR(16) NOT NULL, '
        + N'SubjectId BIGINT NULL, '
        + N'CreatedAt DATETIME2 NOT NULL DEFAULT SYSUTCDATETIME())');
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_ClusteringChanges_Revision')
    EXEC(N'CREATE INDEX IX_ClusteringChanges_Revision ON dbo.ClusteringChanges (Revision)');
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_ClusteringChanges_CreatedAt')
    EXEC(N'CREATE INDEX IX_ClusteringChanges_CreatedAt ON dbo.ClusteringChanges (CreatedAt)');

-- The unassigned pool (loaded by the clusterer at start, paged by the gallery) and a person's faces in id order.
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_Faces_Unassigned')
    EXEC(N'CREATE INDEX IX_Faces_Unassigned ON dbo.Faces (Id) INCLUDE (EmbeddingModel) WHERE PersonId IS NULL');
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_Faces_Person_Id')
    EXEC(N'CREATE INDEX IX_Faces_Person_Id ON dbo.Faces (PersonId, Id)');
