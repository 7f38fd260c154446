-- Sharpness of each face crop (variance of the Laplacian on a 112x112 grey crop): the portrait rule prefers sharp faces.
IF COL_LENGTH(N'dbo.Faces', N'Sharpness') IS NULL
    ALTER TABLE dbo.Faces ADD Sharpness REAL NULL;
GO
