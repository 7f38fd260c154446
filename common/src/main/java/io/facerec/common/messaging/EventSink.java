package io.facerec.common.messaging;

import io.facerec.common.event.PipelineEvent;
import java.util.List;

/**
 * Where a stage hands its events on: the broker ({@link EventPublisher}), or, in the command line's database modes
 * which run without one, the next stage in the same process.
 */
@FunctionalInterface
public interface EventSink {
    /** Drops every event (the database modes' dead letters: the row keeps the error). */
    EventSink NONE = events -> {};

    /**
     * Publishes the events and returns once all of them are delivered (for the broker: acknowledged), so that the
     * caller may commit what they report. @throws io.facerec.common.error.RetriableProcessingException when not
     */
    void publish(List<? extends PipelineEvent> events);
}
