package io.facerec.clusterer.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaceVectorIndexTest {
    static final int DIM = 64;

    static float[] unit(Random r, float[] around, double noise) {
        float[] v = new float[DIM];
        double s = 0;
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) ((around == null ? 0 : around[i]) + noise * r.nextGaussian());
            s += v[i] * v[i];
        }
        for (int i = 0; i < DIM; i++) {
            v[i] /= (float) Math.sqrt(s);
        }
        return v;
    }

    /** 30 persons of 20 faces each, face id = 1000 + index, person id = 1 + index % 30. */
    static List<FaceIndex.Entry> faces(Random r, float[][] centres) {
        List<FaceIndex.Entry> out = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            out.add(new FaceIndex.Entry(1000 + i, 1 + i % centres.length, unit(r, centres[i % centres.length], 0.08)));
        }
        return out;
    }

    static float[][] centres(Random r) {
        float[][] c = new float[30][];
        for (int i = 0; i < c.length; i++) {
            c[i] = unit(r, null, 1);
        }
        return c;
    }

    @Test
    void findsTheNearestPersonWithItsSimilarity() {
        Random r = new Random(1);
        float[][] c = centres(r);
        try (FaceVectorIndex index = new FaceVectorIndex(null)) {
            List<FaceIndex.Entry> all = faces(r, c);
            // two commits, two segments: two graphs searched in parallel and merged
            index.upsertAll(all.subList(0, 300), 2);
            index.commit("half");
            index.upsertAll(all.subList(300, 600), 2);
            index.commit("all");
            assertThat(index.segments()).isGreaterThanOrEqualTo(2);
            assertThat(index.size()).isEqualTo(600);
            for (int p = 0; p < c.length; p++) {
                List<FaceIndex.Hit> hits = index.nearest(unit(r, c[p], 0.08), 5);
                assertThat(hits).hasSize(5);
                assertThat(hits.get(0).personId()).isEqualTo(p + 1);
                assertThat(hits.get(0).similarity()).isGreaterThanOrEqualTo(hits.get(4).similarity());
            }
            // the similarity is the cosine of the stored vector
            FaceIndex.Entry e = all.get(17);
            FaceIndex.Hit self = index.nearest(e.embedding(), 1).get(0);
            assertThat(self.faceId()).isEqualTo(e.faceId());
            assertThat(self.similarity()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
            // a replaced face moves, a removed one is gone
            index.upsert(e.faceId(), 99, e.embedding());
            assertThat(index.nearest(e.embedding(), 1).get(0).personId()).isEqualTo(99);
            index.remove(e.faceId());
            assertThat(index.nearest(e.embedding(), 1).get(0).faceId()).isNotEqualTo(e.faceId());
            assertThat(index.size()).isEqualTo(599);
        }
    }

    @Test
    void persistsFacesAndTheFingerprintAcrossRestarts(@TempDir Path dir) {
        Random r = new Random(2);
        float[][] c = centres(r);
        List<FaceIndex.Entry> all = faces(r, c);
        try (FaceVectorIndex index = new FaceVectorIndex(dir)) {
            assertThat(index.fingerprint()).isNull();
            index.upsertAll(all, 2);
            assertThat(index.hasUncommittedChanges()).isTrue();
            index.commit("600/t/42");
            assertThat(index.hasUncommittedChanges()).isFalse();
            index.upsert(5000, 7, all.get(0).embedding()); // never committed with a fingerprint
        }
        try (FaceVectorIndex index = new FaceVectorIndex(dir)) {
            // closed with changes nobody vouched for: the fingerprint is gone, so the owner reconciles
            assertThat(index.fingerprint()).isNull();
            Map<Long, Long> a = index.assignments();
            assertThat(a).hasSize(601).containsEntry(1000L, 1L).containsEntry(1029L, 30L).containsEntry(5000L, 7L);
            index.remove(5000);
            index.commit("600/t/42");
        }
        try (FaceVectorIndex index = new FaceVectorIndex(dir)) {
            assertThat(index.fingerprint()).isEqualTo("600/t/42");
            assertThat(index.size()).isEqualTo(600);
            assertThat(index.nearest(all.get(3).embedding(), 1).get(0).faceId()).isEqualTo(all.get(3).faceId());
            index.merge(1);
            assertThat(index.segments()).isEqualTo(1);
            assertThat(index.fingerprint()).isEqualTo("600/t/42");
        }
    }
}
