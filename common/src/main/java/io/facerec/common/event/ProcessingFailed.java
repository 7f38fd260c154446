package io.facerec.common.event;

import io.facerec.common.messaging.Topics;

/**
 * A dead letter: work that failed permanently, with the reason. Key: the media item id, or the face id for a failure
 * of the clusterer's input (the {@code faces.embedded} topic is keyed by face).
 *
 * @param schemaVersion version of this record's layout (2 added {@code faceId})
 * @param stage {@code detect}, {@code embed} or {@code cluster}
 * @param mediaItemId the media item concerned, or 0 when unknown
 * @param errorKind a short machine-readable kind, e.g. {@code FILE_MISSING}
 * @param message what went wrong, for a person
 * @param payload the original record value, when there was one
 * @param faceId the face concerned (stage {@code cluster}), or null
 */
public record ProcessingFailed(
        int schemaVersion,
        String stage,
        long mediaItemId,
        String errorKind,
        String message,
        String payload,
        Long faceId)
        implements PipelineEvent {
    public static final int VERSION = 2;

    public static ProcessingFailed of(
            String stage, long mediaItemId, String errorKind, String message, String payload) {
        return new ProcessingFailed(VERSION, stage, mediaItemId, errorKind, message, payload, null);
    }

    /**
     * The dead letter of a record of {@code topic}: the embeddings topic is keyed by face id, the others by media item
     * id (a key that is not a number counts as 0).
     */
    public static ProcessingFailed forRecord(
            String topic, String stage, String key, String errorKind, String message, String payload) {
        long id = 0;
        try {
            id = key == null ? 0 : Long.parseLong(key);
        } catch (NumberFormatException ignored) {
            // not an id
        }
        return Topics.FACES_EMBEDDED.equals(topic)
                ? ofFace(stage, id, errorKind, message, payload)
                : of(stage, id, errorKind, message, payload);
    }

    /** A failure about a face (the clusterer's input is keyed by face id). */
    public static ProcessingFailed ofFace(String stage, long faceId, String errorKind, String message, String payload) {
        return new ProcessingFailed(VERSION, stage, 0, errorKind, message, payload, faceId);
    }

    @Override
    public String topic() {
        return Topics.DEAD_LETTERS;
    }

    /** The dead-letter key: the face for face-keyed failures, else the media item. */
    @Override
    public String key() {
        return faceId != null ? "face-" + faceId : Long.toString(mediaItemId);
    }
}
