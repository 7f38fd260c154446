package io.facerec.common.event;

import java.util.List;

/**
 * The faces found in one media item, after they were written to {@code Faces}. Key: the media item id.
 *
 * @param schemaVersion version of this record's layout
 * @param mediaItemId {@code MediaItems.Id}
 * @param filePath the media file's path as stored in {@code MediaFile.FilePath} (resolved under the media root)
 * @param faces the faces, possibly empty
 */
public record FacesDetected(int schemaVersion, long mediaItemId, String filePath, List<Face> faces) {
    public static final int VERSION = 1;

    /** One stored face: its row id, where it is, and the five landmarks the embedder aligns with. */
    public record Face(long faceId, int frameNumber, int faceIndex, double score, double[] box, double[][] landmarks) {
    }

    public static FacesDetected of(long mediaItemId, String filePath, List<Face> faces) {
        return new FacesDetected(VERSION, mediaItemId, filePath, List.copyOf(faces));
    }
}
