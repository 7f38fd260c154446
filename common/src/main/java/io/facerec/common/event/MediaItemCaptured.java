package io.facerec.common.event;

import io.facerec.common.messaging.Topics;

/**
 * A new {@code MediaItems} row seen by change data capture (or re-queued by polling). Key: the media item id, so all
 * events of one item stay in one partition and in order.
 *
 * @param schemaVersion version of this record's layout
 * @param mediaItemId {@code MediaItems.Id}
 * @param mediaFileId {@code MediaItems.MediaFileId}
 * @param source where it came from: {@code cdc}, {@code snapshot} or {@code poll}
 */
public record MediaItemCaptured(int schemaVersion, long mediaItemId, long mediaFileId, String source)
        implements PipelineEvent {
    public static final int VERSION = 1;

    public static MediaItemCaptured of(long mediaItemId, long mediaFileId, String source) {
        return new MediaItemCaptured(VERSION, mediaItemId, mediaFileId, source);
    }

    @Override
    public String topic() {
        return Topics.MEDIA_ITEMS_CAPTURED;
    }

    @Override
    public String key() {
        return Long.toString(mediaItemId);
    }
}
