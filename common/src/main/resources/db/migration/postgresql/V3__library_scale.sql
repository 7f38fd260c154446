-- Library scale: what the clusterer and the gallery keep so that no request or batch reads the whole library.

-- Each person's sum and count of face embeddings per model: average linkage of a face to a person in one dot
-- product (clusterer), "looks like" suggestions from centroids (gallery). Kept by every writer of assignments.
CREATE TABLE "PersonCentroids" (
    "PersonId"       BIGINT      NOT NULL REFERENCES "Persons" ("Id") ON DELETE CASCADE,
    "EmbeddingModel" VARCHAR(64) NOT NULL,
    "FaceCount"      INT         NOT NULL,
    "EmbeddingSum"   BYTEA       NOT NULL,
    "ModifiedAt"     TIMESTAMP   NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    PRIMARY KEY ("PersonId", "EmbeddingModel")
);

-- Faces per person, for the gallery's largest-first pages without counting the library.
ALTER TABLE "Persons" ADD COLUMN "FaceCount" INT NOT NULL DEFAULT 0;
UPDATE "Persons" p SET "FaceCount" = (SELECT COUNT(*) FROM "Faces" f WHERE f."PersonId" = p."Id");
CREATE INDEX "IX_Persons_FaceCount" ON "Persons" ("FaceCount" DESC, "Id");

-- The change log of assignments: every writer (clusterer, gallery, recluster, database modes) bumps the revision
-- under its row lock and notes the faces and persons it changed, so a long-running clusterer follows the others by
-- reading only what changed. Revisions are taken under the row lock, so they are in commit order.
CREATE TABLE "ClusteringRevision" (
    "Id"       INT    NOT NULL PRIMARY KEY,
    "Revision" BIGINT NOT NULL
);
INSERT INTO "ClusteringRevision" ("Id", "Revision") VALUES (1, 0);

CREATE TABLE "ClusteringChanges" (
    "Revision"  BIGINT      NOT NULL,
    "Kind"      VARCHAR(16) NOT NULL,
    "SubjectId" BIGINT      NULL,
    "CreatedAt" TIMESTAMP   NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX "IX_ClusteringChanges_Revision" ON "ClusteringChanges" ("Revision");
CREATE INDEX "IX_ClusteringChanges_CreatedAt" ON "ClusteringChanges" ("CreatedAt");

-- The unassigned pool: loaded by the clusterer at start, paged by the gallery.
CREATE INDEX "IX_Faces_Unassigned" ON "Faces" ("Id") WHERE "PersonId" IS NULL;
CREATE INDEX "IX_Faces_Person_Id" ON "Faces" ("PersonId", "Id");
DROP INDEX IF EXISTS "IX_Faces_PersonId";
