package io.facerec.common.portrait;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.common.portrait.PortraitRule.Candidate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The origin's rule: the medoid, replaced by any strictly sharper face in id order. */
class PortraitRuleTest {
    static Candidate face(long id, double sharpness) {
        return new Candidate(id, 100 + id, sharpness);
    }

    /** The origin's loop itself, as its generate_portraits runs it, to compare with. */
    static long origin(List<Candidate> faces, long medoid) {
        Candidate best =
                faces.stream().filter(f -> f.faceId() == medoid).findFirst().orElseThrow();
        for (Candidate c : faces) {
            if (c.sharpness() > best.sharpness()) {
                best = c;
            }
        }
        return best.faceId();
    }

    @Test
    void theSharpestFaceOfThePersonWinsEvenWhenItIsNotTypical() {
        List<Candidate> faces = List.of(face(1, 10), face(2, 50), face(3, 20), face(7, 999));
        AtomicInteger medoidAsked = new AtomicInteger();
        assertThat(PortraitRule.choose(faces, () -> {
                            medoidAsked.incrementAndGet();
                            return 1;
                        })
                        .faceId())
                .isEqualTo(7)
                .isEqualTo(origin(faces, 1));
        assertThat(medoidAsked).as("no tie, no embeddings read").hasValue(0);
        assertThat(PortraitRule.choose(List.of(face(9, 0)), () -> 9).mediaFileId())
                .isEqualTo(109);
        assertThat(PortraitRule.choose(List.of(), () -> -1)).isNull();
    }

    @Test
    void theMedoidWinsATieForTheSharpestOtherwiseTheLowestId() {
        List<Candidate> allZero = List.of(face(1, 0), face(2, 0), face(3, 0)); // thumbnails missing: all 0
        assertThat(PortraitRule.choose(allZero, () -> 2).faceId()).isEqualTo(2).isEqualTo(origin(allZero, 2));
        List<Candidate> tied = List.of(face(1, 5), face(2, 30), face(3, 30), face(4, 1));
        assertThat(PortraitRule.choose(tied, () -> 4).faceId()).isEqualTo(2).isEqualTo(origin(tied, 4));
        assertThat(PortraitRule.choose(tied, () -> 3).faceId()).isEqualTo(3).isEqualTo(origin(tied, 3));
    }

    @Test
    void agreesWithTheOriginsLoopOnRandomPersons() {
        Random r = new Random(7);
        for (int round = 0; round < 500; round++) {
            int n = 1 + r.nextInt(8);
            List<Candidate> faces = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                faces.add(face(i + 1, r.nextInt(4))); // few values: many ties
            }
            long medoid = 1 + r.nextInt(n);
            assertThat(PortraitRule.choose(faces, () -> medoid).faceId()).isEqualTo(origin(faces, medoid));
        }
    }

    @Test
    void theMedoidIsTheFaceClosestOnAverage() {
        Map<Long, float[]> e = new LinkedHashMap<>();
        e.put(1L, new float[] {1f, 0f});
        e.put(2L, new float[] {0.7f, 0.7f}); // between the other two: closest on average
        e.put(3L, new float[] {0f, 2f}); // not unit length: normalised first
        assertThat(PortraitRule.medoid(e)).isEqualTo(2);
        assertThat(PortraitRule.medoid(Map.of())).isEqualTo(-1);
    }

    @Test
    void theIncrementalFormKeepsTheSharpestOverBatches() {
        assertThat(PortraitRule.replaces(face(5, 31), face(2, 30))).isTrue();
        assertThat(PortraitRule.replaces(face(5, 30), face(2, 30)))
                .as("a tie keeps the current portrait")
                .isFalse();
        assertThat(PortraitRule.replaces(face(5, 1), null)).isTrue();
        // batches 1..4 of a person: the incremental form ends where the full rule ends
        List<Candidate> all = List.of(face(1, 3), face(2, 9), face(3, 4), face(4, 12), face(5, 11), face(6, 12));
        Candidate current = PortraitRule.choose(all.subList(0, 2), () -> 1);
        for (Candidate c : all.subList(2, all.size())) {
            if (PortraitRule.replaces(c, current)) {
                current = c;
            }
        }
        assertThat(current.faceId())
                .isEqualTo(PortraitRule.choose(all, () -> 1).faceId())
                .isEqualTo(4);
    }
}
