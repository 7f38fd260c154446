package io.facerec.common.messaging;

/** Topic names, in one place. Producers and consumers name topics only through these constants. */
public final class Topics {
    /** {@link io.facerec.common.event.MediaItemCaptured}, keyed by media item id. */
    public static final String MEDIA_ITEMS_CAPTURED = "facerec.media-items.captured";
    /** {@link io.facerec.common.event.FacesDetected}, keyed by media item id. */
    public static final String FACES_DETECTED = "facerec.faces.detected";
    /** {@link io.facerec.common.event.FaceEmbedded}, keyed by face id; compacted. */
    public static final String FACES_EMBEDDED = "facerec.faces.embedded";
    /** {@link io.facerec.common.event.ProcessingFailed}: permanent failures with their reason. */
    public static final String DEAD_LETTERS = "facerec.dead-letters";

    /** The pipeline stage that consumes a topic, as dead letters and meters name it: detect, embed or cluster. */
    public static String stageOf(String topic) {
        return switch (topic) {
            case MEDIA_ITEMS_CAPTURED -> "detect";
            case FACES_DETECTED -> "embed";
            case FACES_EMBEDDED -> "cluster";
            default -> topic;
        };
    }

    private Topics() {}
}
