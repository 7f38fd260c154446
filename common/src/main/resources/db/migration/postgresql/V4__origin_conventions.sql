-- The origin's conventions for the rows facerec writes, and what the drop-in needs (see README, "Moving from the
-- Python system"). Every step is guarded, so it applies to databases facerec created and to adopted origin ones.

-- Faces.BoundingBox holds the origin's square thumbnail crop box ("[x1.0, y1.0, x2.0, y2.0]", what its code reads);
-- the detector's own box is kept here.
ALTER TABLE "Faces" ADD COLUMN IF NOT EXISTS "DetectorBox" TEXT NULL;
-- An origin embedding of another model, kept when facerec re-embeds the face (copy it back to go back).
ALTER TABLE "Faces" ADD COLUMN IF NOT EXISTS "OriginEmbedding" BYTEA NULL;

-- Failed items are tried again with back-off, up to facerec.retry.max-attempts times.
ALTER TABLE "MediaItems" ADD COLUMN IF NOT EXISTS "Attempts" INT NOT NULL DEFAULT 0;
ALTER TABLE "MediaItems" ADD COLUMN IF NOT EXISTS "NextAttemptAt" TIMESTAMP NULL;

DO $$
BEGIN
    -- The origin writes Persons.Type (0) for every person it creates (an origin database has the column already).
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
            AND table_name = 'Persons' AND column_name = 'Type') THEN
        ALTER TABLE "Persons" ADD COLUMN "Type" INT NULL;
    END IF;
    -- The origin's Rank is text (NVARCHAR(50)); V1 made it an integer. Values are kept (as their decimal text).
    IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
            AND table_name = 'Persons' AND column_name = 'Rank' AND data_type IN ('integer', 'bigint', 'smallint')) THEN
        ALTER TABLE "Persons" ALTER COLUMN "Rank" TYPE VARCHAR(50) USING "Rank"::TEXT;
    END IF;
END
$$;
