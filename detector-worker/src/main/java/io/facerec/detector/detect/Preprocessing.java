package io.facerec.detector.detect;

import io.facerec.common.image.ImageLoader;

/**
 * How a photo becomes the detector's 640x640 input. Both follow the model contract (letterbox at the top-left, RGB
 * 0..255); they differ in the last grey level, which is enough to move a landmark by a fraction of a pixel or flip a
 * near-tied anchor.
 */
public enum Preprocessing {
    /**
     * JPEGs decoded by the jpeg-js port and scaled with the canvas bilinear of the reference detector harness
     * ({@link SkiaBilinear}): the network input is the harness's byte for byte (detection parity, the default).
     */
    REFERENCE,
    /**
     * OpenCV throughout (libjpeg-turbo, {@code INTER_LINEAR}), as {@code identity_ref.py} and most Python pipelines
     * preprocess; also the faster of the two (the JPEG decode is about three times quicker).
     */
    OPENCV;

    /** The loader for the detector's photos under this preprocessing. */
    public ImageLoader loader(ImageLoader configured) {
        return this == OPENCV ? configured.withOpenCvOnly() : configured;
    }
}
