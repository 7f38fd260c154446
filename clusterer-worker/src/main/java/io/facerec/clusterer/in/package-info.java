/**
 * The clusterer's Kafka input: {@link FacesEmbeddedListener}, one consumer thread that turns the embeddings arrived
 * since the last poll into one clustering run and dead-letters records that are not a face embedding.
 */
package io.facerec.clusterer.in;
