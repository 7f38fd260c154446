/**
 * The events the stages exchange through Kafka, each a versioned record with its own topic and key
 * ({@link PipelineEvent}): {@link MediaItemCaptured} from capture, {@link FacesDetected} from the detector,
 * {@link FaceEmbedded} from the embedder, and the dead letter {@link ProcessingFailed}.
 */
package io.facerec.common.event;
