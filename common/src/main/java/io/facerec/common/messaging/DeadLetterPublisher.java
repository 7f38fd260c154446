package io.facerec.common.messaging;

import io.facerec.common.event.ProcessingFailed;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Publishes {@link ProcessingFailed} records to {@link Topics#DEAD_LETTERS}. Without a Kafka template (the command
 * line's database modes run without a broker) failures are only logged; the row keeps the error either way.
 */
public class DeadLetterPublisher {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterPublisher.class);
    private final KafkaTemplate<String, String> kafka;

    private io.micrometer.core.instrument.MeterRegistry meters;

    public DeadLetterPublisher(KafkaTemplate<String, String> kafka) {
        this.kafka = kafka;
    }

    /** Counts failures by stage and kind ({@code facerec.errors}). */
    public DeadLetterPublisher withMeters(io.micrometer.core.instrument.MeterRegistry registry) {
        this.meters = registry;
        return this;
    }

    public void publish(ProcessingFailed failure) {
        log.warn("{} failed for {} {}: {} {}", failure.stage(), failure.faceId() != null ? "face" : "media item",
                failure.faceId() != null ? failure.faceId() : failure.mediaItemId(), failure.errorKind(), failure.message());
        if (meters != null) {
            meters.counter("facerec.errors", "stage", failure.stage(), "kind", failure.errorKind()).increment();
        }
        if (kafka == null) {
            return;
        }
        try {
            kafka.send(Topics.DEAD_LETTERS, failure.key(), EventCodec.encode(failure))
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new io.facerec.common.error.RetriableProcessingException("cannot publish dead letter", e);
        }
    }
}
