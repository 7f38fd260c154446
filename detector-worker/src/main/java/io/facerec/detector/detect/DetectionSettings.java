package io.facerec.detector.detect;

/**
 * Decoding parameters of RetinaFace.
 *
 * @param scoreThreshold keep proposals whose face probability is at least this (origin: 0.9; reference harness: 0.75)
 * @param nmsThreshold drop a box whose IoU with a higher-scoring kept box exceeds this (origin: 0.4)
 * @param minFaceSize faces whose shorter box side is smaller than this many original pixels are dropped (too small to
 *     recognise); 0 keeps all
 * @param padFraction black border added on every side before detection, as a fraction of the longer image side
 *     (0.25 as the reference recognition pipeline does); helps faces that fill the frame (tight crops, selfies).
 *     Coordinates are always reported in the original image.
 * @param closeUpRetry when no face is found, or the largest face is a close-up (its longer side above
 *     {@link #CLOSE_UP} of the image's shorter side), detect again on the image padded by 25% and keep that result
 *     when it finds faces: RetinaFace's anchors stop at 512 px, so faces that fill the frame get poor boxes and
 *     landmarks, while padding every photo would shrink the small faces of group photos
 */
public record DetectionSettings(
        double scoreThreshold, double nmsThreshold, double minFaceSize, double padFraction, boolean closeUpRetry) {
    public static final double CLOSE_UP = 0.35;
    public static final DetectionSettings ORIGIN = new DetectionSettings(0.9, 0.4, 0, 0, false);

    /** Plain detection: no padding, no close-up retry (the reference decoder's behaviour). */
    public DetectionSettings(double scoreThreshold, double nmsThreshold, double minFaceSize) {
        this(scoreThreshold, nmsThreshold, minFaceSize, 0, false);
    }

    public DetectionSettings {
        if (scoreThreshold < 0 || scoreThreshold > 1) {
            throw new IllegalArgumentException("score threshold must be in [0, 1], got " + scoreThreshold);
        }
        if (nmsThreshold <= 0 || nmsThreshold > 1) {
            throw new IllegalArgumentException("NMS threshold must be in (0, 1], got " + nmsThreshold);
        }
        if (padFraction < 0 || padFraction > 1) {
            throw new IllegalArgumentException("pad fraction must be in [0, 1], got " + padFraction);
        }
        if (minFaceSize < 0) {
            throw new IllegalArgumentException("minimum face size must be >= 0");
        }
    }
}
