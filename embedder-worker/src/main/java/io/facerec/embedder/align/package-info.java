/**
 * Bringing a face into the embedding model's input frame ({@link FaceAligner}): the five landmarks mapped onto the
 * ArcFace template by a similarity transform, or the origin's FaceNet crop and resize.
 */
package io.facerec.embedder.align;
