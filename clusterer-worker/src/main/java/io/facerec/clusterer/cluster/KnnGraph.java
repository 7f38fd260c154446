package io.facerec.clusterer.cluster;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;

import io.facerec.clusterer.index.SphericalKMeans;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The k most similar faces of every face, at or above a similarity, for clustering a whole library at once
 * ({@code --recluster} of a million faces) in memory that grows with {@code n·k}, not {@code n²}.
 * <ol>
 *   <li>Spherical k-means puts the vectors into about {@code 2·√n} cells; each vector notes its {@code probes} most
 *       similar cells.</li>
 *   <li>Each cell's members are compared, as one OpenBLAS {@code sgemm} per block, with every vector that probes the
 *       cell; a pair at or above the similarity is offered to both ends' lists, which keep their best {@code k}.</li>
 * </ol>
 * Approximate: two vectors whose cells are outside each other's probes are not compared. Faces of one person are far
 * more similar to each other than to anyone else, so they share or neighbour cells ({@code ClusteringScaleBench} and
 * {@code bench/library.sh} report recall and quality).
 */
public final class KnnGraph {
    private static final int ROW_BLOCK = 2048;
    /** Below this many vectors there is one cell: an exact search. */
    static final int EXACT_BELOW = 4_000;

    private final int[][] neighbours;
    private final float[][] similarities;

    private KnnGraph(int[][] neighbours, float[][] similarities) {
        this.neighbours = neighbours;
        this.similarities = similarities;
    }

    /** Each row's neighbours (itself excluded), most similar first. */
    public int[] neighbours(int i) {
        return neighbours[i];
    }

    /** The similarities of {@link #neighbours(int)}, in the same order. */
    public float[] similarities(int i) {
        return similarities[i];
    }

    public int size() {
        return neighbours.length;
    }

    /** Edges (each pair once or twice, as the lists hold it). */
    public long edges() {
        long e = 0;
        for (int[] n : neighbours) {
            e += n.length;
        }
        return e;
    }

    /**
     * @param x unit vectors, all of one dimension
     * @param minSimilarity keep pairs at or above this cosine similarity
     * @param k most neighbours kept per vector
     * @param probes cells each vector is compared with
     */
    public static KnnGraph build(float[][] x, double minSimilarity, int k, int probes, long seed) {
        int n = x.length;
        if (n == 0) {
            return new KnnGraph(new int[0][], new float[0][]);
        }
        int d = x[0].length;
        int c = n < EXACT_BELOW ? 1 : (int) Math.round(2 * Math.sqrt(n));
        int p = Math.max(1, Math.min(probes, c));
        int[][] top;
        if (c == 1) {
            top = new int[n][1];
        } else {
            int sample = Math.min(n, c * 64);
            int[] order = SphericalKMeans.shuffled(n, new Random(seed));
            float[] train = new float[sample * d];
            for (int i = 0; i < sample; i++) {
                System.arraycopy(x[order[i]], 0, train, i * d, d);
            }
            float[] centroids = SphericalKMeans.train(train, sample, d, c, 4, seed);
            top = new int[n][];
            for (int from = 0; from < n; from += ROW_BLOCK) {
                int rows = Math.min(ROW_BLOCK, n - from);
                int[][] t = SphericalKMeans.topCells(gather(x, d, from, rows), rows, d, centroids, c, p);
                System.arraycopy(t, 0, top, from, rows);
            }
        }
        List<int[]> members = cellLists(top, c, n, true);
        List<int[]> probing = cellLists(top, c, n, false);
        top = null;
        TopLists lists = new TopLists(n, k);
        float threshold = (float) minSimilarity;
        for (int cell = 0; cell < c; cell++) {
            int[] m = members.get(cell);
            int[] q = probing.get(cell);
            if (m.length == 0 || q.length == 0) {
                continue;
            }
            float[] mRows = gather(x, d, m);
            for (int from = 0; from < q.length; from += ROW_BLOCK) {
                int rows = Math.min(ROW_BLOCK, q.length - from);
                float[] qRows = gather(x, d, Arrays.copyOfRange(q, from, from + rows));
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
                    int off = a * m.length;
                    for (int b = 0; b < m.length; b++) {
                        float s = sims[off + b];
                        if (s >= threshold && m[b] != i) {
                            lists.offer(i, m[b], s);
                            lists.offer(m[b], i, s);
                        }
                    }
                }
            }
            members.set(cell, null);
            probing.set(cell, null);
        }
        return lists.graph();
    }

    private static List<int[]> cellLists(int[][] top, int c, int n, boolean bestOnly) {
        int[] count = new int[c];
        for (int[] t : top) {
            for (int j = 0; j < (bestOnly ? 1 : t.length); j++) {
                count[t[j]]++;
            }
        }
        List<int[]> out = new ArrayList<>(c);
        for (int cell = 0; cell < c; cell++) {
            out.add(new int[count[cell]]);
        }
        int[] fill = new int[c];
        for (int i = 0; i < n; i++) {
            int[] t = top[i];
            for (int j = 0; j < (bestOnly ? 1 : t.length); j++) {
                out.get(t[j])[fill[t[j]]++] = i;
            }
        }
        return out;
    }

    private static float[] gather(float[][] x, int d, int from, int rows) {
        float[] out = new float[rows * d];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(x[from + i], 0, out, i * d, d);
        }
        return out;
    }

    private static float[] gather(float[][] x, int d, int[] rows) {
        float[] out = new float[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(x[rows[i]], 0, out, i * d, d);
        }
        return out;
    }

    /** Per row, the best k (id, similarity) seen so far; a pair offered twice is kept once. */
    private static final class TopLists {
        private final int k;
        private final int[][] ids;
        private final float[][] sims;
        private final byte[] size;
        /** The weakest similarity kept, once a row holds k (a weaker or equal offer is refused without a scan). */
        private final float[] floor;

        TopLists(int n, int k) {
            this.k = k;
            ids = new int[n][];
            sims = new float[n][];
            size = new byte[n];
            floor = new float[n];
            if (k > 127) {
                throw new IllegalArgumentException("k must be at most 127");
            }
        }

        void offer(int row, int id, float s) {
            int m = size[row];
            if (m == k && s <= floor[row]) {
                return; // most offers, once the row is full: a pair already kept has s >= floor too, so none is lost
            }
            int[] r = ids[row];
            float[] v = sims[row];
            if (r == null) {
                r = ids[row] = new int[Math.min(k, 4)];
                v = sims[row] = new float[r.length];
            }
            // the weakest kept: the list is unsorted; find min and check duplicates in one pass
            int weakest = -1;
            float weakestSim = Float.POSITIVE_INFINITY;
            for (int j = 0; j < m; j++) {
                if (r[j] == id) {
                    return;
                }
                if (v[j] < weakestSim) {
                    weakestSim = v[j];
                    weakest = j;
                }
            }
            if (m < k) {
                if (m == r.length) {
                    r = ids[row] = Arrays.copyOf(r, Math.min(k, m * 2));
                    v = sims[row] = Arrays.copyOf(v, r.length);
                }
                r[m] = id;
                v[m] = s;
                size[row]++;
                if (m + 1 == k) {
                    floor[row] = Math.min(weakestSim, s);
                }
            } else if (s > weakestSim) {
                r[weakest] = id;
                v[weakest] = s;
                float f = Float.POSITIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    f = Math.min(f, v[j]);
                }
                floor[row] = f;
            }
        }

        KnnGraph graph() {
            int n = ids.length;
            int[][] outIds = new int[n][];
            float[][] outSims = new float[n][];
            for (int i = 0; i < n; i++) {
                int m = size[i];
                Integer[] order = new Integer[m];
                for (int j = 0; j < m; j++) {
                    order[j] = j;
                }
                float[] v = sims[i];
                Arrays.sort(order, (a, b) -> Float.compare(v[b], v[a]));
                outIds[i] = new int[m];
                outSims[i] = new float[m];
                for (int j = 0; j < m; j++) {
                    outIds[i][j] = ids[i][order[j]];
                    outSims[i][j] = v[order[j]];
                }
                ids[i] = null;
                sims[i] = null;
            }
            return new KnnGraph(outIds, outSims);
        }
    }
}
