package io.facerec.common.geometry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The origin's square crop ({@code process_face_square}), worked out by hand from its code. */
class OriginCropTest {

    @Test
    void widensEachSideByAFifthThenGrowsTheShorterSide() {
        // 50 x 70 box: margins int(10.0) and int(14.0) -> 70 x 98; the width grows by 28, 14 on each side
        OriginCrop.Rect r = OriginCrop.of(new BoundingBox(100.7, 100.2, 150.9, 170.6), 1000, 800);
        assertThat(r).isEqualTo(new OriginCrop.Rect(76, 86, 174, 184));
        assertThat(r.toOriginText()).isEqualTo("[76.0, 86.0, 174.0, 184.0]");
    }

    @Test
    void aFaceAtTheEdgeStaysSquare() {
        // at the left edge: 48 x 98 after the margins; the width cannot grow, so the height shrinks by 50
        OriginCrop.Rect left = OriginCrop.of(new BoundingBox(0, 100, 40, 170), 300, 300);
        assertThat(left).isEqualTo(new OriginCrop.Rect(0, 111, 48, 159));
        // the case: a 114 x 132 crop at the bottom edge is not stretched but cut to 114 x 114
        OriginCrop.Rect bottom = OriginCrop.of(new BoundingBox(208, 405, 303, 500), 640, 500);
        assertThat(bottom.width()).isEqualTo(bottom.height());
        assertThat(bottom.y2()).isLessThanOrEqualTo(500);
    }

    @Test
    void alwaysSquareAndInsideTheImage() {
        Random rnd = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            int w = 20 + rnd.nextInt(2000);
            int h = 20 + rnd.nextInt(2000);
            double x1 = rnd.nextInt(w - 10);
            double y1 = rnd.nextInt(h - 10);
            double x2 = Math.min(w, x1 + 5 + rnd.nextInt(w));
            double y2 = Math.min(h, y1 + 5 + rnd.nextInt(h));
            OriginCrop.Rect r = OriginCrop.of(new BoundingBox(x1, y1, x2, y2), w, h);
            assertThat(r.width())
                    .as("box %s,%s,%s,%s in %dx%d", x1, y1, x2, y2, w, h)
                    .isEqualTo(r.height());
            assertThat(r.x1()).isNotNegative();
            assertThat(r.y1()).isNotNegative();
            assertThat(r.x2()).isLessThanOrEqualTo(w);
            assertThat(r.y2()).isLessThanOrEqualTo(h);
        }
    }
}
