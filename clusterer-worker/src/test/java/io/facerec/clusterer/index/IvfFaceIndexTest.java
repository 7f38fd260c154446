package io.facerec.clusterer.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IvfFaceIndexTest {
    static final int DIM = 64;

    static float[] unit(Random r, float[] around, double noise) {
        return FaceVectorIndexTest.unit(r, around, noise);
    }

    /** Exact nearest face of a query among the entries. */
    static FaceIndex.Entry exact(List<FaceIndex.Entry> all, float[] q) {
        FaceIndex.Entry best = null;
        double bestSim = -2;
        for (FaceIndex.Entry e : all) {
            double s = 0;
            for (int i = 0; i < DIM; i++) {
                s += q[i] * e.embedding()[i];
            }
            if (s > bestSim) {
                bestSim = s;
                best = e;
            }
        }
        return best;
    }

    @Test
    void smallIndexIsAnExactScan() {
        Random r = new Random(3);
        float[][] c = FaceVectorIndexTest.centres(r);
        List<FaceIndex.Entry> all = FaceVectorIndexTest.faces(r, c);
        try (IvfFaceIndex index = new IvfFaceIndex()) {
            for (FaceIndex.Entry e : all) {
                index.upsert(e.faceId(), e.personId(), e.embedding());
            }
            assertThat(index.cells()).isEqualTo(1);
            assertThat(index.size()).isEqualTo(600);
            for (int i = 0; i < 50; i++) {
                float[] q = unit(r, c[i % c.length], 0.08);
                List<FaceIndex.Hit> hits = index.nearest(q, 16);
                assertThat(hits).hasSize(16);
                assertThat(hits.get(0).faceId()).isEqualTo(exact(all, q).faceId());
                assertThat(hits.get(0).similarity()).isGreaterThanOrEqualTo(hits.get(15).similarity());
            }
        }
    }

    @Test
    void cellsFindTheNearestFaceAndFollowUpdates() {
        Random r = new Random(4);
        float[][] c = new float[400][];
        for (int i = 0; i < c.length; i++) {
            c[i] = unit(r, null, 1);
        }
        List<FaceIndex.Entry> all = new ArrayList<>();
        for (int i = 0; i < 8000; i++) {
            all.add(new FaceIndex.Entry(10_000 + i, 1 + i % c.length, unit(r, c[i % c.length], 0.1)));
        }
        try (IvfFaceIndex index = new IvfFaceIndex(8)) {
            index.upsertAll(all.subList(0, 4000), 2); // trained on the first half
            int cellsBefore = index.cells();
            assertThat(cellsBefore).isGreaterThan(1);
            for (FaceIndex.Entry e : all.subList(4000, 8000)) { // the rest streams in, then the index retrains
                index.upsert(e.faceId(), e.personId(), e.embedding());
            }
            assertThat(index.size()).isEqualTo(8000);
            int same = 0;
            for (int i = 0; i < 200; i++) {
                float[] q = unit(r, c[r.nextInt(c.length)], 0.1);
                same += index.nearest(q, 16).get(0).faceId() == exact(all, q).faceId() ? 1 : 0;
            }
            assertThat(same).as("nearest face found, of 200").isGreaterThanOrEqualTo(196);

            FaceIndex.Entry e = all.get(1234);
            assertThat(index.nearest(e.embedding(), 1).get(0).faceId()).isEqualTo(e.faceId());
            index.upsert(e.faceId(), 999, e.embedding());
            assertThat(index.nearest(e.embedding(), 1).get(0).personId()).isEqualTo(999);
            index.remove(e.faceId());
            assertThat(index.nearest(e.embedding(), 1).get(0).faceId()).isNotEqualTo(e.faceId());
            Map<Long, Long> a = index.assignments();
            assertThat(a).hasSize(7999).doesNotContainKey(e.faceId()).containsEntry(10_000L, 1L);
            assertThat(index.assignments()).hasSize(7999);
            for (int i = 0; i < 500; i++) { // many removals: rows move within their cells, emptied blocks go
                index.remove(all.get(i).faceId());
            }
            assertThat(index.size()).isEqualTo(7499);
            // every face still at its recorded place: each one finds itself
            for (int i = 500; i < 8000; i += 97) {
                if (i != 1234) {
                    assertThat(index.nearest(all.get(i).embedding(), 1).get(0).faceId()).isEqualTo(all.get(i).faceId());
                }
            }
            assertThat(index.hasUncommittedChanges()).isTrue();
            index.commit("fp");
            assertThat(index.fingerprint()).isEqualTo("fp");
            assertThat(index.hasUncommittedChanges()).isFalse();
        }
    }
}
