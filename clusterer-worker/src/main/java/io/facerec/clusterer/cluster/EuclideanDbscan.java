package io.facerec.clusterer.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * DBSCAN with Euclidean distance, the semantics of scikit-learn's {@code DBSCAN(metric='euclidean')} (a point is core
 * when at least {@code minSamples} points, itself included, lie within {@code eps}, boundary included), for
 * low-dimensional points such as a UMAP embedding. Neighbourhoods come from a grid of {@code eps}-sized cells, so for
 * up to 3 dimensions the time is O(n + pairs within eps); higher dimensions fall back to comparing all pairs.
 */
public final class EuclideanDbscan {
    private static final int MAX_GRID_DIM = 3;
    private static final int CELL_BITS = 21;

    private EuclideanDbscan() {}

    /** @return a label per row: 0..k-1, or {@link CosineDbscan#NOISE} */
    public static int[] cluster(float[][] y, double eps, int minSamples) {
        return CosineDbscan.expand(neighbours(y, eps), minSamples);
    }

    /** Indices of all rows within {@code eps} of each row (itself included), in increasing order. */
    static int[][] neighbours(float[][] y, double eps) {
        int n = y.length;
        if (n == 0) {
            return new int[0][];
        }
        int dim = y[0].length;
        double eps2 = eps * eps;
        long[][] cell = dim <= MAX_GRID_DIM && eps > 0 ? cells(y, eps) : null;
        int[][] out = new int[n][];
        if (cell == null) {
            int[] buf = new int[n];
            for (int i = 0; i < n; i++) {
                int m = 0;
                for (int j = 0; j < n; j++) {
                    if (j == i || dist2(y[i], y[j]) <= eps2) {
                        buf[m++] = j;
                    }
                }
                out[i] = Arrays.copyOf(buf, m);
            }
            return out;
        }
        Map<Long, List<Integer>> grid = new HashMap<>();
        for (int i = 0; i < n; i++) {
            grid.computeIfAbsent(key(cell[i]), k -> new ArrayList<>()).add(i);
        }
        int offsets = (int) Math.pow(3, dim);
        int[] buf = new int[n];
        long[] probe = new long[dim];
        for (int i = 0; i < n; i++) {
            int m = 0;
            for (int o = 0; o < offsets; o++) {
                int rest = o;
                for (int d = 0; d < dim; d++) {
                    probe[d] = cell[i][d] + (rest % 3) - 1;
                    rest /= 3;
                }
                List<Integer> bucket = grid.get(key(probe));
                if (bucket == null) {
                    continue;
                }
                for (int j : bucket) {
                    if (j == i || dist2(y[i], y[j]) <= eps2) {
                        buf[m++] = j;
                    }
                }
            }
            int[] row = Arrays.copyOf(buf, m);
            Arrays.sort(row);
            out[i] = row;
        }
        return out;
    }

    /** Cell coordinates per point, or null when the extent in cells does not fit the key. */
    private static long[][] cells(float[][] y, double eps) {
        int dim = y[0].length;
        double[] lo = new double[dim];
        Arrays.fill(lo, Double.POSITIVE_INFINITY);
        double[] hi = new double[dim];
        Arrays.fill(hi, Double.NEGATIVE_INFINITY);
        for (float[] p : y) {
            for (int d = 0; d < dim; d++) {
                if (!Float.isFinite(p[d])) {
                    return null;
                }
                lo[d] = Math.min(lo[d], p[d]);
                hi[d] = Math.max(hi[d], p[d]);
            }
        }
        for (int d = 0; d < dim; d++) {
            if ((hi[d] - lo[d]) / eps > (1L << (CELL_BITS - 1)) - 4) {
                return null;
            }
        }
        long[][] cell = new long[y.length][dim];
        for (int i = 0; i < y.length; i++) {
            for (int d = 0; d < dim; d++) {
                cell[i][d] = (long) Math.floor((y[i][d] - lo[d]) / eps) + 1;
            }
        }
        return cell;
    }

    private static long key(long[] c) {
        long k = 0;
        for (long v : c) {
            k = (k << CELL_BITS) | (v & ((1L << CELL_BITS) - 1));
        }
        return k;
    }

    private static double dist2(float[] a, float[] b) {
        double s = 0;
        for (int d = 0; d < a.length; d++) {
            double diff = (double) a[d] - b[d];
            s += diff * diff;
        }
        return s;
    }
}
