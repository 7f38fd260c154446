-- Adopts a database the origin (the Python system, DeepFrame image_grouping) filled: brings its tables to the schema
-- V1 and V2 create, without touching a value the origin wrote. Flyway runs this before every migrate; on a database
-- facerec created (or adopted earlier) and on an empty one every step below finds nothing to do.
--
-- An origin database has no Flyway history: Flyway baselines it at version 2 (spring.flyway.baseline-version), so V1
-- and V2 never run on it and every later migration (V3 on) finds the V2 schema this script completed. A database
-- whose history holds V1 was created by facerec's own migrations: nothing here applies to it.
--
-- Rules (see README, "Moving from the Python system"): each column is added on its own and only when missing; added
-- columns are nullable or have a default, so the origin's own INSERTs keep working; referencing columns take the type
-- of the column they reference (the origin's ids are INT); existing faces are numbered per item and frame (in the order
-- the origin inserted them, which is its thumbnail order _TN1, _TN2, ...) before the unique index is created.

DO $$
DECLARE
    c              RECORD;
    face_id_type   TEXT;
    person_id_type TEXT;
BEGIN
    IF to_regclass(quote_ident('${flyway:table}')) IS NOT NULL THEN
        IF EXISTS (SELECT 1 FROM "${flyway:table}" WHERE version = '1' AND success) THEN
            RETURN;
        END IF;
    END IF;

    IF to_regclass('"MediaItems"') IS NOT NULL AND NOT EXISTS (SELECT 1 FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = 'MediaItems' AND column_name = 'Status') THEN
        ALTER TABLE "MediaItems" ADD COLUMN "Status" VARCHAR(16) NOT NULL DEFAULT 'PENDING';
        -- items the origin already extracted are done; only our own column is written
        UPDATE "MediaItems" SET "Status" = 'DETECTED' WHERE "IsFacesExtracted";
    END IF;

    -- one column at a time, each only when its table exists and it does not
    FOR c IN SELECT * FROM (VALUES
            -- the origin's create script names the extension column Extensions; its code reads Extension
            ('MediaFile', 'Extensions', 'VARCHAR(32) NULL'),
            ('MediaItems', 'LastError', 'TEXT NULL'),
            ('MediaItems', 'ErrorKind', 'VARCHAR(32) NULL'),
            ('MediaItems', 'FaceCount', 'INT NULL'),
            ('Persons', 'IsHidden', 'BOOLEAN NOT NULL DEFAULT FALSE'),
            ('Faces', 'FaceIndex', 'INT NOT NULL DEFAULT 0'),
            ('Faces', 'Score', 'REAL NULL'),
            ('Faces', 'Landmarks', 'TEXT NULL'),
            ('Faces', 'ThumbnailPath', 'TEXT NULL'),
            ('Faces', 'EmbeddingModel', 'VARCHAR(64) NULL'),
            ('Faces', 'IsUserVerified', 'BOOLEAN NOT NULL DEFAULT FALSE'),
            ('Faces', 'ClusteredAt', 'TIMESTAMP NULL'),
            ('Faces', 'Sharpness', 'REAL NULL')) AS t (tbl, col, def) LOOP
        IF to_regclass(quote_ident(c.tbl)) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = c.tbl AND column_name = c.col) THEN
            EXECUTE format('ALTER TABLE %I ADD COLUMN %I %s', c.tbl, c.col, c.def);
        END IF;
    END LOOP;

    IF to_regclass('"MediaItems"') IS NOT NULL AND to_regclass('"IX_MediaItems_MediaFileId"') IS NULL THEN
        CREATE INDEX "IX_MediaItems_MediaFileId" ON "MediaItems" ("MediaFileId");
    END IF;

    IF to_regclass('"Faces"') IS NOT NULL THEN
        IF to_regclass('"IX_Faces_PersonId"') IS NULL THEN
            CREATE INDEX "IX_Faces_PersonId" ON "Faces" ("PersonId");
        END IF;
        IF to_regclass('"UQ_Faces_Item_Frame_Index"') IS NULL THEN
            -- every origin face has FaceIndex 0 (and FrameNumber NULL): number them per item and frame first
            UPDATE "Faces" f SET "FaceIndex" = n.i
              FROM (SELECT "Id", ROW_NUMBER() OVER (PARTITION BY "MediaItemId", "FrameNumber" ORDER BY "Id") - 1 AS i
                      FROM "Faces") n
             WHERE f."Id" = n."Id" AND f."FaceIndex" <> n.i;
            CREATE UNIQUE INDEX "UQ_Faces_Item_Frame_Index" ON "Faces" ("MediaItemId", "FrameNumber", "FaceIndex");
        END IF;

        IF to_regclass('"Persons"') IS NOT NULL THEN
            SELECT format_type(a.atttypid, a.atttypmod) INTO face_id_type FROM pg_attribute a
             WHERE a.attrelid = '"Faces"'::regclass AND a.attname = 'Id';
            SELECT format_type(a.atttypid, a.atttypmod) INTO person_id_type FROM pg_attribute a
             WHERE a.attrelid = '"Persons"'::regclass AND a.attname = 'Id';
            IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                    AND table_name = 'Persons' AND column_name = 'PortraitFaceId') THEN
                EXECUTE format('ALTER TABLE "Persons" ADD COLUMN "PortraitFaceId" %s NULL', face_id_type);
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'FK_Persons_PortraitFace') THEN
                ALTER TABLE "Persons" ADD CONSTRAINT "FK_Persons_PortraitFace" FOREIGN KEY ("PortraitFaceId")
                    REFERENCES "Faces" ("Id") ON DELETE SET NULL;
            END IF;
            IF to_regclass('"FaceRejections"') IS NULL THEN
                -- "not this person": a face a user said does not belong to a person
                EXECUTE format('CREATE TABLE "FaceRejections" ('
                    '"FaceId" %s NOT NULL REFERENCES "Faces" ("Id") ON DELETE CASCADE, '
                    '"PersonId" %s NOT NULL REFERENCES "Persons" ("Id") ON DELETE CASCADE, '
                    '"CreatedAt" TIMESTAMP NOT NULL DEFAULT LOCALTIMESTAMP, '
                    'PRIMARY KEY ("FaceId", "PersonId"))', face_id_type, person_id_type);
            END IF;
        END IF;
    END IF;
END
$$;
