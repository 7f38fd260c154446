/**
 * The clusterer worker: its process ({@link ClustererApplication}, exactly one per database), its beans
 * ({@link ClustererWorkerConfiguration}) and the stage's composition root ({@link ClustererStage}), which builds the
 * clustering and recluster handlers for the worker and for the command line's database modes.
 */
package io.facerec.clusterer;
