package io.facerec.clusterer.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SparseAverageLinkageTest {

    static float[][] identities(int n, int people, double noise, long seed) {
        Random r = new Random(seed);
        int d = 128;
        float[][] centres = new float[people][];
        for (int p = 0; p < people; p++) {
            centres[p] = unit(r, null, 1, d);
        }
        float[][] x = new float[n][];
        for (int i = 0; i < n; i++) {
            x[i] = unit(r, centres[i % people], noise, d);
        }
        return x;
    }

    static float[] unit(Random r, float[] around, double noise, int d) {
        float[] v = new float[d];
        double s = 0;
        for (int i = 0; i < d; i++) {
            v[i] = (float) ((around == null ? 0 : around[i]) + noise * r.nextGaussian());
            s += v[i] * v[i];
        }
        for (int i = 0; i < d; i++) {
            v[i] /= (float) Math.sqrt(s);
        }
        return v;
    }

    /** The same partition up to label names: each group of one maps onto one group of the other and back. */
    static void assertSamePartition(int[] a, int[] b) {
        Map<Integer, Integer> ab = new HashMap<>();
        Map<Integer, Integer> ba = new HashMap<>();
        for (int i = 0; i < a.length; i++) {
            assertThat(ab.computeIfAbsent(a[i], k -> bAt(b, a, k))).isEqualTo(b[i]);
            int ai = a[i];
            assertThat(ba.computeIfAbsent(b[i], k -> ai)).isEqualTo(ai);
        }
    }

    /** The label in {@code b} of the first row labelled {@code label} in {@code a}. */
    private static int bAt(int[] b, int[] a, int label) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == label) {
                return b[i];
            }
        }
        throw new IllegalStateException();
    }

    @Test
    void givesTheExactAverageLinkagePartitionOnAGraphOfEnoughNeighbours() {
        float[][] x = identities(1500, 60, 0.07, 3);
        int[] exact = AverageLinkage.cluster(x, 0.45, 2);
        int[] sparse = SparseAverageLinkage.cluster(x, KnnGraph.build(x, 0.3, 32, 3, 1), 0.45, 2);
        assertSamePartition(exact, sparse);
        assertThat(Arrays.stream(sparse).max().getAsInt() + 1).isBetween(55, 65);
    }

    @Test
    void joinsTheTwoPartsOfAPersonWhoseFacesNeverNeighbourEachOther() {
        // one person of 400 faces in two tight parts: each face's 8 nearest lie in its own part, so the graph has no
        // edge between the parts, but their mean similarity is above the cut
        Random r = new Random(5);
        int d = 64;
        float[] c = unit(r, null, 1, d);
        float[] left = unit(r, c, 0.08, d);
        float[] right = unit(r, c, 0.08, d);
        float[][] x = new float[400][];
        for (int i = 0; i < x.length; i++) {
            x[i] = unit(r, i < 200 ? left : right, 0.02, d);
        }
        KnnGraph g = KnnGraph.build(x, 0.5, 8, 3, 1);
        for (int i = 0; i < 200; i++) {
            for (int j : g.neighbours(i)) {
                assertThat(j).as("no edge across the parts").isLessThan(200);
            }
        }
        int[] labels = SparseAverageLinkage.cluster(x, g, 0.5, 2);
        assertThat(labels).containsOnly(labels[0]).doesNotContain(CosineDbscan.NOISE);
    }
}
