/**
 * Face embedding: the model's contract ({@link EmbeddingModelSpec}), model inputs from the detector's crop or the photo
 * ({@link FaceInputs}), inference and L2 normalisation ({@link FaceEmbedder}), one media item's work without the
 * database ({@link FaceEmbedding}), and the batch handler that writes {@code Faces.Embedding} and publishes one event
 * per face ({@link EmbedFacesHandler}).
 */
package io.facerec.embedder.embed;
