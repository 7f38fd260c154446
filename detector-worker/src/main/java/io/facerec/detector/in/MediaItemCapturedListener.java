package io.facerec.detector.in;

import io.facerec.common.event.MediaItemCaptured;
import io.facerec.common.messaging.EventCodec;
import io.facerec.common.messaging.Topics;
import io.facerec.detector.detect.DetectFacesHandler;
import org.springframework.kafka.annotation.KafkaListener;

/** Thin adapter: one captured media item in, one call of the handler. */
public class MediaItemCapturedListener {
    private final DetectFacesHandler handler;

    public MediaItemCapturedListener(DetectFacesHandler handler) {
        this.handler = handler;
    }

    @KafkaListener(id = "detector", groupId = "facerec-detector", topics = Topics.MEDIA_ITEMS_CAPTURED,
            concurrency = "${facerec.detector.concurrency:1}")
    public void onMediaItemCaptured(String value) {
        handler.handle(EventCodec.decode(value, MediaItemCaptured.class));
    }
}
