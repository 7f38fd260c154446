-- The unassigned faces' index carries the embedding model, as SQL Server's has since V3: the gallery's count and pages
-- of unassigned embedded faces are then answered from the index alone (at a million faces, 450,000 unassigned rows
-- were read from the table for each count).
CREATE INDEX "IX_Faces_Unassigned_Model" ON "Faces" ("Id") INCLUDE ("EmbeddingModel") WHERE "PersonId" IS NULL;
DROP INDEX IF EXISTS "IX_Faces_Unassigned";
