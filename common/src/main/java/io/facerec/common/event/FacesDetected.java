package io.facerec.common.event;

import io.facerec.common.image.FaceCrop;
import io.facerec.common.messaging.Topics;
import java.util.List;

/**
 * The faces found in one media item, after they were written to {@code Faces}. Key: the media item id.
 *
 * @param schemaVersion version of this record's layout
 * @param mediaItemId {@code MediaItems.Id}
 * @param filePath the media file's path as stored in {@code MediaFile.FilePath} (resolved under the media root)
 * @param faces the faces, possibly empty
 */
public record FacesDetected(int schemaVersion, long mediaItemId, String filePath, List<Face> faces)
        implements PipelineEvent {
    public static final int VERSION = 1;

    /**
     * One stored face: its row id, where it is, the five landmarks the embedder aligns with, and (photos only, when
     * the detector wrote one) the face's crop, which the embedder decodes instead of the photo.
     */
    public record Face(
            long faceId,
            int frameNumber,
            int faceIndex,
            double score,
            double[] box,
            double[][] landmarks,
            FaceCrop crop) {
        /** A face has a box of four numbers and five landmarks of two: anything else is a malformed event. */
        public Face {
            if (box == null || box.length != 4 || landmarks == null || landmarks.length != 5) {
                throw new IllegalArgumentException("face " + faceId + " needs a box of 4 values and 5 landmarks");
            }
            for (double[] p : landmarks) {
                if (p == null || p.length != 2) {
                    throw new IllegalArgumentException("face " + faceId + ": a landmark is not a point (x, y)");
                }
            }
        }

        /** A face without a crop: the embedder decodes the photo. */
        public Face(long faceId, int frameNumber, int faceIndex, double score, double[] box, double[][] landmarks) {
            this(faceId, frameNumber, faceIndex, score, box, landmarks, null);
        }
    }

    public static FacesDetected of(long mediaItemId, String filePath, List<Face> faces) {
        return new FacesDetected(VERSION, mediaItemId, filePath, List.copyOf(faces));
    }

    @Override
    public String topic() {
        return Topics.FACES_DETECTED;
    }

    @Override
    public String key() {
        return Long.toString(mediaItemId);
    }
}
