package io.facerec.embedder.in;

import io.facerec.common.event.FacesDetected;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.messaging.StageBatch;
import io.facerec.common.messaging.Topics;
import io.facerec.embedder.embed.EmbedFacesHandler;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;

/** Thin adapter: a batch of media items' detected faces in, one call of the handler (see {@link StageBatch}). */
public class FacesDetectedListener {
    private final EmbedFacesHandler handler;
    private final DeadLetterPublisher deadLetters;
    private final MeterRegistry meters;

    public FacesDetectedListener(EmbedFacesHandler handler, DeadLetterPublisher deadLetters, MeterRegistry meters) {
        this.handler = handler;
        this.deadLetters = deadLetters;
        this.meters = meters;
    }

    @KafkaListener(
            id = "embedder",
            groupId = "facerec-embedder",
            topics = Topics.FACES_DETECTED,
            containerFactory = "stageBatchFactory",
            concurrency = "${facerec.embedder.concurrency:1}",
            properties = {
                "max.poll.records=${facerec.embedder.batch-size:16}",
                "fetch.max.wait.ms=${facerec.embedder.batch-wait-ms:20}"
            })
    public void onFacesDetected(List<ConsumerRecord<String, String>> records) {
        StageBatch.of(records, FacesDetected.class, "embed", deadLetters, meters)
                .process(handler::handle);
    }
}
