package io.facerec.detector.capture;

import com.fasterxml.jackson.databind.JsonNode;
import io.facerec.common.event.MediaItemCaptured;
import io.facerec.common.messaging.EventCodec;
import java.io.IOException;
import java.util.Optional;

/** Maps a Debezium change event of {@code MediaItems} (JSON, schemas disabled) to {@link MediaItemCaptured}. */
public final class ChangeEventMapper {
    private ChangeEventMapper() {}

    /** Inserts ({@code c}) and snapshot reads ({@code r}) of rows not yet extracted; anything else is empty. */
    public static Optional<MediaItemCaptured> map(String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            JsonNode root = EventCodec.mapper().readTree(value);
            if (root.has("payload") && root.has("schema")) {
                root = root.get("payload");
            }
            String op = root.path("op").asText();
            JsonNode after = root.get("after");
            if (after == null || after.isNull() || !(op.equals("c") || op.equals("r"))) {
                return Optional.empty();
            }
            JsonNode extracted = after.get("IsFacesExtracted");
            if (extracted != null && (extracted.asBoolean(false) || extracted.asInt(0) == 1)) {
                return Optional.empty();
            }
            return Optional.of(MediaItemCaptured.of(
                    after.get("Id").asLong(), after.get("MediaFileId").asLong(), op.equals("r") ? "snapshot" : "cdc"));
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable change event: " + e.getMessage(), e);
        }
    }
}
