package io.facerec.clusterer.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IncrementalClusteringTest {
    static float[] unit(Random r, float[] around, double noise) {
        float[] v = new float[64];
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((around == null ? 0 : around[i]) + noise * r.nextGaussian());
            s += v[i] * v[i];
        }
        for (int i = 0; i < v.length; i++) {
            v[i] /= (float) Math.sqrt(s);
        }
        return v;
    }

    static IncrementalClustering clustering() {
        return new IncrementalClustering(new IncrementalClustering.Settings(0.5, 0.5, 2, 0.45, 8), 8, 8);
    }

    /** A pool of 3,000 faces of 600 people, and a batch with a new face of 20 of them. */
    @Test
    void warmingUpChangesNothingAndThePlanAfterItIsTheSame() {
        Random r = new Random(3);
        float[][] people = new float[600][];
        for (int p = 0; p < people.length; p++) {
            people[p] = unit(r, null, 1);
        }
        List<IncrementalClustering.Face> pool = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            pool.add(new IncrementalClustering.Face(i, "p" + i + ":0", unit(r, people[i % 600], 0.05)));
        }
        List<IncrementalClustering.Face> batch = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            batch.add(new IncrementalClustering.Face(10_000 + i, "q" + i + ":0", unit(r, people[i], 0.05)));
        }
        IncrementalClustering cold = clustering();
        cold.addToPool(pool);
        IncrementalClustering warm = clustering();
        warm.addToPool(pool);
        Set<String> asked = new HashSet<>();
        int run = warm.warmUp(20, 50, slots -> {
            asked.addAll(slots);
            return Map.of();
        });

        assertThat(run).isEqualTo(20);
        assertThat(asked)
                .as("the warm-up asks for the persons of pool photos")
                .isNotEmpty()
                .allMatch(s -> s.startsWith("p"));
        assertThat(warm.poolSize()).isEqualTo(3000);
        assertThat(warm.persons().size()).isZero();
        IncrementalClustering.Plan a = cold.place(batch, IncrementalClustering.SlotPersons.NONE);
        IncrementalClustering.Plan b = warm.place(batch, IncrementalClustering.SlotPersons.NONE);
        assertThat(b.newPersons()).isEqualTo(a.newPersons()).isNotEmpty();
        assertThat(b.unassigned()).isEqualTo(a.unassigned());
        assertThat(b.matches()).isEqualTo(a.matches());
        assertThat(clustering().warmUp(20, 50, IncrementalClustering.SlotPersons.NONE))
                .as("nothing to warm up on an empty pool")
                .isZero();
    }
}
