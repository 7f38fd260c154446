/**
 * The embedder's typed settings ({@code facerec.embedder.*}, {@link EmbedderProperties}): the embedding model and how
 * to feed it, threads, batch size, and whether the detector's face crops are kept.
 */
package io.facerec.embedder.config;
