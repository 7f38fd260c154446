package io.facerec.clusterer.index;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;

import java.util.Arrays;
import java.util.Random;

/**
 * Spherical k-means on unit vectors (cosine similarity), similarities by OpenBLAS in blocks: the cells of
 * {@link IvfFaceIndex} and {@code IvfNeighbourhoods}.
 */
public final class SphericalKMeans {
    private static final int ROW_BLOCK = 2048;

    private SphericalKMeans() {}

    /**
     * Unit centroids ({@code c x d}, row-major) of the {@code n} rows of {@code data}, seeded from random rows; empty
     * cells are reseeded.
     *
     * @param rounds assignment/update rounds
     */
    public static float[] train(float[] data, int n, int d, int c, int rounds, long seed) {
        Random rnd = new Random(seed);
        float[] centroids = new float[c * d];
        int[] order = shuffled(n, rnd);
        for (int k = 0; k < c; k++) {
            System.arraycopy(data, order[k % n] * d, centroids, k * d, d);
        }
        for (int round = 0; round < rounds; round++) {
            int[][] top = topCells(data, n, d, centroids, c, 1);
            float[] sum = new float[c * d];
            int[] count = new int[c];
            for (int i = 0; i < n; i++) {
                int k = top[i][0];
                count[k]++;
                for (int j = 0; j < d; j++) {
                    sum[k * d + j] += data[i * d + j];
                }
            }
            for (int k = 0; k < c; k++) {
                if (count[k] == 0) {
                    System.arraycopy(data, order[rnd.nextInt(n)] * d, sum, k * d, d); // empty cell: reseed
                }
                double norm = 0;
                for (int j = 0; j < d; j++) {
                    norm += (double) sum[k * d + j] * sum[k * d + j];
                }
                float inv = norm == 0 ? 0 : (float) (1 / Math.sqrt(norm));
                for (int j = 0; j < d; j++) {
                    centroids[k * d + j] = sum[k * d + j] * inv;
                }
            }
        }
        return centroids;
    }

    /** Each row's {@code p} most similar centroids, best first. */
    public static int[][] topCells(float[] data, int n, int d, float[] centroids, int c, int p) {
        int[][] top = new int[n][p];
        for (int from = 0; from < n; from += ROW_BLOCK) {
            int rows = Math.min(ROW_BLOCK, n - from);
            float[] sims = new float[rows * c];
            float[] block = Arrays.copyOfRange(data, from * d, (from + rows) * d);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, c, d, 1f, block, d, centroids, d, 0f, sims, c);
            for (int a = 0; a < rows; a++) {
                top[from + a] = best(sims, a * c, c, p);
            }
        }
        return top;
    }

    /** Indices of the {@code p} largest of {@code sims[off .. off + c)}, largest first. */
    static int[] best(float[] sims, int off, int c, int p) {
        int[] best = new int[p];
        float[] bestSim = new float[p];
        Arrays.fill(bestSim, Float.NEGATIVE_INFINITY);
        for (int k = 0; k < c; k++) {
            float s = sims[off + k];
            if (s > bestSim[p - 1]) {
                int j = p - 1;
                while (j > 0 && bestSim[j - 1] < s) {
                    bestSim[j] = bestSim[j - 1];
                    best[j] = best[j - 1];
                    j--;
                }
                bestSim[j] = s;
                best[j] = k;
            }
        }
        return best;
    }

    public static int[] shuffled(int n, Random rnd) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
