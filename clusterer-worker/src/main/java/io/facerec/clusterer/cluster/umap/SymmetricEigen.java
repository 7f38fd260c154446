package io.facerec.clusterer.cluster.umap;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Eigenpairs of real symmetric matrices for the spectral initialisation: cyclic Jacobi for small dense matrices and a
 * thick-restart Lanczos (full reorthogonalisation, explicit Rayleigh-Ritz) for the few largest eigenpairs of a large
 * operator, optionally restricted to the orthogonal complement of known eigenvectors.
 */
final class SymmetricEigen {
    private SymmetricEigen() {}

    /** {@code y = A x} for a symmetric {@code A}. */
    interface Operator {
        void apply(double[] x, double[] y);
    }

    /**
     * @param values eigenvalues, largest first
     * @param vectors {@code vectors[i]} is the unit eigenvector of {@code values[i]}
     * @param converged false when the iterative solver stopped at its work limit (the vectors are then the best Ritz
     *     vectors found)
     */
    record Result(double[] values, double[][] vectors, boolean converged) {}

    /** All eigenpairs of a dense symmetric matrix ({@code a} is overwritten), largest eigenvalue first. */
    static Result jacobi(double[][] a) {
        int n = a.length;
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            v[i][i] = 1;
        }
        double scale = 0;
        for (double[] row : a) {
            for (double x : row) {
                scale += x * x;
            }
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += a[p][q] * a[p][q];
                }
            }
            if (off <= 1e-30 * Math.max(scale, 1e-300)) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = a[p][q];
                    if (apq == 0) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                    a[p][q] = 0;
                    a[q][p] = 0;
                    for (int k = 0; k < n; k++) {
                        double vkp = v[k][p];
                        double vkq = v[k][q];
                        v[k][p] = c * vkp - s * vkq;
                        v[k][q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(a[y][y], a[x][x]));
        double[] values = new double[n];
        double[][] vectors = new double[n][n];
        for (int r = 0; r < n; r++) {
            int c = order[r];
            values[r] = a[c][c];
            for (int k = 0; k < n; k++) {
                vectors[r][k] = v[k][c];
            }
        }
        return new Result(values, vectors, true);
    }

    /**
     * The {@code count} algebraically largest eigenpairs of {@code op} (order {@code n}) on the orthogonal complement of
     * {@code deflate} (orthonormal vectors, in practice eigenvectors of {@code op} already known).
     *
     * @param tol residual norm {@code ||A y - theta y||} at which a Ritz pair counts as converged
     * @param maxApplications work limit in operator applications; the best Ritz vectors are returned past it
     */
    static Result largest(
            Operator op, int n, int count, double[][] deflate, SplittableRandom rng, double tol, int maxApplications) {
        int free = n - deflate.length;
        if (count < 1 || count >= free) {
            throw new IllegalArgumentException("need 1 <= count < " + free + ", got " + count);
        }
        int m = Math.min(free, Math.max(2 * count + 16, 32));
        int keep = Math.min(m - 1, Math.max(count + 2, m / 2));
        double[][] v = new double[m][];
        double[][] w = new double[m][];
        double[][] h = new double[m][m];
        double[] f = randomStart(n, rng);
        int size = 0;
        fullyOrthogonalise(f, deflate, v, size);
        int applications = 0;
        while (true) {
            boolean invariant = false;
            while (size < m) {
                double norm = norm(f);
                if (norm < 1e-10) {
                    if (size >= free) {
                        invariant = true;
                        break;
                    }
                    // the Krylov space closed early: continue with a fresh direction
                    f = randomStart(n, rng);
                    fullyOrthogonalise(f, deflate, v, size);
                    continue;
                }
                scale(f, 1 / norm);
                double[] af = new double[n];
                op.apply(f, af);
                applications++;
                orthogonalise(af, deflate, deflate.length);
                v[size] = f;
                w[size] = af;
                for (int i = 0; i <= size; i++) {
                    double hij = dot(v[i], af);
                    h[i][size] = hij;
                    h[size][i] = hij;
                }
                size++;
                // the next direction: the part of A v outside the basis (the Lanczos residual)
                f = af.clone();
                fullyOrthogonalise(f, deflate, v, size);
            }
            double[][] small = new double[size][size];
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    small[i][j] = 0.5 * (h[i][j] + h[j][i]);
                }
            }
            Result ritz = jacobi(small);
            int wanted = Math.min(count, size);
            double[][] y = new double[size][];
            double[][] ay = new double[size][];
            boolean converged = true;
            int kept = invariant ? size : Math.min(keep, size);
            for (int r = 0; r < Math.max(wanted, kept); r++) {
                y[r] = combine(v, ritz.vectors()[r], size, n);
                ay[r] = combine(w, ritz.vectors()[r], size, n);
                if (r < wanted) {
                    double res = 0;
                    for (int k = 0; k < n; k++) {
                        double d = ay[r][k] - ritz.values()[r] * y[r][k];
                        res += d * d;
                    }
                    converged &= Math.sqrt(res) <= tol;
                }
            }
            if (converged || invariant || applications >= maxApplications) {
                double[] values = Arrays.copyOf(ritz.values(), count);
                double[][] vectors = new double[count][];
                for (int r = 0; r < count; r++) {
                    vectors[r] = y[r];
                    scale(vectors[r], 1 / norm(vectors[r]));
                }
                return new Result(values, vectors, converged || invariant);
            }
            // thick restart: keep the leading Ritz vectors; the residual direction f stays orthogonal to them
            for (double[] row : h) {
                Arrays.fill(row, 0);
            }
            for (int r = 0; r < kept; r++) {
                v[r] = y[r];
                w[r] = ay[r];
                h[r][r] = ritz.values()[r];
            }
            for (int r = kept; r < m; r++) {
                v[r] = null;
                w[r] = null;
            }
            size = kept;
        }
    }

    /** Two passes of Gram-Schmidt against the deflated vectors and the basis. */
    private static void fullyOrthogonalise(double[] f, double[][] deflate, double[][] basis, int size) {
        for (int pass = 0; pass < 2; pass++) {
            orthogonalise(f, deflate, deflate.length);
            orthogonalise(f, basis, size);
        }
    }

    private static double[] randomStart(int n, SplittableRandom rng) {
        double[] f = new double[n];
        for (int i = 0; i < n; i++) {
            f[i] = rng.nextDouble() - 0.5;
        }
        return f;
    }

    private static double[] combine(double[][] basis, double[] coef, int size, int n) {
        double[] out = new double[n];
        for (int i = 0; i < size; i++) {
            double c = coef[i];
            double[] b = basis[i];
            for (int k = 0; k < n; k++) {
                out[k] += c * b[k];
            }
        }
        return out;
    }

    private static void orthogonalise(double[] f, double[][] basis, int size) {
        for (int i = 0; i < size; i++) {
            double c = dot(basis[i], f);
            double[] b = basis[i];
            for (int k = 0; k < f.length; k++) {
                f[k] -= c * b[k];
            }
        }
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static void scale(double[] a, double s) {
        for (int i = 0; i < a.length; i++) {
            a[i] *= s;
        }
    }
}
