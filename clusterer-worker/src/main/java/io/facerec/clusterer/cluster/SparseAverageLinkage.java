package io.facerec.clusterer.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Average-linkage clustering cut at a similarity, on a {@link KnnGraph} instead of an n×n matrix, for a whole library.
 *
 * <p>Exact linkage values without the matrix: for unit vectors the mean similarity over all cross pairs of two groups
 * is the dot product of their mean vectors, {@code sum(A)·sum(B) / (|A|·|B|)}, so each group keeps only its sum. The
 * graph only proposes which groups to compare. Merges happen in order of decreasing linkage through a lazy heap: an
 * entry whose groups have changed since it was computed is recomputed for the groups they now belong to when it
 * reaches the top, and put back if it still reaches the cut. Average linkage is reducible — the linkage of a merged
 * group to a third is a weighted mean of its parts' — so a stale entry never under-states a pair it stands for, the
 * pops come in the order of the exact dendrogram restricted to the proposed pairs, and a pair that fell below the cut
 * can be dropped for good. Work: one heap operation and one dot product per proposed pair and per recomputation.
 *
 * <p>When the graph's pairs are exhausted, pairs of groups whose mean directions are close are proposed
 * ({@link #MAX_GROUP_PASSES} passes at most): the k nearest neighbours of faces of a large person may all lie inside
 * their own part of it, leaving two parts of one person without a proposed pair.
 */
public final class SparseAverageLinkage {
    /** Passes of group-level proposals after the graph's pairs are exhausted. */
    static final int MAX_GROUP_PASSES = 5;
    /** Groups proposed per group in a group-level pass. */
    static final int GROUP_CANDIDATES = 8;

    private final float[][] x;
    private final int d;
    private final double cut;
    private final int[] parent;
    private final int[] size;
    private final int[] version;
    private final float[][] sum;
    private final Heap heap = new Heap();

    private SparseAverageLinkage(float[][] x, double cut) {
        this.x = x;
        this.d = x.length == 0 ? 0 : x[0].length;
        this.cut = cut;
        int n = x.length;
        parent = new int[n];
        size = new int[n];
        version = new int[n];
        sum = new float[n][];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
            size[i] = 1;
        }
    }

    /**
     * @param x unit vectors
     * @param graph candidate pairs (typically the k nearest neighbours at or above {@code minSimilarity})
     * @param minSimilarity the cut: groups merge while their mean cross similarity is at least this
     * @param minSize groups smaller than this are noise ({@link CosineDbscan#NOISE})
     * @return a label per row: 0..k-1 or noise
     */
    public static int[] cluster(float[][] x, KnnGraph graph, double minSimilarity, int minSize) {
        int n = x.length;
        SparseAverageLinkage s = new SparseAverageLinkage(x, minSimilarity);
        for (int i = 0; i < n; i++) {
            int[] nb = graph.neighbours(i);
            float[] sim = graph.similarities(i);
            for (int j = 0; j < nb.length; j++) {
                // a pair may be in one end's list only (the other's is full of closer faces): both ends propose it
                if (sim[j] >= minSimilarity && (i < nb[j] || !lists(graph, nb[j], i))) {
                    s.heap.push(sim[j], Math.min(i, nb[j]), Math.max(i, nb[j]), 0, 0);
                }
            }
        }
        s.drain();
        for (int pass = 0; pass < MAX_GROUP_PASSES; pass++) {
            if (s.proposeGroupPairs() == 0 || s.drain() == 0) {
                break;
            }
        }
        int[] labels = new int[n];
        int[] id = new int[n];
        Arrays.fill(id, -1);
        int next = 0;
        for (int i = 0; i < n; i++) {
            int r = s.find(i);
            if (s.size[r] < minSize) {
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

    private static boolean lists(KnnGraph g, int row, int id) {
        for (int v : g.neighbours(row)) {
            if (v == id) {
                return true;
            }
        }
        return false;
    }

    /** Merges until no proposed pair reaches the cut. @return merges made */
    private int drain() {
        int merges = 0;
        while (heap.size > 0) {
            double s = heap.topKey();
            int ea = heap.topA();
            int eb = heap.topB();
            long ev = heap.topVersions();
            heap.pop();
            int a = find(ea);
            int b = find(eb);
            if (a == b) {
                continue;
            }
            if (a != ea || b != eb || (int) (ev >>> 32) != version[a] || (int) ev != version[b]) {
                double now = linkage(a, b);
                if (now >= cut) {
                    heap.push(now, a, b, version[a], version[b]);
                }
                continue;
            }
            if (s < cut) {
                continue;
            }
            int root = size[a] >= size[b] ? a : b;
            int gone = root == a ? b : a;
            float[] merged = sum[root] != null ? sum[root] : x[root].clone();
            float[] other = sum[gone] != null ? sum[gone] : x[gone];
            for (int k = 0; k < d; k++) {
                merged[k] += other[k];
            }
            sum[root] = merged;
            sum[gone] = null;
            parent[gone] = root;
            size[root] += size[gone];
            version[root]++;
            merges++;
        }
        return merges;
    }

    /**
     * Proposes pairs of groups (of two or more faces) whose mean directions are among each other's nearest: a mean
     * similarity at or above the cut needs directions at least that similar (|mean| <= 1).
     */
    private int proposeGroupPairs() {
        List<Integer> roots = new ArrayList<>();
        for (int i = 0; i < parent.length; i++) {
            if (parent[i] == i && size[i] >= 2) {
                roots.add(i);
            }
        }
        if (roots.size() < 2) {
            return 0;
        }
        float[][] dirs = new float[roots.size()][];
        for (int r = 0; r < dirs.length; r++) {
            dirs[r] = PersonCentroids.unit(sum[roots.get(r)]);
        }
        KnnGraph g = KnnGraph.build(dirs, cut, GROUP_CANDIDATES, 4, 2);
        int proposed = 0;
        for (int r = 0; r < dirs.length; r++) {
            int a = roots.get(r);
            for (int j : g.neighbours(r)) {
                int b = roots.get(j);
                if (a < b) {
                    double s = linkage(a, b);
                    if (s >= cut) {
                        heap.push(s, a, b, version[a], version[b]);
                        proposed++;
                    }
                }
            }
        }
        return proposed;
    }

    /** Mean cross similarity of two groups from their sums. */
    private double linkage(int a, int b) {
        float[] u = sum[a] != null ? sum[a] : x[a];
        float[] v = sum[b] != null ? sum[b] : x[b];
        double s = 0;
        for (int k = 0; k < d; k++) {
            s += u[k] * v[k];
        }
        return s / ((double) size[a] * size[b]);
    }

    private int find(int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    /** A binary max-heap of (linkage, pair, versions) in parallel arrays (no object per entry). */
    private static final class Heap {
        double[] key = new double[1024];
        int[] a = new int[1024];
        int[] b = new int[1024];
        long[] versions = new long[1024];
        int size;

        void push(double k, int ea, int eb, int va, int vb) {
            if (size == key.length) {
                int cap = size * 2;
                key = Arrays.copyOf(key, cap);
                a = Arrays.copyOf(a, cap);
                b = Arrays.copyOf(b, cap);
                versions = Arrays.copyOf(versions, cap);
            }
            int i = size++;
            long v = ((long) va << 32) | (vb & 0xffffffffL);
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (key[p] >= k) {
                    break;
                }
                move(p, i);
                i = p;
            }
            key[i] = k;
            a[i] = ea;
            b[i] = eb;
            versions[i] = v;
        }

        double topKey() {
            return key[0];
        }

        int topA() {
            return a[0];
        }

        int topB() {
            return b[0];
        }

        long topVersions() {
            return versions[0];
        }

        void pop() {
            size--;
            if (size == 0) {
                return;
            }
            double k = key[size];
            int ea = a[size];
            int eb = b[size];
            long v = versions[size];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= size) {
                    break;
                }
                if (c + 1 < size && key[c + 1] > key[c]) {
                    c++;
                }
                if (key[c] <= k) {
                    break;
                }
                move(c, i);
                i = c;
            }
            key[i] = k;
            a[i] = ea;
            b[i] = eb;
            versions[i] = v;
        }

        private void move(int from, int to) {
            key[to] = key[from];
            a[to] = a[from];
            b[to] = b[from];
            versions[to] = versions[from];
        }
    }
}
