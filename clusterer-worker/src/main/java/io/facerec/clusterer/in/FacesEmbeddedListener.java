package io.facerec.clusterer.in;

import io.facerec.clusterer.cluster.ClusterFacesHandler;
import io.facerec.common.event.FaceEmbedded;
import io.facerec.common.messaging.EventCodec;
import io.facerec.common.messaging.MalformedEventException;
import io.facerec.common.messaging.Topics;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;

/**
 * Thin batch adapter: whatever embeddings arrived since the last poll become one clustering run. A single consumer
 * thread ({@code concurrency = 1}) in the {@code facerec-clusterer} group: clustering is global and must not run twice
 * at once.
 */
public class FacesEmbeddedListener {
    private static final Logger log = LoggerFactory.getLogger(FacesEmbeddedListener.class);
    private final ClusterFacesHandler handler;

    public FacesEmbeddedListener(ClusterFacesHandler handler) {
        this.handler = handler;
    }

    @KafkaListener(id = "clusterer", groupId = "facerec-clusterer", topics = Topics.FACES_EMBEDDED,
            containerFactory = "clustererBatchFactory", concurrency = "1")
    public void onFacesEmbedded(List<String> values) {
        List<FaceEmbedded> batch = new ArrayList<>(values.size());
        for (String v : values) {
            try {
                batch.add(EventCodec.decode(v, FaceEmbedded.class));
            } catch (MalformedEventException e) {
                log.error("Skipping malformed embedding event: {}", e.getMessage());
            }
        }
        if (!batch.isEmpty()) {
            handler.handle(batch);
        }
    }
}
