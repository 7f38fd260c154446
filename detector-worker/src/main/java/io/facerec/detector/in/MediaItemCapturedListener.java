package io.facerec.detector.in;

import io.facerec.common.event.MediaItemCaptured;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.messaging.StageBatch;
import io.facerec.common.messaging.Topics;
import io.facerec.detector.detect.DetectFacesHandler;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;

/** Thin adapter: a batch of captured media items in, one call of the handler (see {@link StageBatch}). */
public class MediaItemCapturedListener {
    private final DetectFacesHandler handler;
    private final DeadLetterPublisher deadLetters;
    private final MeterRegistry meters;

    public MediaItemCapturedListener(
            DetectFacesHandler handler, DeadLetterPublisher deadLetters, MeterRegistry meters) {
        this.handler = handler;
        this.deadLetters = deadLetters;
        this.meters = meters;
    }

    @KafkaListener(
            id = "detector",
            groupId = "facerec-detector",
            topics = Topics.MEDIA_ITEMS_CAPTURED,
            containerFactory = "stageBatchFactory",
            concurrency = "${facerec.detector.concurrency:1}",
            properties = {
                "max.poll.records=${facerec.detector.batch-size:16}",
                "fetch.max.wait.ms=${facerec.detector.batch-wait-ms:20}"
            })
    public void onMediaItemsCaptured(List<ConsumerRecord<String, String>> records) {
        StageBatch.of(records, MediaItemCaptured.class, "detect", deadLetters, meters)
                .process(handler::handle);
    }
}
