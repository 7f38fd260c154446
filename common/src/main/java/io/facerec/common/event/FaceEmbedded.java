package io.facerec.common.event;

import io.facerec.common.messaging.Topics;

/**
 * One face's embedding, after it was written to {@code Faces.Embedding}. Key: the face id (the embeddings topic is
 * compacted, so the latest embedding of every face can be replayed).
 *
 * @param schemaVersion version of this record's layout
 * @param faceId {@code Faces.Id}
 * @param mediaItemId {@code Faces.MediaItemId}
 * @param modelId embedding model id; embeddings of different models are never compared
 * @param embedding L2-normalised vector
 */
public record FaceEmbedded(int schemaVersion, long faceId, long mediaItemId, String modelId, float[] embedding)
        implements PipelineEvent {
    public static final int VERSION = 1;

    public static FaceEmbedded of(long faceId, long mediaItemId, String modelId, float[] embedding) {
        return new FaceEmbedded(VERSION, faceId, mediaItemId, modelId, embedding);
    }

    @Override
    public String topic() {
        return Topics.FACES_EMBEDDED;
    }

    @Override
    public String key() {
        return Long.toString(faceId);
    }
}
