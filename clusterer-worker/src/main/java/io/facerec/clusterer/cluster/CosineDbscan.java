package io.facerec.clusterer.cluster;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * DBSCAN with cosine distance ({@code 1 - cos}) on L2-normalised vectors, the semantics of scikit-learn's
 * {@code DBSCAN(metric='cosine')}: a point is core when at least {@code minSamples} points (itself included) lie within
 * {@code eps}; clusters grow from core points; the rest is noise ({@code -1}). Neighbourhoods come from blocked dot
 * products, O(n^2) time and O(n * neighbours) memory.
 */
public final class CosineDbscan {
    public static final int NOISE = -1;

    private CosineDbscan() {}

    /**
     * From this many faces on, the ε-neighbourhoods come from {@link IvfNeighbourhoods} (k-means cells + OpenBLAS,
     * approximate: 100k faces in 8 s instead of sklearn's 146 s, neighbour recall 0.95, see README "Results") instead
     * of the exhaustive n×n comparison (O(n²): hours at 100k).
     */
    public static final int APPROXIMATE_AT = 20_000;
    /** Cells each face is compared with on the approximate path (as benchmarked by {@code ClusteringScaleBench}). */
    static final int APPROXIMATE_PROBES = 3;

    /** @return a label per row: 0..k-1, or {@link #NOISE} */
    public static int[] cluster(float[][] x, double eps, int minSamples) {
        if (x.length >= APPROXIMATE_AT) {
            return IvfNeighbourhoods.dbscan(
                    IvfNeighbourhoods.neighbours(x, 1.0 - eps, 0, APPROXIMATE_PROBES, 1), minSamples);
        }
        return expand(neighbours(x, 1.0 - eps), minSamples);
    }

    /**
     * DBSCAN's cluster growth over given neighbourhoods (each including the point itself), shared with
     * {@link EuclideanDbscan}: clusters are numbered in the order of their first core point; a border point reachable
     * from several clusters stays with the first, as in scikit-learn.
     */
    static int[] expand(int[][] neighbours, int minSamples) {
        int n = neighbours.length;
        int[] labels = new int[n];
        Arrays.fill(labels, Integer.MIN_VALUE);
        int next = 0;
        Deque<Integer> queue = new ArrayDeque<>();
        for (int i = 0; i < n; i++) {
            if (labels[i] != Integer.MIN_VALUE) {
                continue;
            }
            if (neighbours[i].length < minSamples) {
                labels[i] = NOISE;
                continue;
            }
            int c = next++;
            labels[i] = c;
            queue.clear();
            for (int j : neighbours[i]) {
                queue.add(j);
            }
            while (!queue.isEmpty()) {
                int j = queue.poll();
                if (labels[j] == NOISE) {
                    labels[j] = c; // border point
                }
                if (labels[j] != Integer.MIN_VALUE) {
                    continue;
                }
                labels[j] = c;
                if (neighbours[j].length >= minSamples) {
                    for (int k : neighbours[j]) {
                        if (labels[k] == Integer.MIN_VALUE || labels[k] == NOISE) {
                            queue.add(k);
                        }
                    }
                }
            }
        }
        return labels;
    }

    /** DBSCAN on a k-NN graph whose edges are the pairs within {@code eps} (at library scale). */
    static int[] onGraph(KnnGraph graph, int minSamples) {
        int[][] neighbours = new int[graph.size()][];
        for (int i = 0; i < neighbours.length; i++) {
            neighbours[i] = graph.neighbours(i);
        }
        return IvfNeighbourhoods.dbscan(neighbours, minSamples);
    }

    /** Indices of all rows with {@code cos >= minSimilarity}, each row's list including itself. */
    static int[][] neighbours(float[][] x, double minSimilarity) {
        int n = x.length;
        int[][] out = new int[n][];
        int[] buf = new int[n];
        for (int i = 0; i < n; i++) {
            float[] a = x[i];
            int m = 0;
            for (int j = 0; j < n; j++) {
                if (dot(a, x[j]) >= minSimilarity || i == j) {
                    buf[m++] = j;
                }
            }
            out[i] = Arrays.copyOf(buf, m);
        }
        return out;
    }

    public static double dot(float[] a, float[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += a[k] * b[k];
        }
        return s;
    }
}
