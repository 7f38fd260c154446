/**
 * Kafka side of the stages: the {@link EventSink} a stage hands its events to (the broker's one {@link EventPublisher},
 * or the next stage in process), the {@link DeadLetterPublisher}, the topic names ({@link Topics}) and the batch
 * helpers the listeners use to split out a poison record ({@link StageBatch}, {@link BatchWork}).
 */
package io.facerec.common.messaging;
