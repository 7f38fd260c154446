/**
 * The detector's Kafka input: {@link MediaItemCapturedListener}, a thin adapter that hands each batch of captured media
 * items to the detection handler.
 */
package io.facerec.detector.in;
