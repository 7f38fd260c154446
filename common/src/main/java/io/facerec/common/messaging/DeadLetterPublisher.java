package io.facerec.common.messaging;

import io.facerec.common.event.ProcessingFailed;
import io.facerec.common.pipeline.PipelineMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes {@link ProcessingFailed} records to {@link Topics#DEAD_LETTERS}, logs them and counts them
 * ({@link PipelineMeters#ERRORS}). Without a broker (the command line's database modes: {@link EventSink#NONE})
 * failures are only logged and counted; the row keeps the error either way.
 */
public class DeadLetterPublisher {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterPublisher.class);
    private final EventSink sink;
    private final MeterRegistry meters;

    /** @param meters where failures are counted; null: not counted */
    public DeadLetterPublisher(EventSink sink, MeterRegistry meters) {
        this.sink = sink;
        this.meters = meters;
    }

    /** A media item's permanent failure in a stage, with the event that carried it (logged, counted, published). */
    public void itemFailed(String stage, long mediaItemId, String errorKind, String message, Object event) {
        publish(ProcessingFailed.of(stage, mediaItemId, errorKind, message, EventCodec.encode(event)));
    }

    public void publish(ProcessingFailed failure) {
        log.warn(
                "{} failed for {} {}: {} {}",
                failure.stage(),
                failure.faceId() != null ? "face" : "media item",
                failure.faceId() != null ? failure.faceId() : failure.mediaItemId(),
                failure.errorKind(),
                failure.message());
        if (meters != null) {
            meters.counter(PipelineMeters.ERRORS, "stage", failure.stage(), "kind", failure.errorKind())
                    .increment();
        }
        sink.publish(List.of(failure));
    }
}
