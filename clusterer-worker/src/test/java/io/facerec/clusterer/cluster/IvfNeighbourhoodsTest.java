package io.facerec.clusterer.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IvfNeighbourhoodsTest {
    static float[] unit(Random r, float[] around, double noise, int dim) {
        float[] v = new float[dim];
        double s = 0;
        for (int i = 0; i < dim; i++) {
            v[i] = (float) ((around == null ? r.nextGaussian() : around[i] + noise * r.nextGaussian()));
            s += v[i] * v[i];
        }
        for (int i = 0; i < dim; i++) {
            v[i] /= (float) Math.sqrt(s);
        }
        return v;
    }

    static float[][] identities(int n, int people, long seed) {
        Random r = new Random(seed);
        float[][] c = new float[people][];
        for (int k = 0; k < people; k++) {
            c[k] = unit(r, null, 0, 128);
        }
        float[][] x = new float[n][];
        for (int i = 0; i < n; i++) {
            x[i] = unit(r, c[i % people], 0.7 / Math.sqrt(128), 128);
        }
        return x;
    }

    @Test
    void findsTheSameNeighboursAsTheExhaustiveSearchOnIdentityData() {
        float[][] x = identities(2000, 200, 1);
        int[][] nb = IvfNeighbourhoods.neighbours(x, 0.5, 0, 3, 1);
        long expected = 0;
        long found = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x.length; j++) {
                if (i != j && CosineDbscan.dot(x[i], x[j]) >= 0.5) {
                    expected++;
                    found += Arrays.binarySearch(nb[i], j) >= 0 ? 1 : 0;
                }
            }
            for (int j : nb[i]) {
                assertThat(CosineDbscan.dot(x[i], x[j]))
                        .as("only pairs at the similarity")
                        .isGreaterThanOrEqualTo(0.5 - 1e-5);
                assertThat(Arrays.binarySearch(nb[j], i)).as("symmetric").isGreaterThanOrEqualTo(0);
            }
        }
        assertThat(expected).isPositive();
        assertThat((double) found / expected).as("recall").isGreaterThan(0.98);
    }

    @Test
    void dbscanOnTheGraphGroupsLikeTheExhaustiveDbscan() {
        float[][] x = identities(2000, 200, 2);
        int[] ivf = IvfNeighbourhoods.dbscan(IvfNeighbourhoods.neighbours(x, 0.5, 0, 4, 3), 3);
        int[] exact = CosineDbscan.cluster(x, 0.5, 3);
        // same partition up to label names
        Map<Integer, Integer> map = new HashMap<>();
        int agree = 0;
        for (int i = 0; i < x.length; i++) {
            if (ivf[i] == -1 || exact[i] == -1) {
                agree += ivf[i] == exact[i] ? 1 : 0;
                continue;
            }
            Integer m = map.putIfAbsent(exact[i], ivf[i]);
            agree += m == null || m == ivf[i] ? 1 : 0;
        }
        assertThat((double) agree / x.length).isGreaterThan(0.99);
    }

    @Test
    void isolatedPointsAreNoise() {
        float[][] x = identities(50, 50, 4); // 50 people, one face each
        int[] labels = IvfNeighbourhoods.dbscan(IvfNeighbourhoods.neighbours(x, 0.5, 0, 3, 1), 2);
        assertThat(labels).containsOnly(-1);
    }
}
