package io.facerec.common.image;

import org.bytedeco.opencv.opencv_core.Mat;

/** Copies the pixels of an 8-bit OpenCV matrix into a Java array, row after row. */
public final class Pixels {
    private Pixels() {}

    public static byte[] bytes(Mat m) {
        byte[] px = new byte[(int) (m.total() * m.channels())];
        if (m.isContinuous()) {
            m.data().get(px);
        } else {
            try (Mat c = m.clone()) {
                c.data().get(px);
            }
        }
        return px;
    }
}
