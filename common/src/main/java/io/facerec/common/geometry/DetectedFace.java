package io.facerec.common.geometry;

/**
 * One face found by the detector: confidence, box and landmarks, all in original image pixels.
 *
 * @param unclipped the box before it was clipped to the photo (a face at the edge of a padded detection reaches
 *     beyond it); the same as {@code box} otherwise
 */
public record DetectedFace(double score, BoundingBox box, Landmarks landmarks, BoundingBox unclipped) {

    public DetectedFace(double score, BoundingBox box, Landmarks landmarks) {
        this(score, box, landmarks, box);
    }
}
