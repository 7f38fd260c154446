package io.facerec.embedder.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.facerec.common.event.FacesDetected;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReducedDecodeTest {
    static FacesDetected.Face face(double side) {
        return new FacesDetected.Face(1, 0, 0, 0.9, new double[] {10, 10, 10 + side, 10 + side * 1.2}, new double[][] {
            {1, 1}, {2, 1}, {1, 2}, {1, 3}, {2, 3}
        });
    }

    @Test
    void decodesSmallerOnlyWhileTheSmallestFaceKeepsTwiceTheModelInput() {
        assertThat(FaceInputs.reduction(List.of(face(100)), 112)).isEqualTo(1);
        assertThat(FaceInputs.reduction(List.of(face(224 * 2 / 1.2)), 112)).isEqualTo(2);
        assertThat(FaceInputs.reduction(List.of(face(1000)), 112)).isEqualTo(4);
        assertThat(FaceInputs.reduction(List.of(face(3000)), 112)).isEqualTo(8);
        assertThat(FaceInputs.reduction(List.of(face(3000), face(150)), 112))
                .as("the smallest face decides")
                .isEqualTo(1);
    }

    @Test
    void mapsFullResolutionPixelsOntoTheReducedImage() {
        assertThat(FaceInputs.scale(0, 1)).isEqualTo(0);
        // pixel centres: x = 1.5 in full (between pixels 1 and 2) is the centre of reduced pixel 0 at 1/4
        assertThat(FaceInputs.scale(1.5, 4)).isCloseTo(0.0, within(1e-12));
        assertThat(FaceInputs.scale(401.5, 4)).isCloseTo(100.0, within(1e-12));
    }
}
