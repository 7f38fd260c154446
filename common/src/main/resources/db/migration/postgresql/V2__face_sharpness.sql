-- Sharpness of each face crop (variance of the Laplacian on a 112x112 grey crop): the portrait rule prefers sharp faces.
ALTER TABLE "Faces" ADD COLUMN "Sharpness" REAL NULL;
ALTER TABLE "Persons" ADD CONSTRAINT "FK_Persons_PortraitFace" FOREIGN KEY ("PortraitFaceId") REFERENCES "Faces" ("Id") ON DELETE SET NULL;
