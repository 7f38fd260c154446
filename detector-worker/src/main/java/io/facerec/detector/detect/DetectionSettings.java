package io.facerec.detector.detect;

/**
 * Decoding parameters of RetinaFace.
 *
 * @param scoreThreshold keep proposals whose face probability is at least this (origin: 0.9; reference harness: 0.75)
 * @param nmsThreshold drop a box whose IoU with a higher-scoring kept box exceeds this (origin: 0.4)
 * @param minFaceSize faces whose shorter box side is smaller than this many original pixels are dropped (too small to
 *     recognise); 0 keeps all
 */
public record DetectionSettings(double scoreThreshold, double nmsThreshold, double minFaceSize) {
    public static final DetectionSettings ORIGIN = new DetectionSettings(0.9, 0.4, 0);

    public DetectionSettings {
        if (scoreThreshold < 0 || scoreThreshold > 1) {
            throw new IllegalArgumentException("score threshold must be in [0, 1], got " + scoreThreshold);
        }
        if (nmsThreshold <= 0 || nmsThreshold > 1) {
            throw new IllegalArgumentException("NMS threshold must be in (0, 1], got " + nmsThreshold);
        }
        if (minFaceSize < 0) {
            throw new IllegalArgumentException("minimum face size must be >= 0");
        }
    }
}
