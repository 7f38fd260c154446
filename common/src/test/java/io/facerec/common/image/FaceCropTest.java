package io.facerec.common.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.facerec.common.event.FacesDetected;
import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.messaging.EventCodec;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FaceCropTest {

    @Test
    void aSmallFaceIsCutAtThePhotosResolutionAroundItsBox() {
        FaceCrop c = FaceCrop.around(new BoundingBox(400, 300, 500, 420), 2000, 1500, 448);
        // longer side 120 -> a 240-px square around the centre (450, 360)
        assertThat(c.x()).isEqualTo(330);
        assertThat(c.y()).isEqualTo(240);
        assertThat(c.width()).isEqualTo(240);
        assertThat(c.height()).isEqualTo(240);
        assertThat(c.scaled()).isFalse();
        assertThat(c.toCropX(400.25)).isEqualTo(70.25);
        assertThat(c.toCropY(300)).isEqualTo(60);
    }

    @Test
    void aLargeFaceIsScaledDownToTheFaceSizeAndClippedToThePhoto() {
        FaceCrop c = FaceCrop.around(new BoundingBox(100, 50, 1100, 1250), 3000, 2000, 448);
        assertThat(c.x()).isZero();
        assertThat(c.y()).isZero();
        assertThat(c.width()).isEqualTo(1800); // 600 + 1200, clipped on the left
        assertThat(c.height()).isEqualTo(1850); // 650 + 1200, clipped at the top
        assertThat(c.scaled()).isTrue();
        assertThat(c.faceSide(new BoundingBox(100, 50, 1100, 1250)))
                .as("the face keeps at least 448 px")
                .isGreaterThanOrEqualTo(448)
                .isLessThan(449);
        // pixel-centre convention: the crop's first and last pixel centres sit on the rectangle's scaled pixel centres
        assertThat(c.toCropX(-0.5)).isCloseTo(-0.5, within(1e-9));
        assertThat(c.toCropX(1799.5)).isCloseTo(c.cropWidth() - 0.5, within(1e-9));
    }

    @Test
    void noCropWhenTheBoxLiesOutsideThePhoto() {
        assertThat(FaceCrop.around(new BoundingBox(5000, 10, 5100, 110), 2000, 1500, 448))
                .isNull();
    }

    /** The rewritten transform gives the same output position for a pixel as the photo's transform does. */
    @Test
    void theTransformForCropCoordinatesMapsEveryPointLikeThePhotosTransform() {
        Random r = new Random(7);
        for (FaceCrop c : List.of(
                FaceCrop.around(new BoundingBox(400, 300, 500, 420), 2000, 1500, 448),
                FaceCrop.around(new BoundingBox(500, 450, 1500, 1650), 3000, 2000, 448))) {
            double a = Math.toRadians(17);
            double s = 0.31;
            double[] m = {s * Math.cos(a), -s * Math.sin(a), -120.5, s * Math.sin(a), s * Math.cos(a), 33.25};
            double[] mc = c.toCrop(m);
            for (int i = 0; i < 100; i++) {
                double px = c.x() + r.nextDouble() * c.width();
                double py = c.y() + r.nextDouble() * c.height();
                double cx = c.toCropX(px);
                double cy = c.toCropY(py);
                assertThat(mc[0] * cx + mc[1] * cy + mc[2]).isCloseTo(m[0] * px + m[1] * py + m[2], within(1e-9));
                assertThat(mc[3] * cx + mc[4] * cy + mc[5]).isCloseTo(m[3] * px + m[4] * py + m[5], within(1e-9));
            }
        }
    }

    @Test
    void coversOnlyWhatLiesInsideOrBeyondAPhotoEdge() {
        FaceCrop inner = FaceCrop.around(new BoundingBox(400, 300, 500, 420), 2000, 1500, 448); // 330..570 x 240..480
        assertThat(inner.covers(340, 250, 560, 470)).isTrue();
        assertThat(inner.covers(320, 250, 560, 470)).as("beyond the left edge").isFalse();
        assertThat(inner.covers(340, 250, 569.5, 470))
                .as("the bilinear neighbour of the last column is missing")
                .isFalse();
        FaceCrop corner = FaceCrop.around(new BoundingBox(10, 10, 110, 130), 2000, 1500, 448); // clipped at 0, 0
        assertThat(corner.covers(-40, -30, 150, 150))
                .as("outside the photo both paths sample the border")
                .isTrue();
        // scaled 1/5: the margin is one crop pixel, five photo pixels
        FaceCrop scaled = FaceCrop.around(new BoundingBox(2500, 2500, 4740, 4740), 6000, 6000, 448); // scale 0.2
        assertThat(scaled.scaled()).isTrue();
        assertThat(scaled.x()).isEqualTo(1380);
        assertThat(scaled.covers(scaled.x() + 8, scaled.y() + 8, 3000, 3000)).isTrue();
        assertThat(scaled.covers(scaled.x() + 2, scaled.y() + 8, 3000, 3000))
                .as("within one photo pixel but not one crop pixel of the edge")
                .isFalse();
    }

    @Test
    void aDamagedGeometryIsReadButNotValid() {
        assertThat(FaceCrop.around(new BoundingBox(400, 300, 500, 420), 2000, 1500, 448)
                        .valid())
                .isTrue();
        assertThat(new FaceCrop("a.bmp", -3, 0, 10, 10, 10, 10, 100, 100).valid())
                .isFalse();
        assertThat(new FaceCrop("a.bmp", 95, 0, 10, 10, 10, 10, 100, 100).valid())
                .as("beyond the photo")
                .isFalse();
        assertThat(new FaceCrop("a.bmp", 0, 0, 10, 10, 0, 10, 100, 100).valid()).isFalse();
    }

    @Test
    void aFacesDetectedEventKeepsItsCropsAndOldEventsWithoutThemStillDecode() {
        FaceCrop c = FaceCrop.around(new BoundingBox(400, 300, 500, 420), 2000, 1500, 448)
                .withFile("item7_0.bmp");
        FacesDetected e = FacesDetected.of(
                7,
                "a/b.jpg",
                List.of(new FacesDetected.Face(
                        11,
                        0,
                        0,
                        0.99,
                        new double[] {400, 300, 500, 420},
                        new double[][] {{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}},
                        c)));
        FacesDetected back = EventCodec.decode(EventCodec.encode(e), FacesDetected.class);
        assertThat(back.faces().get(0).crop()).isEqualTo(c);

        String old = "{\"schemaVersion\":1,\"mediaItemId\":7,\"filePath\":\"a/b.jpg\",\"faces\":[{\"faceId\":11,"
                + "\"frameNumber\":0,\"faceIndex\":0,\"score\":0.99,\"box\":[400,300,500,420],"
                + "\"landmarks\":[[1,2],[3,4],[5,6],[7,8],[9,10]]}]}";
        assertThat(EventCodec.decode(old, FacesDetected.class).faces().get(0).crop())
                .isNull();
    }
}
