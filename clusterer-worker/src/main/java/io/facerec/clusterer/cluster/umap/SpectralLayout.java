package io.facerec.clusterer.cluster.umap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * UMAP's initial layout, as umap-learn 0.5 ({@code spectral.spectral_layout} and {@code multi_component_layout}) does
 * it: the eigenvectors of the normalised Laplacian {@code I - D^-1/2 W D^-1/2} for the second to {@code dim+1}-th
 * smallest eigenvalues. A graph with several connected components is laid out per component: the components' places
 * come from a spectral embedding of their centroids (more than {@code 2 * dim} components) or from the corners
 * {@code +-e_i}; each component's own spectral layout is scaled into half the distance to the nearest other place;
 * components too small for that ({@code < 2 * dim} or {@code <= dim + 1} points) are spread uniformly at random in
 * that box. Every point gets coordinates.
 */
final class SpectralLayout {
    /** Components up to this size use the dense eigensolver. */
    private static final int DENSE_MAX = 64;
    /** Residual at which a Ritz pair is accepted (umap-learn asks ARPACK for a relative 1e-4). */
    private static final double TOL = 1e-6;

    private SpectralLayout() {}

    /**
     * @param g symmetric weighted graph (no self loops)
     * @param x the data (unit rows), for the component centroids
     * @return {@code n x dim} coordinates
     */
    static double[][] layout(Umap.Graph g, float[][] x, int dim, SplittableRandom rng) {
        return layoutChecked(g, x, dim, rng);
    }

    /**
     * Components larger than this start from a random layout instead of the spectral one (as umap-learn does when its
     * eigensolver gives up): the iterative eigensolver's cost grows faster than the library, and the optimisation
     * that follows recovers the local structure DBSCAN needs (see README, "Recluster at library scale").
     */
    static final int SPECTRAL_MAX = 20_000;

    private static double[][] layoutChecked(Umap.Graph g, float[][] x, int dim, SplittableRandom rng) {
        int n = g.n();
        int[] label = new int[n];
        int nc = components(g, label);
        double[][] out = new double[n][dim];
        if (nc == 1) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            double[][] e = n > dim + 1 && n <= SPECTRAL_MAX ? componentEigenvectors(g, all, dim, rng) : null;
            for (int i = 0; i < n; i++) {
                for (int d = 0; d < dim; d++) {
                    out[i][d] = e != null ? e[d][i] : rng.nextDouble() * 20 - 10;
                }
            }
            return out;
        }
        List<int[]> members = members(label, nc);
        double[][] meta = nc > 2 * dim ? componentLayout(x, members, dim, rng) : corners(nc, dim);
        for (int c = 0; c < nc; c++) {
            int[] m = members.get(c);
            double range = Double.POSITIVE_INFINITY;
            for (int o = 0; o < nc; o++) {
                double dd = 0;
                for (int d = 0; d < dim; d++) {
                    dd += (meta[c][d] - meta[o][d]) * (meta[c][d] - meta[o][d]);
                }
                if (dd > 0) {
                    range = Math.min(range, Math.sqrt(dd));
                }
            }
            range = Double.isInfinite(range) ? 1 : range / 2;
            double[][] e = m.length < 2 * dim || m.length <= dim + 1 || m.length > SPECTRAL_MAX
                    ? null
                    : componentEigenvectors(g, m, dim, rng);
            double expansion = 0;
            if (e != null) {
                double max = 0;
                for (double[] vec : e) {
                    for (double v : vec) {
                        max = Math.max(max, Math.abs(v));
                    }
                }
                expansion = max > 0 ? range / max : 0;
            }
            for (int r = 0; r < m.length; r++) {
                for (int d = 0; d < dim; d++) {
                    double local = e != null ? e[d][r] * expansion : (rng.nextDouble() * 2 - 1) * range;
                    out[m[r]][d] = local + meta[c][d];
                }
            }
        }
        return out;
    }

    /** Connected components by breadth-first search; returns their number and fills {@code label}. */
    static int components(Umap.Graph g, int[] label) {
        Arrays.fill(label, -1);
        int[] queue = new int[g.n()];
        int nc = 0;
        for (int s = 0; s < g.n(); s++) {
            if (label[s] >= 0) {
                continue;
            }
            int head = 0;
            int tail = 0;
            queue[tail++] = s;
            label[s] = nc;
            while (head < tail) {
                int i = queue[head++];
                for (int e = g.ptr()[i]; e < g.ptr()[i + 1]; e++) {
                    int j = g.col()[e];
                    if (label[j] < 0) {
                        label[j] = nc;
                        queue[tail++] = j;
                    }
                }
            }
            nc++;
        }
        return nc;
    }

    private static List<int[]> members(int[] label, int nc) {
        int[] count = new int[nc];
        for (int l : label) {
            count[l]++;
        }
        List<int[]> out = new ArrayList<>();
        for (int c = 0; c < nc; c++) {
            out.add(new int[count[c]]);
        }
        int[] fill = new int[nc];
        for (int i = 0; i < label.length; i++) {
            out.get(label[i])[fill[label[i]]++] = i;
        }
        return out;
    }

    /** umap-learn's places for at most {@code 2 * dim} components: {@code e_1, .., e_k, -e_1, .., -e_k}. */
    private static double[][] corners(int nc, int dim) {
        int k = (nc + 1) / 2;
        double[][] out = new double[nc][dim];
        for (int c = 0; c < nc; c++) {
            out[c][c % k] = c < k ? 1 : -1;
        }
        return out;
    }

    /**
     * umap-learn's {@code component_layout}: a spectral embedding (scikit-learn's {@code SpectralEmbedding}, affinity
     * {@code exp(-d^2)} of the cosine distances between component centroids), scaled so its largest entry is 1.
     */
    static double[][] componentLayout(float[][] x, List<int[]> members, int dim, SplittableRandom rng) {
        int nc = members.size();
        int p = x[0].length;
        double[][] centroid = new double[nc][p];
        double[] norm = new double[nc];
        for (int c = 0; c < nc; c++) {
            for (int i : members.get(c)) {
                for (int k = 0; k < p; k++) {
                    centroid[c][k] += x[i][k];
                }
            }
            for (int k = 0; k < p; k++) {
                centroid[c][k] /= members.get(c).length;
            }
            norm[c] = SymmetricEigen.norm(centroid[c]);
        }
        double[][] affinity = new double[nc][nc];
        double[] degree = new double[nc];
        for (int a = 0; a < nc; a++) {
            for (int b = a + 1; b < nc; b++) {
                double d;
                if (norm[a] == 0 && norm[b] == 0) {
                    d = 0;
                } else if (norm[a] == 0 || norm[b] == 0) {
                    d = 1;
                } else {
                    d = 1 - SymmetricEigen.dot(centroid[a], centroid[b]) / (norm[a] * norm[b]);
                }
                double w = Math.exp(-d * d);
                affinity[a][b] = w;
                affinity[b][a] = w;
                degree[a] += w;
                degree[b] += w;
            }
        }
        double[] sqrtDeg = new double[nc];
        for (int a = 0; a < nc; a++) {
            sqrtDeg[a] = Math.sqrt(degree[a]);
        }
        for (int a = 0; a < nc; a++) {
            for (int b = 0; b < nc; b++) {
                affinity[a][b] /= sqrtDeg[a] * sqrtDeg[b];
            }
        }
        double[][] vectors = largestNonTrivial(affinity, sqrtDeg, dim, rng);
        double[][] out = new double[nc][dim];
        double max = Double.NEGATIVE_INFINITY;
        for (int d = 0; d < dim; d++) {
            double[] v = vectors[d].clone();
            for (int a = 0; a < nc; a++) {
                v[a] /= sqrtDeg[a]; // the diffusion map scaling of scikit-learn's spectral embedding
            }
            flipSign(v);
            for (int a = 0; a < nc; a++) {
                out[a][d] = v[a];
                max = Math.max(max, v[a]);
            }
        }
        for (double[] row : out) {
            for (int d = 0; d < dim; d++) {
                row[d] /= max;
            }
        }
        return out;
    }

    /**
     * The eigenvectors of {@code D^-1/2 W D^-1/2} of one connected component for its 2nd to {@code dim+1}-th largest
     * eigenvalues (= the Laplacian's 2nd to {@code dim+1}-th smallest), as {@code [dim][members.length]}.
     */
    static double[][] componentEigenvectors(Umap.Graph g, int[] members, int dim, SplittableRandom rng) {
        int m = members.length;
        int[] local = new int[g.n()];
        Arrays.fill(local, -1);
        for (int r = 0; r < m; r++) {
            local[members[r]] = r;
        }
        double[] sqrtDeg = new double[m];
        for (int r = 0; r < m; r++) {
            int i = members[r];
            double s = 0;
            for (int e = g.ptr()[i]; e < g.ptr()[i + 1]; e++) {
                s += g.val()[e];
            }
            sqrtDeg[r] = Math.sqrt(s);
        }
        double[][] vectors;
        if (m <= DENSE_MAX) {
            double[][] a = new double[m][m];
            for (int r = 0; r < m; r++) {
                int i = members[r];
                for (int e = g.ptr()[i]; e < g.ptr()[i + 1]; e++) {
                    int c = local[g.col()[e]];
                    a[r][c] += g.val()[e] / (sqrtDeg[r] * sqrtDeg[c]);
                }
            }
            SymmetricEigen.Result all = SymmetricEigen.jacobi(a);
            vectors = new double[dim][];
            for (int d = 0; d < dim; d++) {
                vectors[d] = all.vectors()[d + 1];
            }
        } else {
            SymmetricEigen.Operator op = (xv, y) -> {
                for (int r = 0; r < m; r++) {
                    int i = members[r];
                    double s = 0;
                    for (int e = g.ptr()[i]; e < g.ptr()[i + 1]; e++) {
                        int c = local[g.col()[e]];
                        s += g.val()[e] * xv[c] / sqrtDeg[c];
                    }
                    y[r] = s / sqrtDeg[r];
                }
            };
            double[] trivial = sqrtDeg.clone();
            double nt = SymmetricEigen.norm(trivial);
            for (int r = 0; r < m; r++) {
                trivial[r] /= nt;
            }
            vectors = SymmetricEigen.largest(op, m, dim, new double[][] {trivial}, rng, TOL, Math.max(2000, 5 * m))
                    .vectors();
        }
        for (double[] v : vectors) {
            flipSign(v);
        }
        return vectors;
    }

    /** The {@code dim} largest eigenvectors after the trivial one ({@code sqrtDeg}) of a dense normalised affinity. */
    private static double[][] largestNonTrivial(double[][] m, double[] sqrtDeg, int dim, SplittableRandom rng) {
        int n = m.length;
        if (n <= DENSE_MAX) {
            double[][] copy = new double[n][];
            for (int i = 0; i < n; i++) {
                copy[i] = m[i].clone();
            }
            SymmetricEigen.Result all = SymmetricEigen.jacobi(copy);
            double[][] out = new double[dim][];
            for (int d = 0; d < dim; d++) {
                out[d] = all.vectors()[d + 1];
            }
            return out;
        }
        double[] trivial = sqrtDeg.clone();
        double nt = SymmetricEigen.norm(trivial);
        for (int i = 0; i < n; i++) {
            trivial[i] /= nt;
        }
        SymmetricEigen.Operator op = (xv, y) -> {
            for (int i = 0; i < n; i++) {
                y[i] = SymmetricEigen.dot(m[i], xv);
            }
        };
        return SymmetricEigen.largest(op, n, dim, new double[][] {trivial}, rng, TOL, Math.max(2000, 5 * n))
                .vectors();
    }

    /** Makes the entry of largest magnitude positive (scikit-learn's deterministic sign flip). */
    private static void flipSign(double[] v) {
        int arg = 0;
        for (int i = 1; i < v.length; i++) {
            if (Math.abs(v[i]) > Math.abs(v[arg])) {
                arg = i;
            }
        }
        if (v[arg] < 0) {
            for (int i = 0; i < v.length; i++) {
                v[i] = -v[i];
            }
        }
    }
}
