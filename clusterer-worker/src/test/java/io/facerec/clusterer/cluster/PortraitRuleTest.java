package io.facerec.clusterer.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.common.id.FaceId;
import io.facerec.common.persistence.FaceRepository.PortraitCandidate;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortraitRuleTest {
    static PortraitCandidate face(long id, double sharpness, float... v) {
        return new PortraitCandidate(FaceId.of(id), 100 + id, sharpness, v);
    }

    @Test
    void prefersTheSharpestOfTheMostTypicalFacesButNeverAnOutlier() {
        List<PortraitCandidate> faces = List.of(
                face(1, 10, 1f, 0f),
                face(2, 50, 0.99f, 0.14f),
                face(3, 20, 0.98f, -0.2f),
                face(4, 30, 0.97f, 0.24f),
                face(5, 5, 0.96f, -0.28f),
                face(6, 40, 0.95f, 0.31f),
                face(7, 999, 0f, 1f)); // a sharp outlier: not among the five most typical
        assertThat(PortraitRule.choose(faces).id().value()).isEqualTo(2);
        assertThat(PortraitRule.choose(List.of(face(9, 0, 1f, 0f))).mediaFileId()).isEqualTo(109);
        assertThat(PortraitRule.choose(List.of())).isNull();
    }
}
