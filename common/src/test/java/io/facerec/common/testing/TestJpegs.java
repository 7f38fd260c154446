package io.facerec.common.testing;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import java.nio.ByteBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;

/** JPEG byte-level helpers for tests. */
public final class TestJpegs {
    private TestJpegs() {}

    /** The first SOFn marker (0xC0 baseline, 0xC2 progressive); -1 when there is none. */
    public static int sofMarker(byte[] jpeg) {
        int p = 2;
        while (p + 4 < jpeg.length) {
            int marker = jpeg[p + 1] & 0xff;
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                return marker;
            }
            p += 2 + (((jpeg[p + 2] & 0xff) << 8) | (jpeg[p + 3] & 0xff));
        }
        return -1;
    }

    /**
     * A real, tiny JPEG (16x16, a few hundred bytes, encoded by OpenCV) whose baseline frame header is rewritten to
     * declare {@code w x h}: a decompression bomb.
     */
    public static byte[] claiming(int w, int h) {
        byte[] jpeg;
        try (Mat small = new Mat(16, 16, CV_8UC3, new Scalar(40, 90, 160, 0));
                BytePointer buf = new BytePointer()) {
            org.bytedeco.opencv.global.opencv_imgcodecs.imencode(".jpg", small, buf);
            jpeg = new byte[(int) buf.limit()];
            buf.get(jpeg);
        }
        int p = 2;
        while ((jpeg[p + 1] & 0xff) != 0xC0) {
            p += 2 + (((jpeg[p + 2] & 0xff) << 8) | (jpeg[p + 3] & 0xff));
        }
        ByteBuffer.wrap(jpeg, p + 5, 4).putShort((short) h).putShort((short) w);
        return jpeg;
    }
}
