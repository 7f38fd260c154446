package io.facerec.common.event;

/**
 * A dead letter: work that failed permanently, with the reason. Key: the media item id.
 *
 * @param schemaVersion version of this record's layout
 * @param stage {@code detect}, {@code embed} or {@code cluster}
 * @param mediaItemId the media item concerned, or 0 when unknown
 * @param errorKind a short machine-readable kind, e.g. {@code FILE_MISSING}
 * @param message what went wrong, for a person
 * @param payload the original record value, when there was one
 */
public record ProcessingFailed(int schemaVersion, String stage, long mediaItemId, String errorKind, String message,
        String payload) {
    public static final int VERSION = 1;

    public static ProcessingFailed of(String stage, long mediaItemId, String errorKind, String message, String payload) {
        return new ProcessingFailed(VERSION, stage, mediaItemId, errorKind, message, payload);
    }
}
