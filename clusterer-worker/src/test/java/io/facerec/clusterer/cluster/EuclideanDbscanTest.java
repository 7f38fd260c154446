package io.facerec.clusterer.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EuclideanDbscanTest {

    @Test
    void gridNeighbourhoodsEqualAllPairs() {
        Random r = new Random(5);
        float[][] y = new float[600][2];
        for (float[] p : y) {
            p[0] = (float) (r.nextGaussian() * 3);
            p[1] = (float) (r.nextDouble() * 10 - 20);
        }
        for (double eps : new double[] {0.05, 0.3, 1.0, 7.0}) {
            int[][] grid = EuclideanDbscan.neighbours(y, eps);
            for (int i = 0; i < y.length; i++) {
                int m = 0;
                int[] expected = new int[y.length];
                for (int j = 0; j < y.length; j++) {
                    double dx = (double) y[i][0] - y[j][0];
                    double dy = (double) y[i][1] - y[j][1];
                    if (dx * dx + dy * dy <= eps * eps) {
                        expected[m++] = j;
                    }
                }
                assertThat(grid[i]).containsExactly(Arrays.copyOf(expected, m));
            }
        }
    }

    @Test
    void scikitLearnSemantics() {
        // the boundary counts, the point itself counts towards minSamples
        float[][] pair = {{0, 0}, {0.5f, 0}};
        assertThat(EuclideanDbscan.cluster(pair, 0.5, 2)).containsExactly(0, 0);
        assertThat(EuclideanDbscan.cluster(pair, 0.49, 2)).containsExactly(-1, -1);
        assertThat(EuclideanDbscan.cluster(pair, 0.5, 3)).containsExactly(-1, -1);
        // two blobs and a lone point
        float[][] y = {{0, 0}, {0.1f, 0}, {0, 0.1f}, {5, 5}, {5.1f, 5}, {5, 5.1f}, {20, 0}};
        assertThat(EuclideanDbscan.cluster(y, 0.2, 3)).containsExactly(0, 0, 0, 1, 1, 1, -1);
        assertThat(EuclideanDbscan.cluster(new float[0][2], 0.2, 2)).isEmpty();
    }
}
