package io.facerec.common.messaging;

import io.facerec.common.event.ProcessingFailed;
import io.facerec.common.pipeline.PipelineMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.BatchListenerFailedException;

/**
 * What a stage's batch listener does with the records of one poll: decodes them (a record that is not a valid event is
 * dead-lettered on its own, the others go on), hands the events to the handler in one call, and, when the handler
 * reports a transient failure at some event ({@link BatchWork.FailedAt}), names that event's record to the container
 * ({@link BatchListenerFailedException}): the records before it are committed, it and the rest are retried with
 * back-off. Listeners stay thin: {@code StageBatch.of(records, Event.class, "embed", deadLetters).process(handler)}.
 */
public final class StageBatch<T> {
    private final List<ConsumerRecord<String, String>> records;
    private final List<T> events;
    private final int[] recordOf;

    private StageBatch(List<ConsumerRecord<String, String>> records, List<T> events, int[] recordOf) {
        this.records = records;
        this.events = events;
        this.recordOf = recordOf;
    }

    /** Decodes the records; malformed ones are dead-lettered here (stage {@code stage}, keyed as their topic is). */
    public static <T> StageBatch<T> of(
            List<ConsumerRecord<String, String>> records,
            Class<T> type,
            String stage,
            DeadLetterPublisher deadLetters,
            MeterRegistry meters) {
        List<T> events = new ArrayList<>(records.size());
        int[] recordOf = new int[records.size()];
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<String, String> r = records.get(i);
            try {
                recordOf[events.size()] = i;
                events.add(EventCodec.decode(r.value(), type));
            } catch (MalformedEventException e) {
                deadLetters.publish(ProcessingFailed.forRecord(
                        r.topic(), stage, r.key(), e.errorKind(), e.getMessage(), String.valueOf(r.value())));
            }
        }
        if (meters != null) {
            meters.summary(PipelineMeters.BATCH_SIZE, "stage", stage).record(records.size());
        }
        return new StageBatch<>(records, events, recordOf);
    }

    public List<T> events() {
        return events;
    }

    /** Runs the handler on the decoded events. @throws BatchListenerFailedException on a transient failure */
    public void process(Consumer<List<T>> handler) {
        if (events.isEmpty()) {
            return;
        }
        try {
            handler.accept(events);
        } catch (BatchWork.FailedAt e) {
            throw new BatchListenerFailedException(e.getMessage(), e.getCause(), records.get(recordOf[e.index()]));
        }
    }
}
