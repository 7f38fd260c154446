package io.facerec.detector.capture;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Change data capture of {@code MediaItems} ({@code facerec.capture.*}). Exactly one capture instance may run per
 * database: enable it on one process only (the launcher, or one detector replica).
 *
 * @param enabled run the Debezium engine in this process
 * @param startFrom {@code NEW_ROWS}: only rows inserted from now on; {@code PENDING_ROWS}: also existing rows (the
 *     snapshot; the detector skips those already extracted)
 * @param offsetFile where the engine keeps its offsets, so a restart neither loses nor replays rows
 * @param schemaHistoryFile SQL Server only: Debezium's schema history
 * @param slotName PostgreSQL replication slot
 * @param publicationName PostgreSQL publication
 * @param topicPrefix Debezium's logical server name
 * @param dropSlotOnStop PostgreSQL: drop the replication slot when the engine stops (tests, throw-away databases)
 * @param pollIntervalMs how long the engine waits for more changes before it hands over a batch smaller than its
 *     maximum (Debezium's {@code poll.interval.ms}, whose own default of 500 ms a single new photo waited in full:
 *     INSERT → PersonId p50 1,011 ms with it, 636 ms with 100, {@code bench/latency.sh})
 */
@Validated
@ConfigurationProperties("facerec.capture")
public record CaptureProperties(
        @DefaultValue("true") boolean enabled,
        @NotNull @DefaultValue("PENDING_ROWS") StartFrom startFrom,

        @NotNull @DefaultValue("facerec-data/capture-offsets.dat")
        Path offsetFile,

        @NotNull @DefaultValue("facerec-data/capture-schema-history.dat")
        Path schemaHistoryFile,

        @NotNull @DefaultValue("facerec_media_items") String slotName,
        @NotNull @DefaultValue("facerec_media_items") String publicationName,
        @NotNull @DefaultValue("facerec") String topicPrefix,
        @DefaultValue("false") boolean dropSlotOnStop,
        @Min(1) @DefaultValue("100") int pollIntervalMs) {

    public enum StartFrom {
        NEW_ROWS,
        PENDING_ROWS
    }
}
