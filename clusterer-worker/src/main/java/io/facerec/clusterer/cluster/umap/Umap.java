package io.facerec.clusterer.cluster.umap;

import io.facerec.clusterer.cluster.KnnGraph;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * UMAP (McInnes, Healy & Melville 2018) with the cosine metric, following umap-learn 0.5's defaults and code paths for
 * small data sets, and keeping every point (unlike Smile's UMAP, which embeds only the largest connected component):
 * <ol>
 *   <li>exact k nearest neighbours by brute force (blocked dot products of the L2-normalised rows), each point its own
 *       first neighbour at distance 0, as umap-learn's exact path for fewer than 4,096 points (above that umap-learn
 *       switches to approximate NN-descent; here the search stays exact, at O(n^2) cost);</li>
 *   <li>{@code smooth_knn_dist}: {@code rho} = distance to the nearest other point, {@code sigma} by binary search so
 *       that {@code sum exp(-(d - rho) / sigma) = log2(k)} over the non-self neighbours, at least
 *       {@code 1e-3} times the mean neighbour distance ({@code MIN_K_DIST_SCALE});</li>
 *   <li>membership strengths {@code exp(-(d - rho) / sigma)} and their fuzzy union {@code A + A^T - A o A^T};</li>
 *   <li>edges weaker than {@code max / n_epochs} dropped; the low-dimensional curve
 *       {@code 1 / (1 + a d^(2b))} fitted to {@code min_dist} and {@code spread} by least squares;</li>
 *   <li>spectral initialisation ({@link SpectralLayout}, per connected component), scaled to 10, plus
 *       {@code N(0, 1e-4)} noise, then rescaled to {@code [0, 10]} per axis;</li>
 *   <li>{@code n_epochs} of stochastic gradient descent over the edges, each sampled every
 *       {@code max_w / w} epochs with {@code negative_sample_rate} negative samples, gradients clipped to
 *       {@code +-4}, learning rate decaying linearly to 0.</li>
 * </ol>
 * Runs are reproducible: one seeded generator drives the initial noise, random fallbacks and negative sampling, and the
 * optimisation is sequential (as umap-learn with a {@code random_state}). Time is O(n^2 d) for the neighbours plus
 * O(n_epochs * edges * negative_sample_rate) for the layout; memory O(n k).
 */
public final class Umap {

    /**
     * UMAP settings; {@link #DEFAULTS} are umap-learn's except {@code nNeighbors} 10 (the origin's choice).
     *
     * @param nNeighbors neighbourhood size k, the point itself included (umap-learn {@code n_neighbors})
     * @param nComponents dimension of the output
     * @param minDist smallest distance between points in the output ({@code min_dist})
     * @param spread scale of the embedded points ({@code spread}); with {@code minDist}, fixes the curve's a and b
     * @param nEpochs optimisation epochs; 0 = umap-learn's default (500 up to 10,000 points, else 200)
     * @param learningRate initial SGD step ({@code learning_rate})
     * @param repulsionStrength weight of the negative samples ({@code repulsion_strength}, gamma)
     * @param negativeSampleRate negative samples per positive sample ({@code negative_sample_rate})
     * @param localConnectivity neighbours assumed connected at full strength ({@code local_connectivity})
     * @param seed seed of the random generator
     */
    public record Params(
            int nNeighbors,
            int nComponents,
            double minDist,
            double spread,
            int nEpochs,
            double learningRate,
            double repulsionStrength,
            int negativeSampleRate,
            double localConnectivity,
            long seed) {

        public static final Params DEFAULTS = new Params(10, 2, 0.1, 1.0, 0, 1.0, 1.0, 5, 1.0, 0);

        public Params {
            if (nNeighbors < 2
                    || nComponents < 1
                    || nEpochs < 0
                    || negativeSampleRate < 0
                    || spread <= 0
                    || minDist < 0
                    || minDist > spread
                    || learningRate <= 0
                    || repulsionStrength < 0
                    || localConnectivity < 0) {
                throw new IllegalArgumentException("invalid UMAP parameters: " + this);
            }
        }

        public Params withSeed(long s) {
            return new Params(
                    nNeighbors,
                    nComponents,
                    minDist,
                    spread,
                    nEpochs,
                    learningRate,
                    repulsionStrength,
                    negativeSampleRate,
                    localConnectivity,
                    s);
        }
    }

    /** A symmetric weighted graph in compressed rows (columns sorted within a row). */
    record Graph(int n, int[] ptr, int[] col, float[] val) {
        int edges() {
            return ptr[n];
        }
    }

    /** The k nearest neighbours of each row, nearest first, the row itself first at distance 0. */
    record Knn(int[][] index, float[][] distance) {}

    private static final double SMOOTH_K_TOLERANCE = 1e-5;
    private static final double MIN_K_DIST_SCALE = 1e-3;

    private final Params params;

    public Umap(Params params) {
        this.params = params;
    }

    public Params params() {
        return params;
    }

    /**
     * Embeds the rows of {@code x} (any non-zero vectors; compared by cosine).
     *
     * @return {@code x.length x nComponents} finite coordinates, one row per input row
     */
    public float[][] fit(float[][] x) {
        int n = x.length;
        int dim = params.nComponents();
        if (n <= 1) {
            return new float[n][dim];
        }
        float[][] unit = normalise(x);
        // umap-learn truncates k to n - 1 on tiny inputs; at least the point and one neighbour
        int k = n <= params.nNeighbors() ? Math.max(2, n - 1) : params.nNeighbors();
        return fit(unit, nearestNeighbours(unit, k), k);
    }

    /**
     * As {@link #fit(float[][])} with approximate neighbours from a {@link io.facerec.clusterer.cluster.KnnGraph} of
     * the unit rows (each row's {@code nNeighbors - 1} most similar rows), for libraries too large for the exact
     * search.
     */
    public float[][] fit(float[][] unit, KnnGraph graph) {
        int n = unit.length;
        int k = params.nNeighbors();
        int[][] index = new int[n][k];
        float[][] distance = new float[n][k];
        for (int i = 0; i < n; i++) {
            Arrays.fill(index[i], -1);
            Arrays.fill(distance[i], Float.POSITIVE_INFINITY);
            index[i][0] = i;
            distance[i][0] = 0;
            int[] nb = graph.neighbours(i);
            float[] sim = graph.similarities(i);
            for (int j = 0; j < Math.min(k - 1, nb.length); j++) {
                index[i][j + 1] = nb[j];
                distance[i][j + 1] = Math.max(0f, 1f - sim[j]);
            }
        }
        return fit(unit, new Knn(index, distance), k);
    }

    private float[][] fit(float[][] unit, Knn knn, int k) {
        int n = unit.length;
        int dim = params.nComponents();
        Graph graph = fuzzySimplicialSet(knn, k, params.localConnectivity());
        int nEpochs = params.nEpochs() > 0 ? params.nEpochs() : n <= 10_000 ? 500 : 200;
        graph = prune(graph, nEpochs > 10 ? nEpochs : (n <= 10_000 ? 500 : 200));
        SplittableRandom rng = new SplittableRandom(params.seed());
        float[] embedding = initialise(graph, unit, dim, rng);
        double[] ab = findAb(params.spread(), params.minDist());
        optimise(embedding, dim, graph, nEpochs, ab[0], ab[1], rng);
        float[][] out = new float[n][dim];
        for (int i = 0; i < n; i++) {
            System.arraycopy(embedding, i * dim, out[i], 0, dim);
        }
        return out;
    }

    static float[][] normalise(float[][] x) {
        float[][] out = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            double s = 0;
            for (float v : x[i]) {
                s += (double) v * v;
            }
            float inv = s > 0 ? (float) (1 / Math.sqrt(s)) : 0;
            out[i] = new float[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                out[i][j] = x[i][j] * inv;
            }
        }
        return out;
    }

    /**
     * Exact cosine k-NN of unit rows, each dot product computed once: the pairs {@code i < j} in 4 x 4 register blocks
     * (16 dot products per pass over the data), columns in chunks of {@value #CHUNK} rows that stay in cache. Every
     * dot product is a float sum in dimension order, whichever path computes it, so results do not depend on the
     * blocking. Ties go to the lower index; the row itself is neighbour 0 at distance 0.
     */
    static Knn nearestNeighbours(float[][] x, int k) {
        int n = x.length;
        int[][] index = new int[n][k];
        float[][] distance = new float[n][k];
        for (int i = 0; i < n; i++) {
            Arrays.fill(index[i], -1);
            Arrays.fill(distance[i], Float.POSITIVE_INFINITY);
            index[i][0] = i;
            distance[i][0] = 0;
        }
        float[] block = new float[16];
        for (int jc = 0; jc < n; jc += CHUNK) {
            int je = Math.min(n, jc + CHUNK);
            for (int i0 = 0; i0 < je - 1; i0 += 4) {
                int ie = Math.min(i0 + 4, n);
                for (int j0 = jc; j0 < je; j0 += 4) {
                    int jEnd = Math.min(j0 + 4, je);
                    if (jEnd - 1 <= i0) {
                        continue; // no pair i < j in this block
                    }
                    boolean full = ie - i0 == 4 && jEnd - j0 == 4;
                    if (full) {
                        dot4x4(x, i0, j0, block);
                    }
                    for (int i = i0; i < ie; i++) {
                        for (int j = Math.max(j0, i + 1); j < jEnd; j++) {
                            float s = full ? block[(i - i0) * 4 + (j - j0)] : dotInOrder(x[i], x[j]);
                            float d = Math.max(0f, 1f - s);
                            offer(index[i], distance[i], j, d);
                            offer(index[j], distance[j], i, d);
                        }
                    }
                }
            }
        }
        return new Knn(index, distance);
    }

    /** Rows per column chunk of the neighbour search (a multiple of 4). */
    private static final int CHUNK = 64;

    /** The 16 dot products of rows {@code i0..i0+3} with rows {@code j0..j0+3}, row-major into {@code out}. */
    private static void dot4x4(float[][] x, int i0, int j0, float[] out) {
        float[] a0 = x[i0];
        float[] a1 = x[i0 + 1];
        float[] a2 = x[i0 + 2];
        float[] a3 = x[i0 + 3];
        float[] b0 = x[j0];
        float[] b1 = x[j0 + 1];
        float[] b2 = x[j0 + 2];
        float[] b3 = x[j0 + 3];
        float s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        float s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
        for (int d = 0; d < a0.length; d++) {
            float x0 = a0[d];
            float x1 = a1[d];
            float x2 = a2[d];
            float x3 = a3[d];
            float y0 = b0[d];
            float y1 = b1[d];
            float y2 = b2[d];
            float y3 = b3[d];
            s00 += x0 * y0;
            s01 += x0 * y1;
            s02 += x0 * y2;
            s03 += x0 * y3;
            s10 += x1 * y0;
            s11 += x1 * y1;
            s12 += x1 * y2;
            s13 += x1 * y3;
            s20 += x2 * y0;
            s21 += x2 * y1;
            s22 += x2 * y2;
            s23 += x2 * y3;
            s30 += x3 * y0;
            s31 += x3 * y1;
            s32 += x3 * y2;
            s33 += x3 * y3;
        }
        out[0] = s00;
        out[1] = s01;
        out[2] = s02;
        out[3] = s03;
        out[4] = s10;
        out[5] = s11;
        out[6] = s12;
        out[7] = s13;
        out[8] = s20;
        out[9] = s21;
        out[10] = s22;
        out[11] = s23;
        out[12] = s30;
        out[13] = s31;
        out[14] = s32;
        out[15] = s33;
    }

    /** A float dot product summed in dimension order, the same arithmetic as {@link #dot4x4}. */
    private static float dotInOrder(float[] a, float[] b) {
        float s = 0;
        for (int d = 0; d < a.length; d++) {
            s += a[d] * b[d];
        }
        return s;
    }

    private static void offer(int[] index, float[] distance, int j, float d) {
        int k = index.length;
        if (d > distance[k - 1] || (d == distance[k - 1] && index[k - 1] >= 0 && j > index[k - 1])) {
            return;
        }
        int p = k - 1;
        while (p > 1 && (distance[p - 1] > d || (distance[p - 1] == d && index[p - 1] > j))) {
            distance[p] = distance[p - 1];
            index[p] = index[p - 1];
            p--;
        }
        distance[p] = d;
        index[p] = j;
    }

    /** A double-precision dot product (4 partial sums), for checks. */
    static double dot(float[] a, float[] b) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        int len = a.length;
        for (; i + 3 < len; i += 4) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        for (; i < len; i++) {
            s0 += a[i] * b[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** umap-learn's {@code smooth_knn_dist}: {@code [0]} = sigma, {@code [1]} = rho per row. */
    static float[][] smoothKnnDist(float[][] distances, int k, double localConnectivity) {
        int n = distances.length;
        double target = Math.log(k) / Math.log(2);
        float[] sigma = new float[n];
        float[] rho = new float[n];
        double meanAll = 0;
        for (float[] row : distances) {
            for (float d : row) {
                meanAll += d;
            }
        }
        meanAll /= (double) n * k;
        for (int i = 0; i < n; i++) {
            float[] row = distances[i];
            float[] nonZero = new float[row.length];
            int nz = 0;
            for (float d : row) {
                if (d > 0) {
                    nonZero[nz++] = d;
                }
            }
            if (nz >= localConnectivity) {
                int index = (int) Math.floor(localConnectivity);
                double interpolation = localConnectivity - index;
                if (index > 0) {
                    rho[i] = nonZero[index - 1];
                    if (interpolation > SMOOTH_K_TOLERANCE && index < nz) {
                        rho[i] += (float) (interpolation * (nonZero[index] - nonZero[index - 1]));
                    }
                } else {
                    rho[i] = (float) (interpolation * nonZero[0]);
                }
            } else if (nz > 0) {
                float max = 0;
                for (int j = 0; j < nz; j++) {
                    max = Math.max(max, nonZero[j]);
                }
                rho[i] = max;
            }
            double lo = 0;
            double hi = Double.POSITIVE_INFINITY;
            double mid = 1;
            for (int it = 0; it < 64; it++) {
                double psum = 0;
                for (int j = 1; j < k; j++) {
                    float d = row[j] - rho[i];
                    psum += d > 0 ? Math.exp(-(d / mid)) : 1;
                }
                if (Math.abs(psum - target) < SMOOTH_K_TOLERANCE) {
                    break;
                }
                if (psum > target) {
                    hi = mid;
                    mid = (lo + hi) / 2;
                } else {
                    lo = mid;
                    mid = hi == Double.POSITIVE_INFINITY ? mid * 2 : (lo + hi) / 2;
                }
            }
            double s = mid;
            if (rho[i] > 0) {
                double meanRow = 0;
                for (float d : row) {
                    meanRow += d;
                }
                meanRow /= k;
                s = Math.max(s, MIN_K_DIST_SCALE * meanRow);
            } else {
                s = Math.max(s, MIN_K_DIST_SCALE * meanAll);
            }
            sigma[i] = (float) s;
        }
        return new float[][] {sigma, rho};
    }

    /** Membership strengths of the k-NN graph and their fuzzy union, umap-learn's {@code fuzzy_simplicial_set}. */
    static Graph fuzzySimplicialSet(Knn knn, int k, double localConnectivity) {
        int n = knn.index().length;
        float[][] sr = smoothKnnDist(knn.distance(), k, localConnectivity);
        float[] sigma = sr[0];
        float[] rho = sr[1];
        // directed strengths, row i over knn.index()[i]
        float[][] w = new float[n][k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                int c = knn.index()[i][j];
                if (c < 0 || c == i) {
                    continue;
                }
                float d = knn.distance()[i][j] - rho[i];
                w[i][j] = d <= 0 || sigma[i] == 0 ? 1f : (float) Math.exp(-(d / sigma[i]));
            }
        }
        // symmetric union: s_ij = a_ij + a_ji - a_ij * a_ji
        int[] count = new int[n];
        int[][] ei = new int[2][n * k * 2];
        float[] ev = new float[n * k * 2];
        int m = 0;
        for (int i = 0; i < n; i++) {
            for (int jj = 0; jj < k; jj++) {
                int j = knn.index()[i][jj];
                if (j < 0 || w[i][jj] == 0) {
                    continue;
                }
                float back = strength(knn, w, j, i);
                if (back > 0 && j < i) {
                    continue; // counted from row j
                }
                float s = w[i][jj] + back - w[i][jj] * back;
                ei[0][m] = i;
                ei[1][m] = j;
                ev[m++] = s;
                ei[0][m] = j;
                ei[1][m] = i;
                ev[m++] = s;
                count[i]++;
                count[j]++;
            }
        }
        return toRows(n, count, ei[0], ei[1], ev, m);
    }

    private static float strength(Knn knn, float[][] w, int from, int to) {
        int[] idx = knn.index()[from];
        for (int j = 0; j < idx.length; j++) {
            if (idx[j] == to) {
                return w[from][j];
            }
        }
        return 0;
    }

    private static Graph toRows(int n, int[] count, int[] row, int[] col, float[] val, int m) {
        int[] ptr = new int[n + 1];
        for (int i = 0; i < n; i++) {
            ptr[i + 1] = ptr[i] + count[i];
        }
        int[] fill = Arrays.copyOf(ptr, n);
        int[] cols = new int[m];
        float[] vals = new float[m];
        for (int e = 0; e < m; e++) {
            int p = fill[row[e]]++;
            cols[p] = col[e];
            vals[p] = val[e];
        }
        for (int i = 0; i < n; i++) {
            // insertion sort by column: rows are short (about 2k entries)
            for (int a = ptr[i] + 1; a < ptr[i + 1]; a++) {
                int c = cols[a];
                float v = vals[a];
                int b = a - 1;
                while (b >= ptr[i] && cols[b] > c) {
                    cols[b + 1] = cols[b];
                    vals[b + 1] = vals[b];
                    b--;
                }
                cols[b + 1] = c;
                vals[b + 1] = v;
            }
        }
        return new Graph(n, ptr, cols, vals);
    }

    /** Drops the edges weaker than {@code max / epochs} (they would never be sampled). */
    static Graph prune(Graph g, int epochs) {
        float max = 0;
        for (int e = 0; e < g.edges(); e++) {
            max = Math.max(max, g.val()[e]);
        }
        float threshold = (float) (max / (double) epochs);
        int[] ptr = new int[g.n() + 1];
        int[] col = new int[g.edges()];
        float[] val = new float[g.edges()];
        int m = 0;
        for (int i = 0; i < g.n(); i++) {
            for (int e = g.ptr()[i]; e < g.ptr()[i + 1]; e++) {
                if (g.val()[e] >= threshold && g.val()[e] > 0) {
                    col[m] = g.col()[e];
                    val[m++] = g.val()[e];
                }
            }
            ptr[i + 1] = m;
        }
        return new Graph(g.n(), ptr, Arrays.copyOf(col, m), Arrays.copyOf(val, m));
    }

    /** Spectral layout scaled to 10 plus N(0, 1e-4) noise, then each axis rescaled to [0, 10]; flat n x dim. */
    static float[] initialise(Graph g, float[][] unit, int dim, SplittableRandom rng) {
        int n = g.n();
        double[][] init = SpectralLayout.layout(g, unit, dim, rng);
        double max = 0;
        for (double[] row : init) {
            for (double v : row) {
                max = Math.max(max, Math.abs(v));
            }
        }
        double expansion = max > 0 ? 10 / max : 1;
        float[] e = new float[n * dim];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < dim; d++) {
                e[i * dim + d] = (float) (init[i][d] * expansion) + (float) (1e-4 * gaussian(rng));
            }
        }
        for (int d = 0; d < dim; d++) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                lo = Math.min(lo, e[i * dim + d]);
                hi = Math.max(hi, e[i * dim + d]);
            }
            float range = hi - lo;
            for (int i = 0; i < n; i++) {
                e[i * dim + d] = range > 0 ? 10 * (e[i * dim + d] - lo) / range : 0;
            }
        }
        return e;
    }

    private static double gaussian(SplittableRandom rng) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17
        double u = 1 - rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /**
     * The a, b of {@code 1 / (1 + a x^(2b))} closest in least squares to 1 below {@code minDist} and
     * {@code exp(-(x - minDist) / spread)} above, on 300 points over {@code [0, 3 spread]} (umap-learn's
     * {@code find_ab_params}, which uses scipy's Levenberg-Marquardt {@code curve_fit} from a = b = 1).
     */
    static double[] findAb(double spread, double minDist) {
        int m = 300;
        double[] xs = new double[m];
        double[] ys = new double[m];
        for (int i = 0; i < m; i++) {
            xs[i] = spread * 3 * i / (m - 1);
            ys[i] = xs[i] < minDist ? 1 : Math.exp(-(xs[i] - minDist) / spread);
        }
        double a = 1;
        double b = 1;
        double lambda = 1e-3;
        double cost = abCost(xs, ys, a, b);
        for (int it = 0; it < 500; it++) {
            double jaa = 0;
            double jab = 0;
            double jbb = 0;
            double ga = 0;
            double gb = 0;
            for (int i = 0; i < m; i++) {
                double x = xs[i];
                if (x == 0) {
                    continue; // f(0) = 1 for any a, b: no residual, no gradient
                }
                double p = Math.pow(x, 2 * b);
                double den = 1 + a * p;
                double f = 1 / den;
                double r = f - ys[i];
                double da = -p / (den * den);
                double db = -a * p * 2 * Math.log(x) / (den * den);
                jaa += da * da;
                jab += da * db;
                jbb += db * db;
                ga += da * r;
                gb += db * r;
            }
            boolean improved = false;
            for (int tries = 0; tries < 50 && !improved; tries++) {
                double maa = jaa * (1 + lambda);
                double mbb = jbb * (1 + lambda);
                double det = maa * mbb - jab * jab;
                double stepA = -(mbb * ga - jab * gb) / det;
                double stepB = -(maa * gb - jab * ga) / det;
                double c = abCost(xs, ys, a + stepA, b + stepB);
                if (c < cost) {
                    double rel = (cost - c) / Math.max(cost, 1e-300);
                    a += stepA;
                    b += stepB;
                    cost = c;
                    lambda = Math.max(lambda / 10, 1e-12);
                    improved = true;
                    if (rel < 1e-14) {
                        return new double[] {a, b};
                    }
                } else {
                    lambda *= 10;
                }
            }
            if (!improved) {
                break;
            }
        }
        return new double[] {a, b};
    }

    private static double abCost(double[] xs, double[] ys, double a, double b) {
        double c = 0;
        for (int i = 0; i < xs.length; i++) {
            double f = 1 / (1 + a * Math.pow(xs[i], 2 * b));
            c += (f - ys[i]) * (f - ys[i]);
        }
        return c;
    }

    /** umap-learn's {@code optimize_layout_euclidean} (sequential, {@code move_other}), in place on a flat layout. */
    void optimise(float[] e, int dim, Graph g, int nEpochs, double a, double b, SplittableRandom rng) {
        int edges = g.edges();
        int n = g.n();
        if (edges == 0) {
            return;
        }
        int[] head = new int[edges];
        for (int i = 0; i < n; i++) {
            for (int k = g.ptr()[i]; k < g.ptr()[i + 1]; k++) {
                head[k] = i;
            }
        }
        int[] tail = g.col();
        float max = 0;
        for (float v : g.val()) {
            max = Math.max(max, v);
        }
        double[] epochsPerSample = new double[edges];
        for (int k = 0; k < edges; k++) {
            double samples = nEpochs * (g.val()[k] / (double) max);
            epochsPerSample[k] = samples > 0 ? nEpochs / samples : -1;
        }
        int negRate = params.negativeSampleRate();
        double gamma = params.repulsionStrength();
        double[] epochsPerNegative = new double[edges];
        for (int k = 0; k < edges; k++) {
            epochsPerNegative[k] = negRate > 0 ? epochsPerSample[k] / negRate : Double.POSITIVE_INFINITY;
        }
        double[] nextNegative = epochsPerNegative.clone();
        double[] nextSample = epochsPerSample.clone();
        double alpha = params.learningRate();
        for (int epoch = 0; epoch < nEpochs; epoch++) {
            for (int k = 0; k < edges; k++) {
                if (nextSample[k] > epoch || epochsPerSample[k] < 0) {
                    continue;
                }
                int j = head[k];
                int o = tail[k];
                int cj = j * dim;
                int co = o * dim;
                float distSq = rdist(e, cj, co, dim);
                double coeff = 0;
                if (distSq > 0) {
                    double pb = Math.pow(distSq, b);
                    coeff = -2.0 * a * b * (pb / distSq) / (a * pb + 1.0);
                }
                for (int d = 0; d < dim; d++) {
                    double grad = clip(coeff * (e[cj + d] - e[co + d]));
                    e[cj + d] += (float) (grad * alpha);
                    e[co + d] += (float) (-grad * alpha);
                }
                nextSample[k] += epochsPerSample[k];
                int negatives = (int) ((epoch - nextNegative[k]) / epochsPerNegative[k]);
                for (int p = 0; p < negatives; p++) {
                    int r = rng.nextInt(n);
                    int cr = r * dim;
                    float dsq = rdist(e, cj, cr, dim);
                    double c;
                    if (dsq > 0) {
                        c = 2.0 * gamma * b / ((0.001 + dsq) * (a * Math.pow(dsq, b) + 1));
                    } else if (j == r) {
                        continue;
                    } else {
                        c = 0;
                    }
                    for (int d = 0; d < dim; d++) {
                        double grad = c > 0 ? clip(c * (e[cj + d] - e[cr + d])) : 4.0;
                        e[cj + d] += (float) (grad * alpha);
                    }
                }
                nextNegative[k] += negatives * epochsPerNegative[k];
            }
            alpha = params.learningRate() * (1.0 - (double) epoch / nEpochs);
        }
    }

    private static float rdist(float[] e, int a, int b, int dim) {
        float s = 0;
        for (int d = 0; d < dim; d++) {
            float diff = e[a + d] - e[b + d];
            s += diff * diff;
        }
        return s;
    }

    private static double clip(double v) {
        return v > 4.0 ? 4.0 : v < -4.0 ? -4.0 : v;
    }
}
