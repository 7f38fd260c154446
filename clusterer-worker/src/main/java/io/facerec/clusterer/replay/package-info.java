/**
 * Replay of the compacted embeddings topic ({@link EmbeddingsReplay}): the latest embedding of every face, read from
 * the beginning by partition assignment, so no offsets are committed and the live clusterer's group is not disturbed.
 */
package io.facerec.clusterer.replay;
