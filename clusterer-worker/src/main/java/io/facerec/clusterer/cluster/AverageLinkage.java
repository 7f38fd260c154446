package io.facerec.clusterer.cluster;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;

import java.util.Arrays;

/**
 * Agglomerative clustering with average linkage on cosine similarity, cut at a similarity threshold: two groups are
 * one person when the mean similarity over all their cross pairs reaches {@code minSimilarity}. The dendrogram is
 * built with the nearest-neighbour-chain algorithm (O(n^2) time, one n x n float matrix of similarities computed by
 * OpenBLAS); average linkage is
 * monotone, so applying every merge at or above the threshold gives the flat cut. Groups smaller than {@code minSize}
 * are noise ({@code -1}).
 */
public final class AverageLinkage {
    private AverageLinkage() {}

    /** Rows of the similarity matrix computed per OpenBLAS {@code sgemm} call. */
    private static final int ROW_BLOCK = 1024;

    /**
     * All pairwise dot products as a symmetric n x n matrix (diagonal 0, unused), by OpenBLAS {@code sgemm} in blocks of
     * rows (ten times faster than the Java loop it replaced for the whole clustering of 10,000 faces, see
     * {@code PoolClusteringBench}).
     */
    public static float[][] similarities(float[][] x) {
        int n = x.length;
        int d = x[0].length;
        float[] all = new float[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(x[i], 0, all, i * d, d);
        }
        float[][] s = new float[n][];
        float[] block = new float[Math.min(ROW_BLOCK, n) * n];
        for (int from = 0; from < n; from += ROW_BLOCK) {
            int rows = Math.min(ROW_BLOCK, n - from);
            float[] q = Arrays.copyOfRange(all, from * d, (from + rows) * d);
            org.bytedeco.openblas.global.openblas.cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans, rows, n, d, 1f, q, d, all, d, 0f, block, n);
            for (int r = 0; r < rows; r++) {
                s[from + r] = Arrays.copyOfRange(block, r * n, (r + 1) * n);
            }
        }
        for (int i = 0; i < n; i++) { // one value per pair, whichever order the kernel summed in
            s[i][i] = 0;
            for (int j = i + 1; j < n; j++) {
                s[j][i] = s[i][j];
            }
        }
        return s;
    }

    /**
     * As {@link #cluster} for a neighbourhood where most faces are alone (the streaming clusterer's pool around a
     * batch): a face with no other face at or above the cut can join no group (a group's mean similarity to it is below
     * the cut when every member's is), so the linkage runs on the faces that have such a pair only. Same labels as
     * {@link #cluster}; the matrix of the linked faces is all it builds beyond the similarities.
     */
    public static int[] clusterLinked(float[][] x, double minSimilarity, int minSize) {
        int n = x.length;
        int[] labels = new int[n];
        Arrays.fill(labels, CosineDbscan.NOISE);
        if (n < 2) {
            return minSize <= 1 && n == 1 ? new int[] {0} : labels;
        }
        float[][] s = similarities(x);
        int[] linked = new int[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (j != i && s[i][j] >= minSimilarity) {
                    linked[m++] = i;
                    break;
                }
            }
        }
        if (m < 2) {
            if (minSize <= 1) {
                for (int i = 0; i < n; i++) {
                    labels[i] = i;
                }
            }
            return labels;
        }
        float[][] sub = new float[m][m];
        for (int a = 0; a < m; a++) {
            for (int b = 0; b < m; b++) {
                sub[a][b] = s[linked[a]][linked[b]];
            }
        }
        int[] subLabels = clusterSimilarities(sub, minSimilarity, minSize);
        int next = 0;
        for (int a = 0; a < m; a++) {
            labels[linked[a]] = subLabels[a];
            next = Math.max(next, subLabels[a] + 1);
        }
        if (minSize <= 1) {
            for (int i = 0; i < n; i++) {
                if (labels[i] == CosineDbscan.NOISE) {
                    labels[i] = next++;
                }
            }
        }
        return labels;
    }

    public static int[] cluster(float[][] x, double minSimilarity, int minSize) {
        int n = x.length;
        if (n == 0) {
            return new int[0];
        }
        return clusterSimilarities(similarities(x), minSimilarity, minSize);
    }

    /**
     * As {@link #cluster(float[][], double, int)} on a symmetric similarity matrix, which it overwrites (the merged
     * groups' average similarities).
     */
    public static int[] clusterSimilarities(float[][] s, double minSimilarity, int minSize) {
        int n = s.length;
        int[] size = new int[n];
        Arrays.fill(size, 1);
        boolean[] active = new boolean[n];
        Arrays.fill(active, true);
        int[] uf = new int[n];
        for (int i = 0; i < n; i++) {
            uf[i] = i;
        }
        int[] chain = new int[n];
        int top = 0;
        for (int merges = 0; merges < n - 1; ) {
            if (top == 0) {
                for (int i = 0; i < n; i++) {
                    if (active[i]) {
                        chain[top++] = i;
                        break;
                    }
                }
            }
            int a = chain[top - 1];
            int prev = top > 1 ? chain[top - 2] : -1;
            int best = -1;
            float bestSim = Float.NEGATIVE_INFINITY;
            if (prev >= 0) {
                best = prev;
                bestSim = s[a][prev];
            }
            for (int k = 0; k < n; k++) {
                if (k != a && active[k] && s[a][k] > bestSim) {
                    bestSim = s[a][k];
                    best = k;
                }
            }
            if (best != prev) {
                chain[top++] = best;
                continue;
            }
            top -= 2;
            // a and prev are reciprocal nearest neighbours: merge prev into a
            for (int k = 0; k < n; k++) {
                if (active[k] && k != a && k != best) {
                    float v = (size[a] * s[a][k] + size[best] * s[best][k]) / (size[a] + size[best]);
                    s[a][k] = v;
                    s[k][a] = v;
                }
            }
            size[a] += size[best];
            active[best] = false;
            merges++;
            if (bestSim >= minSimilarity) {
                uf[find(uf, best)] = find(uf, a);
            }
        }
        int[] count = new int[n];
        for (int i = 0; i < n; i++) {
            count[find(uf, i)]++;
        }
        int[] id = new int[n];
        Arrays.fill(id, -1);
        int next = 0;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int r = find(uf, i);
            if (count[r] < minSize) {
                labels[i] = CosineDbscan.NOISE;
            } else {
                if (id[r] < 0) {
                    id[r] = next++;
                }
                labels[i] = id[r];
            }
        }
        return labels;
    }

    private static int find(int[] uf, int i) {
        while (uf[i] != i) {
            uf[i] = uf[uf[i]];
            i = uf[i];
        }
        return i;
    }
}
