package io.facerec.clusterer.cluster;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;

import io.facerec.clusterer.index.SphericalKMeans;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cosine ε-neighbourhoods of many unit vectors, for clustering at library scale (100k faces and more) where the
 * exhaustive n×n comparison of {@link CosineDbscan} and {@link AverageLinkage} no longer fits.
 * <ol>
 *   <li>An inverted file: a few rounds of spherical k-means put the vectors into {@code cells} (default
 *       {@code 2·√n}); each vector also notes its {@code probes} most similar cells.</li>
 *   <li>Each cell's members are compared, as one matrix product (OpenBLAS {@code sgemm}), with every vector that probes
 *       the cell; pairs at or above the similarity are kept, and the graph is made symmetric.</li>
 * </ol>
 * The result is approximate: two vectors whose cells are both outside each other's probes are not compared. Faces of
 * one person are far more similar to each other than to anyone else, so they share or neighbour cells; the benchmark
 * ({@code ClusteringScaleBench}) reports the recall against the exhaustive search next to the timings.
 */
public final class IvfNeighbourhoods {
    private static final int ROW_BLOCK = 2048;

    private IvfNeighbourhoods() {}

    /**
     * @param x unit vectors, all of one dimension
     * @param minSimilarity keep pairs with cosine similarity at or above this ({@code 1 - eps})
     * @param cells number of k-means cells; 0 = {@code 2·√n}
     * @param probes cells each vector is compared with (its most similar ones)
     * @return for each vector, its neighbours' indices (itself excluded), ascending
     */
    public static int[][] neighbours(float[][] x, double minSimilarity, int cells, int probes, long seed) {
        int n = x.length;
        if (n == 0) {
            return new int[0][];
        }
        int d = x[0].length;
        int c = Math.max(1, Math.min(n, cells > 0 ? cells : (int) Math.round(2 * Math.sqrt(n))));
        int p = Math.max(1, Math.min(probes, c));
        float[] data = new float[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(x[i], 0, data, i * d, d);
        }
        // spherical k-means (three rounds), seeded from random members, then each vector's p best cells
        float[] centroids = SphericalKMeans.train(data, n, d, c, 3, seed);
        int[][] top = SphericalKMeans.topCells(data, n, d, centroids, c, p);
        // cell members (by the best cell) and the vectors that probe each cell
        List<List<Integer>> members = new ArrayList<>();
        List<List<Integer>> probing = new ArrayList<>();
        for (int k = 0; k < c; k++) {
            members.add(new ArrayList<>());
            probing.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            members.get(top[i][0]).add(i);
            for (int k : top[i]) {
                probing.get(k).add(i);
            }
        }
        IntLists adj = new IntLists(n);
        float threshold = (float) minSimilarity;
        for (int k = 0; k < c; k++) {
            int[] m = members.get(k).stream().mapToInt(Integer::intValue).toArray();
            int[] q = probing.get(k).stream().mapToInt(Integer::intValue).toArray();
            if (m.length == 0 || q.length == 0) {
                continue;
            }
            float[] mRows = gather(data, d, m);
            for (int from = 0; from < q.length; from += ROW_BLOCK) {
                int rows = Math.min(ROW_BLOCK, q.length - from);
                float[] qRows = gather(data, d, Arrays.copyOfRange(q, from, from + rows));
                float[] sims = new float[rows * m.length];
                cblas_sgemm(
                        CblasRowMajor,
                        CblasNoTrans,
                        CblasTrans,
                        rows,
                        m.length,
                        d,
                        1f,
                        qRows,
                        d,
                        mRows,
                        d,
                        0f,
                        sims,
                        m.length);
                for (int a = 0; a < rows; a++) {
                    int i = q[from + a];
                    for (int b = 0; b < m.length; b++) {
                        if (sims[a * m.length + b] >= threshold && m[b] != i) {
                            adj.add(i, m[b]);
                            adj.add(m[b], i);
                        }
                    }
                }
            }
        }
        return adj.sortedUnique();
    }

    private static float[] gather(float[] data, int d, int[] rows) {
        float[] out = new float[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(data, rows[i] * d, out, i * d, d);
        }
        return out;
    }

    /** DBSCAN on a neighbour graph: core when {@code degree + 1 >= minSamples}; -1 = noise (as sklearn labels). */
    public static int[] dbscan(int[][] neighbours, int minSamples) {
        int n = neighbours.length;
        int[] label = new int[n];
        Arrays.fill(label, -2); // unvisited
        int next = 0;
        int[] stack = new int[n];
        for (int s = 0; s < n; s++) {
            if (label[s] != -2 || neighbours[s].length + 1 < minSamples) {
                continue;
            }
            int cluster = next++;
            int top = 0;
            stack[top++] = s;
            label[s] = cluster;
            while (top > 0) {
                int v = stack[--top];
                if (neighbours[v].length + 1 < minSamples) {
                    continue; // border point: in the cluster, does not expand it
                }
                for (int w : neighbours[v]) {
                    if (label[w] == -2 || label[w] == -1) {
                        boolean unvisited = label[w] == -2;
                        label[w] = cluster;
                        if (unvisited) {
                            stack[top++] = w;
                        }
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (label[i] == -2) {
                label[i] = -1;
            }
        }
        return label;
    }

    /** Growable int lists without boxing. */
    private static final class IntLists {
        private final int[][] data;
        private final int[] size;

        IntLists(int n) {
            data = new int[n][];
            size = new int[n];
        }

        void add(int i, int v) {
            if (data[i] == null) {
                data[i] = new int[4];
            } else if (size[i] == data[i].length) {
                data[i] = Arrays.copyOf(data[i], size[i] * 2);
            }
            data[i][size[i]++] = v;
        }

        int[][] sortedUnique() {
            int[][] out = new int[data.length][];
            for (int i = 0; i < data.length; i++) {
                if (data[i] == null) {
                    out[i] = new int[0];
                    continue;
                }
                int[] a = Arrays.copyOf(data[i], size[i]);
                Arrays.sort(a);
                int u = 0;
                for (int j = 0; j < a.length; j++) {
                    if (j == 0 || a[j] != a[j - 1]) {
                        a[u++] = a[j];
                    }
                }
                out[i] = Arrays.copyOf(a, u);
                data[i] = null;
            }
            return out;
        }
    }
}
