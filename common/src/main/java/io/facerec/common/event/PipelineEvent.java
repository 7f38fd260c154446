package io.facerec.common.event;

/** An event of the pipeline: the topic it is published to and its record key there. */
public interface PipelineEvent {
    /** The topic (one of {@link io.facerec.common.messaging.Topics}). */
    String topic();

    /** The record key: the media item id, or the face id on the compacted embeddings topic. */
    String key();
}
