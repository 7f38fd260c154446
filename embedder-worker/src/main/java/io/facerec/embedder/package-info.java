/**
 * The embedder worker: its process ({@link EmbedderApplication}), its beans ({@link EmbedderWorkerConfiguration}) and
 * the stage's composition root ({@link EmbedderStage}), shared by the worker, the command line's database modes and
 * {@code --evaluate}.
 */
package io.facerec.embedder;
