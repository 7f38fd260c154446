package io.facerec.common.messaging;

import io.facerec.common.error.RetriableProcessingException;
import io.facerec.common.event.PipelineEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;

/**
 * The one way events reach the broker: each event goes to its own topic under its own key ({@link PipelineEvent}),
 * JSON-encoded by {@link EventCodec}. A list is sent at once (the producer batches it) and the call returns when the
 * broker has acknowledged every record, so a stage commits its input only after its output is safe.
 */
public class EventPublisher implements EventSink {
    private final KafkaTemplate<String, String> kafka;
    private final Duration timeout;

    /** @param timeout how long to wait for the acknowledgements before the publish counts as failed (retried) */
    public EventPublisher(KafkaTemplate<String, String> kafka, Duration timeout) {
        this.kafka = kafka;
        this.timeout = timeout;
    }

    @Override
    public void publish(List<? extends PipelineEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        List<CompletableFuture<SendResult<String, String>>> sent = new ArrayList<>(events.size());
        for (PipelineEvent e : events) {
            sent.add(kafka.send(e.topic(), e.key(), EventCodec.encode(e)));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < sent.size(); i++) {
            try {
                sent.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RetriableProcessingException(
                        "interrupted while publishing to " + events.get(i).topic(), e);
            } catch (ExecutionException | TimeoutException e) {
                throw new RetriableProcessingException(
                        "cannot publish " + events.get(i).getClass().getSimpleName() + " to "
                                + events.get(i).topic(),
                        e);
            }
        }
    }
}
