/**
 * The embedder's Kafka input: {@link FacesDetectedListener}, a thin adapter that hands each batch of detected faces to
 * the embedding handler.
 */
package io.facerec.embedder.in;
