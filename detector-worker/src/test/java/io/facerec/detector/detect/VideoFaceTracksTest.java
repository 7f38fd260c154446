package io.facerec.detector.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.geometry.Landmarks;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VideoFaceTracksTest {
    record Tag(String name, List<String> closed) implements AutoCloseable {
        @Override
        public void close() {
            closed.add(name);
        }
    }

    static DetectedFace face(double x, double score) {
        double[][] lm = new double[5][];
        for (int i = 0; i < 5; i++) {
            lm[i] = new double[] {x + 10 + i, 50};
        }
        return new DetectedFace(score, new BoundingBox(x, 20, x + 60, 100), new Landmarks(lm));
    }

    @Test
    void overlappingFacesInConsecutiveFramesAreOneTrackKeepingTheBestScore() {
        List<String> closed = new ArrayList<>();
        VideoFaceTracks<Tag> t = new VideoFaceTracks<>(0.3);
        t.add(
                0,
                List.of(face(100, 0.91), face(400, 0.95)),
                f -> new Tag("f0@" + f.box().x1(), closed));
        t.add(
                5,
                List.of(face(105, 0.97), face(405, 0.90)),
                f -> new Tag("f5@" + f.box().x1(), closed));
        t.add(10, List.of(face(110, 0.93)), f -> new Tag("f10@" + f.box().x1(), closed));
        t.add(15, List.of(), f -> new Tag("never", closed)); // both tracks end
        t.add(20, List.of(face(110, 0.80)), f -> new Tag("f20@" + f.box().x1(), closed)); // back again: a new track

        var kept = t.kept();
        assertThat(kept)
                .extracting(k -> k.frameNumber() + "@" + k.face().box().x1())
                .containsExactly("0@400.0", "5@105.0", "20@110.0");
        assertThat(kept).extracting(k -> k.payload().name()).containsExactly("f0@400.0", "f5@105.0", "f20@110.0");
        assertThat(closed)
                .as("the payload a better detection replaced is released")
                .containsExactly("f0@100.0");
        assertThat(t.size()).isEqualTo(3);
    }

    @Test
    void eachDetectionContinuesAtMostOneTrack() {
        VideoFaceTracks<Tag> t = new VideoFaceTracks<>(0.3);
        List<String> closed = new ArrayList<>();
        t.add(0, List.of(face(100, 0.9)), f -> new Tag("a", closed));
        t.add(1, List.of(face(102, 0.8), face(98, 0.85)), f -> new Tag("b", closed));
        assertThat(t.size()).isEqualTo(2);
    }

    @Test
    void rejectsAnImpossibleOverlap() {
        assertThatThrownBy(() -> new VideoFaceTracks<Tag>(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
