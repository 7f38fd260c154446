/**
 * What the detector writes besides rows while a photo is decoded: the origin's face thumbnails
 * ({@link ThumbnailWriter}), their sharpness for portraits ({@link FaceSharpness}) and each face's crop left for the
 * embedder ({@link FaceCropWriter}).
 */
package io.facerec.detector.thumbnail;
