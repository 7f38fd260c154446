/**
 * What the stages share at run time: the threads a batch is spread over ({@link StageWorkers}), the shape of a batch's
 * result ({@link Outcome}) and the names of every meter the pipeline records ({@link PipelineMeters}).
 */
package io.facerec.common.pipeline;
