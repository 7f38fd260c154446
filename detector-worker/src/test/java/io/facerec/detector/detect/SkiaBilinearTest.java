package io.facerec.detector.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR_EXACT;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.facerec.common.image.Pixels;
import java.util.Random;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;

/**
 * {@link SkiaBilinear} on its own (its byte-for-byte agreement with the reference canvas is what
 * {@link RetinaFaceParityIT} relies on): the identity scale copies, and any scale stays within one grey level of
 * OpenCV's {@code INTER_LINEAR_EXACT}, the closest OpenCV mode.
 */
class SkiaBilinearTest {

    @Test
    void identityScaleCopiesThePixelsIntoRgbPlanes() {
        Mat m = random(37, 23, 1);
        float[] out = new float[3 * 64 * 64];
        SkiaBilinear.letterbox(m, 37, 23, out, 64);
        byte[] px = Pixels.bytes(m);
        for (int y = 0; y < 23; y++) {
            for (int x = 0; x < 37; x++) {
                int i = (y * 37 + x) * 3;
                int o = y * 64 + x;
                assertThat(out[o]).isEqualTo(px[i + 2] & 0xff); // R
                assertThat(out[o + 64 * 64]).isEqualTo(px[i + 1] & 0xff); // G
                assertThat(out[o + 2 * 64 * 64]).isEqualTo(px[i] & 0xff); // B
            }
        }
        assertThat(out[23 * 64]).as("below the image: untouched").isZero();
        assertThat(out[37]).as("right of the image: untouched").isZero();
    }

    @Test
    void withinOneGreyLevelOfOpenCvLinearExactWhenScaling() {
        int[][] cases = {{800, 480, 640, 384}, {500, 375, 640, 480}, {2280, 1588, 640, 445}, {33, 17, 640, 329}};
        for (int[] c : cases) {
            Mat m = random(c[0], c[1], c[0]);
            float[] out = new float[3 * 640 * 640];
            SkiaBilinear.letterbox(m, c[2], c[3], out, 640);
            try (Mat cv = new Mat()) {
                resize(m, cv, new Size(c[2], c[3]), 0, 0, INTER_LINEAR_EXACT);
                byte[] px = Pixels.bytes(cv);
                long differing = 0;
                for (int y = 0; y < c[3]; y++) {
                    for (int x = 0; x < c[2]; x++) {
                        for (int ch = 0; ch < 3; ch++) {
                            float ours = out[(2 - ch) * 640 * 640 + y * 640 + x];
                            int theirs = px[(y * c[2] + x) * 3 + ch] & 0xff;
                            assertThat(Math.abs(ours - theirs)).as("%dx%d -> %dx%d at (%d, %d)", c[0], c[1], c[2], c[3],
                                    x, y).isLessThanOrEqualTo(1);
                            differing += ours != theirs ? 1 : 0;
                        }
                    }
                }
                assertThat(differing).isLessThan((long) c[2] * c[3] * 3 / 4);
            }
        }
    }

    /** Smooth random content (random values then blurred by construction: sums of a few sines), 8-bit BGR. */
    private static Mat random(int w, int h, long seed) {
        Random r = new Random(seed);
        double[] f = {r.nextDouble() * 0.3, r.nextDouble() * 0.3, r.nextDouble() * 0.3};
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < 3; ch++) {
                    double v = 128 + 60 * Math.sin(x * f[ch] + y * f[(ch + 1) % 3]) + 60 * Math.cos(y * f[ch] * 0.7);
                    px[(y * w + x) * 3 + ch] = (byte) Math.max(0, Math.min(255, (int) v + r.nextInt(9) - 4));
                }
            }
        }
        Mat m = new Mat(h, w, CV_8UC3);
        m.data().put(px);
        return m;
    }
}
