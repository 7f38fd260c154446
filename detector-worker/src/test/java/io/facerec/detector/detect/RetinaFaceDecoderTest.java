package io.facerec.detector.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.facerec.common.geometry.DetectedFace;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The decoder on synthetic output maps, where the expected faces can be worked out by hand. */
class RetinaFaceDecoderTest {
    static final int SIZE = 640;

    static List<RetinaFaceDecoder.StrideOutput> empty() {
        List<RetinaFaceDecoder.StrideOutput> l = new ArrayList<>();
        for (int s : RetinaFaceDecoder.STRIDES) {
            int h = SIZE / s;
            l.add(new RetinaFaceDecoder.StrideOutput(
                    s, h, h, new float[4 * h * h], new float[8 * h * h], new float[20 * h * h]));
        }
        return l;
    }

    /** Sets anchor a of cell (x, y) at the given stride to fire with a score and deltas. */
    static void fire(
            List<RetinaFaceDecoder.StrideOutput> outs,
            int stride,
            int a,
            int x,
            int y,
            float score,
            float[] box,
            float[] lm) {
        var o = outs.stream().filter(s -> s.stride() == stride).findFirst().orElseThrow();
        int plane = o.height() * o.width();
        int cell = y * o.width() + x;
        o.scores()[(2 + a) * plane + cell] = score;
        for (int k = 0; k < 4; k++) {
            o.boxes()[(4 * a + k) * plane + cell] = box[k];
        }
        for (int k = 0; k < 10; k++) {
            o.landmarks()[(10 * a + k) * plane + cell] = lm[k];
        }
    }

    @Test
    void decodesAnchorCentreBoxAndLandmarksAndDividesByTheLetterboxScale() {
        var outs = empty();
        // stride 16, anchor 0 (scale 8 -> width 128), cell (10, 5): centre (168, 88)
        float[] lm = {-0.1f, -0.1f, 0.1f, -0.1f, 0, 0, -0.1f, 0.1f, 0.1f, 0.1f};
        fire(outs, 16, 0, 10, 5, 0.97f, new float[] {0.1f, -0.05f, 0f, (float) Math.log(1.25)}, lm);
        List<DetectedFace> faces = RetinaFaceDecoder.decode(outs, SIZE, SIZE, 0.5, new DetectionSettings(0.75, 0.4, 0));
        assertThat(faces).hasSize(1);
        DetectedFace f = faces.get(0);
        assertThat(f.score()).isCloseTo(0.97, within(1e-6));
        // centre (168 + 12.8, 88 - 6.4), size 128 x 160, then / 0.5
        assertThat(f.box().x1()).isCloseTo((180.8 - 64) / 0.5, within(1e-3));
        assertThat(f.box().y1()).isCloseTo((81.6 - 80) / 0.5, within(1e-3));
        assertThat(f.box().x2()).isCloseTo((180.8 + 64) / 0.5, within(1e-3));
        assertThat(f.box().y2()).isCloseTo((81.6 + 80) / 0.5, within(1e-3));
        double s = 128 * 0.18181818 + 1;
        assertThat(f.landmarks().x(0)).isCloseTo((168 - 0.1 * s) / 0.5, within(1e-3));
        assertThat(f.landmarks().y(4)).isCloseTo((88 + 0.1 * s) / 0.5, within(1e-3));
    }

    @Test
    void keepsTheStrongerOfTwoOverlappingBoxesAndDropsLowScores() {
        var outs = empty();
        float[] zero = new float[10];
        fire(outs, 8, 0, 20, 20, 0.90f, new float[4], zero);
        fire(outs, 8, 0, 21, 20, 0.95f, new float[4], zero); // 8 px to the right of a 32 px box: IoU 0.6
        fire(outs, 8, 0, 60, 60, 0.70f, new float[4], zero); // below the threshold
        List<DetectedFace> faces = RetinaFaceDecoder.decode(outs, SIZE, SIZE, 1.0, new DetectionSettings(0.75, 0.4, 0));
        assertThat(faces).hasSize(1);
        assertThat(faces.get(0).score()).isCloseTo(0.95, within(1e-6));
        // with a looser NMS both survive, strongest first
        faces = RetinaFaceDecoder.decode(outs, SIZE, SIZE, 1.0, new DetectionSettings(0.75, 0.7, 0));
        assertThat(faces).extracting(DetectedFace::score).containsExactly(0.95f * 1.0, 0.90f * 1.0);
    }

    @Test
    void clipsBoxesToTheModelInputButNotLandmarks() {
        var outs = empty();
        float[] lm = {-2, -2, 0, 0, 0, 0, 0, 0, 0, 0};
        fire(outs, 32, 0, 0, 0, 0.99f, new float[] {-0.1f, -0.1f, 0, 0}, lm);
        DetectedFace f = RetinaFaceDecoder.decode(outs, SIZE, SIZE, 1.0, new DetectionSettings(0.5, 0.4, 0))
                .get(0);
        assertThat(f.box().x1()).isZero();
        assertThat(f.box().y1()).isZero();
        assertThat(f.landmarks().x(0)).isNegative();
    }

    @Test
    void dropsFacesSmallerThanTheMinimumSize() {
        var outs = empty();
        fire(outs, 8, 1, 30, 30, 0.99f, new float[4], new float[10]); // anchor 16 px
        assertThat(RetinaFaceDecoder.decode(outs, SIZE, SIZE, 1.0, new DetectionSettings(0.5, 0.4, 20)))
                .isEmpty();
        assertThat(RetinaFaceDecoder.decode(outs, SIZE, SIZE, 1.0, new DetectionSettings(0.5, 0.4, 10)))
                .hasSize(1);
    }
}
