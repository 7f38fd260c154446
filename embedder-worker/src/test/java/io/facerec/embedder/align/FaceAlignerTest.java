package io.facerec.embedder.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.Landmarks;
import io.facerec.common.image.Pixels;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;

class FaceAlignerTest {

    /** Landmarks = the template rotated by 20 degrees, scaled by 2.5 and moved: the estimate must undo exactly that. */
    @Test
    void recoversAKnownSimilarityTransform() {
        double a = Math.toRadians(20);
        double s = 2.5;
        double tx = 300;
        double ty = 120;
        double[][] p = new double[5][];
        for (int i = 0; i < 5; i++) {
            double x = FaceAligner.ARCFACE_112[i][0];
            double y = FaceAligner.ARCFACE_112[i][1];
            p[i] = new double[] {
                s * (Math.cos(a) * x - Math.sin(a) * y) + tx, s * (Math.sin(a) * x + Math.cos(a) * y) + ty
            };
        }
        double[] m = new FaceAligner(FaceAligner.Mode.ARCFACE_5POINT, 112).transform(new Landmarks(p));
        for (int i = 0; i < 5; i++) {
            double x = m[0] * p[i][0] + m[1] * p[i][1] + m[2];
            double y = m[3] * p[i][0] + m[4] * p[i][1] + m[5];
            assertThat(x).isCloseTo(FaceAligner.ARCFACE_112[i][0], within(0.05));
            assertThat(y).isCloseTo(FaceAligner.ARCFACE_112[i][1], within(0.05));
        }
        // a similarity: equal scale on both axes, no shear
        assertThat(m[0]).isCloseTo(m[4], within(1e-6));
        assertThat(m[1]).isCloseTo(-m[3], within(1e-6));
        assertThat(Math.hypot(m[0], m[3])).isCloseTo(1 / s, within(1e-3));
    }

    @Test
    void warpsTheOriginalImageToTheModelInputSize() {
        try (Mat img = new Mat(400, 600, CV_8UC3, new Scalar(10, 200, 30, 0))) {
            double[][] p = new double[5][];
            for (int i = 0; i < 5; i++) {
                p[i] = new double[] {FaceAligner.ARCFACE_112[i][0] * 2 + 100, FaceAligner.ARCFACE_112[i][1] * 2 + 50};
            }
            try (Mat out = new FaceAligner(FaceAligner.Mode.ARCFACE_5POINT, 112)
                    .align(img, new BoundingBox(100, 50, 324, 274), new Landmarks(p))) {
                assertThat(out.cols()).isEqualTo(112);
                assertThat(out.rows()).isEqualTo(112);
                byte[] px = Pixels.bytes(out);
                int centre = (56 * 112 + 56) * 3;
                assertThat(px[centre] & 0xff).isEqualTo(10);
                assertThat(px[centre + 1] & 0xff).isEqualTo(200);
            }
            try (Mat out = new FaceAligner(FaceAligner.Mode.CROP_RESIZE, 160)
                    .align(img, new BoundingBox(100, 50, 324, 274), new Landmarks(p))) {
                assertThat(out.cols()).isEqualTo(160);
            }
        }
    }
}
