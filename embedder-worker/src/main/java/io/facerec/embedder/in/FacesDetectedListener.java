package io.facerec.embedder.in;

import io.facerec.common.event.FacesDetected;
import io.facerec.common.messaging.EventCodec;
import io.facerec.common.messaging.Topics;
import io.facerec.embedder.embed.EmbedFacesHandler;
import org.springframework.kafka.annotation.KafkaListener;

/** Thin adapter: one media item's detected faces in, one call of the handler. */
public class FacesDetectedListener {
    private final EmbedFacesHandler handler;

    public FacesDetectedListener(EmbedFacesHandler handler) {
        this.handler = handler;
    }

    @KafkaListener(id = "embedder", groupId = "facerec-embedder", topics = Topics.FACES_DETECTED,
            concurrency = "${facerec.embedder.concurrency:1}")
    public void onFacesDetected(String value) {
        handler.handle(EventCodec.decode(value, FacesDetected.class));
    }
}
