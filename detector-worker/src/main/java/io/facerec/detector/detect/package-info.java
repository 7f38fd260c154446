/**
 * Face detection: RetinaFace MobileNet-0.25 through ONNX Runtime ({@link RetinaFaceDetector},
 * {@link RetinaFaceDecoder}, {@link DetectionSettings}), one media file's work without the database
 * ({@link MediaDetection}, with {@link VideoFaceTracks} for videos), and the batch handler that writes the
 * {@code Faces} rows and publishes them ({@link DetectFacesHandler}).
 */
package io.facerec.detector.detect;
