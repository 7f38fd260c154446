package io.facerec.common.geometry;

/** One face found by the detector: confidence, box and landmarks, all in original image pixels. */
public record DetectedFace(double score, BoundingBox box, Landmarks landmarks) {
}
