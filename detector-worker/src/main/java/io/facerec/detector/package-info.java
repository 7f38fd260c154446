/**
 * The detector worker: its process ({@link DetectorApplication}, scaled out by replicas in one consumer group), its
 * beans ({@link DetectorWorkerConfiguration}) and the stage's composition root ({@link DetectorStage}), shared by the
 * worker, the command line's database modes and {@code --evaluate}.
 */
package io.facerec.detector;
