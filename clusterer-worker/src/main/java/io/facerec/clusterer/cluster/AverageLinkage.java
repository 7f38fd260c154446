package io.facerec.clusterer.cluster;

import java.util.Arrays;

/**
 * Agglomerative clustering with average linkage on cosine similarity, cut at a similarity threshold: two groups are
 * one person when the mean similarity over all their cross pairs reaches {@code minSimilarity}. The dendrogram is
 * built with the nearest-neighbour-chain algorithm (O(n^2) time, one n x n float matrix); average linkage is
 * monotone, so applying every merge at or above the threshold gives the flat cut. Groups smaller than {@code minSize}
 * are noise ({@code -1}).
 */
public final class AverageLinkage {
    private AverageLinkage() {
    }

    public static int[] cluster(float[][] x, double minSimilarity, int minSize) {
        int n = x.length;
        if (n == 0) {
            return new int[0];
        }
        float[][] s = new float[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                float v = (float) CosineDbscan.dot(x[i], x[j]);
                s[i][j] = v;
                s[j][i] = v;
            }
        }
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
