package io.facerec.clusterer.in;

import io.facerec.clusterer.cluster.ClusterFacesHandler;
import io.facerec.common.event.FaceEmbedded;
import io.facerec.common.event.ProcessingFailed;
import io.facerec.common.logging.LogIds;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.messaging.EventCodec;
import io.facerec.common.messaging.MalformedEventException;
import io.facerec.common.messaging.Topics;
import io.facerec.common.persistence.FaceRepository;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.event.ConsumerStartedEvent;

/**
 * Thin batch adapter: whatever embeddings arrived since the last poll become one clustering run. A single consumer
 * thread ({@code concurrency = 1}) in the {@code facerec-clusterer} group: clustering is global and must not run twice
 * at once. A record that is not a {@link FaceEmbedded} goes to the dead-letter topic; the rest of its batch is
 * clustered. When the consumer starts, the faces embedded while no clusterer ran are clustered first.
 */
public class FacesEmbeddedListener {
    private static final Logger log = LoggerFactory.getLogger(FacesEmbeddedListener.class);
    static final String ID = "clusterer";
    private final ClusterFacesHandler handler;
    private final FaceRepository faces;
    private final DeadLetterPublisher deadLetters;

    public FacesEmbeddedListener(ClusterFacesHandler handler, FaceRepository faces, DeadLetterPublisher deadLetters) {
        this.handler = handler;
        this.faces = faces;
        this.deadLetters = deadLetters;
    }

    @KafkaListener(
            id = ID,
            groupId = "facerec-clusterer",
            topics = Topics.FACES_EMBEDDED,
            containerFactory = "clustererBatchFactory",
            concurrency = "1")
    public void onFacesEmbedded(List<ConsumerRecord<String, String>> records) {
        List<FaceEmbedded> batch = new ArrayList<>(records.size());
        for (ConsumerRecord<String, String> r : records) {
            try {
                batch.add(EventCodec.decode(r.value(), FaceEmbedded.class));
            } catch (MalformedEventException e) {
                long face = parse(r.key());
                deadLetters.publish(ProcessingFailed.ofFace(
                        "cluster", face, "MALFORMED_EVENT", e.getMessage(), String.valueOf(r.value())));
            }
        }
        if (!batch.isEmpty()) {
            // every line of this clustering run names the batch's items and faces (a face's own lines name it alone)
            try (var items = LogIds.put(
                            LogIds.ITEM,
                            LogIds.list(batch.stream()
                                    .map(FaceEmbedded::mediaItemId)
                                    .toList()));
                    var faces = LogIds.put(
                            LogIds.FACE,
                            LogIds.list(batch.stream().map(FaceEmbedded::faceId).toList()))) {
                handler.handle(batch);
            }
        }
    }

    /** Before the first poll: load the persons and the pool, and cluster what was embedded while none ran. */
    @EventListener
    public void onConsumerStarted(ConsumerStartedEvent event) {
        for (String model : faces.embeddingModels()) {
            ClusterFacesHandler.Result r = handler.start(model);
            if (r.considered() > 0) {
                log.info(
                        "clustering {}: {} face(s) embedded while no clusterer ran were clustered at start",
                        model,
                        r.considered());
            }
        }
    }

    private static long parse(String key) {
        try {
            return key == null ? 0 : Long.parseLong(key);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
