package io.facerec.common.image;

import org.bytedeco.opencv.opencv_core.Mat;

/** An image decoded to 8-bit BGR (OpenCV's order), EXIF orientation applied. Close it to free the native pixels. */
public record DecodedImage(Mat bgr, int width, int height) implements AutoCloseable {
    @Override
    public void close() {
        bgr.close();
    }
}
