-- The origin's conventions for the rows facerec writes, and what the drop-in needs (see README, "Moving from the
-- Python system"). Keep in step with ../postgresql/V4__origin_conventions.sql. Every ALTER is guarded by an existence
-- check and adds one column, so it applies to databases facerec created and to adopted origin ones.

GO
-- Faces.BoundingBox holds the origin's square thumbnail crop box ("[x1.0, y1.0, x2.0, y2.0]", what its code reads);
-- the detector's own box is kept here.
IF COL_LENGTH(N'dbo.Faces', N'DetectorBox') IS NULL
    ALTER TABLE dbo.Faces ADD DetectorBox NVARCHAR(256) NULL;
GO
-- An origin embedding of another model, kept when facerec re-embeds the face (copy it back to go back).
IF COL_LENGTH(N'dbo.Faces', N'OriginEmbedding') IS NULL
    ALTER TABLE dbo.Faces ADD OriginEmbedding VARBINARY(MAX) NULL;
GO
-- Failed items are tried again with back-off, up to facerec.retry.max-attempts times.
IF COL_LENGTH(N'dbo.MediaItems', N'Attempts') IS NULL
    ALTER TABLE dbo.MediaItems ADD Attempts INT NOT NULL CONSTRAINT DF_MediaItems_Attempts DEFAULT 0;
GO
IF COL_LENGTH(N'dbo.MediaItems', N'NextAttemptAt') IS NULL
    ALTER TABLE dbo.MediaItems ADD NextAttemptAt DATETIME2 NULL;
GO
-- The origin writes Persons.Type (0) for every person it creates.
IF COL_LENGTH(N'dbo.Persons', N'Type') IS NULL
    ALTER TABLE dbo.Persons ADD Type INT NULL;
GO
-- The origin's Rank is NVARCHAR(50); V1 made it an integer on databases facerec created. Values are kept (as text).
IF EXISTS (SELECT 1 FROM sys.columns WHERE object_id = OBJECT_ID(N'dbo.Persons') AND name = N'Rank'
        AND TYPE_NAME(system_type_id) IN (N'int', N'bigint', N'smallint', N'tinyint'))
    ALTER TABLE dbo.Persons ALTER COLUMN Rank NVARCHAR(50) NULL;
GO
