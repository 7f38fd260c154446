package io.facerec.clusterer.cluster.umap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class UmapTest {

    /** {@code count} points around a random direction of {@code d} dimensions, noise per coordinate. */
    static float[][] group(Random r, int count, int d, double noise) {
        float[] centre = new float[d];
        for (int k = 0; k < d; k++) {
            centre[k] = (float) r.nextGaussian();
        }
        float[][] out = new float[count][d];
        for (int i = 0; i < count; i++) {
            double n = 0;
            for (int k = 0; k < d; k++) {
                out[i][k] = (float) (centre[k] / Math.sqrt(d) + noise * r.nextGaussian());
                n += out[i][k] * out[i][k];
            }
            for (int k = 0; k < d; k++) {
                out[i][k] /= (float) Math.sqrt(n);
            }
        }
        return out;
    }

    static float[][] concat(float[][]... groups) {
        return Arrays.stream(groups).flatMap(Arrays::stream).toArray(float[][]::new);
    }

    /** True when each point's nearest other point in {@code y} is from its own group. */
    static void assertGroupsSeparated(float[][] y, int[] group) {
        for (int i = 0; i < y.length; i++) {
            int best = -1;
            double bestD = Double.POSITIVE_INFINITY;
            for (int j = 0; j < y.length; j++) {
                double dx = y[i][0] - y[j][0];
                double dy = y[i][1] - y[j][1];
                if (j != i && dx * dx + dy * dy < bestD) {
                    bestD = dx * dx + dy * dy;
                    best = j;
                }
            }
            assertThat(group[best]).as("group of the nearest point to %d", i).isEqualTo(group[i]);
        }
        // and every group lies apart: its widest inner gap is below the distance to any other group
        int groups = Arrays.stream(group).max().orElse(0) + 1;
        for (int g = 0; g < groups; g++) {
            double inner = 0;
            double outer = Double.POSITIVE_INFINITY;
            for (int i = 0; i < y.length; i++) {
                if (group[i] != g) {
                    continue;
                }
                for (int j = 0; j < y.length; j++) {
                    double d = Math.hypot(y[i][0] - y[j][0], y[i][1] - y[j][1]);
                    if (group[j] == g) {
                        inner = Math.max(inner, d);
                    } else {
                        outer = Math.min(outer, d);
                    }
                }
            }
            assertThat(outer)
                    .as("group %d: nearest other group vs own diameter", g)
                    .isGreaterThan(inner);
        }
    }

    @Test
    void disconnectedGraphKeepsEveryPointWithFiniteCoordinatesAndSeparatesTheComponents() {
        // three groups of 30 and an isolated group of 10 (= n_neighbors): four components without a shared edge
        Random r = new Random(11);
        float[][] x =
                concat(group(r, 30, 64, 0.02), group(r, 30, 64, 0.02), group(r, 30, 64, 0.02), group(r, 10, 64, 0.02));
        int[] truth = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            truth[i] = i < 90 ? i / 30 : 3;
        }
        Umap.Knn knn = Umap.nearestNeighbours(Umap.normalise(x), 10);
        for (int i = 0; i < x.length; i++) {
            for (int j : knn.index()[i]) {
                assertThat(truth[j]).isEqualTo(truth[i]);
            }
        }
        Umap.Graph g = Umap.fuzzySimplicialSet(knn, 10, 1.0);
        assertThat(SpectralLayout.components(g, new int[x.length])).isEqualTo(4);

        float[][] y = new Umap(Umap.Params.DEFAULTS.withSeed(5)).fit(x);
        assertThat(y).hasNumberOfRows(x.length);
        for (float[] row : y) {
            assertThat(row).hasSize(2);
            assertThat(Float.isFinite(row[0]) && Float.isFinite(row[1])).isTrue();
        }
        assertGroupsSeparated(y, truth);
        assertThat(new Umap(Umap.Params.DEFAULTS.withSeed(5)).fit(x)).isDeepEqualTo(y);
        assertThat(new Umap(Umap.Params.DEFAULTS.withSeed(6)).fit(x)).isNotEqualTo(y);
    }

    @Test
    void manySmallComponentsIncludingOnesTooSmallForASpectralLayout() {
        // n_neighbors 3: six groups of 12 and one of 3 points; more than 2 * dim components, so their places come from
        // the spectral embedding of the centroids, and the 3-point one is spread at random around its place
        Random r = new Random(4);
        float[][][] groups = new float[7][][];
        for (int g = 0; g < 6; g++) {
            groups[g] = group(r, 12, 48, 0.02);
        }
        groups[6] = group(r, 3, 48, 0.02);
        float[][] x = concat(groups);
        int[] truth = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            truth[i] = Math.min(6, i / 12);
        }
        Umap.Params p = new Umap.Params(3, 2, 0.1, 1.0, 0, 1.0, 1.0, 5, 1.0, 1);
        Umap.Graph graph = Umap.fuzzySimplicialSet(Umap.nearestNeighbours(Umap.normalise(x), 3), 3, 1.0);
        int[] labels = new int[x.length];
        assertThat(SpectralLayout.components(graph, labels)).isGreaterThanOrEqualTo(7);
        float[][] y = new Umap(p).fit(x);
        assertThat(y).hasNumberOfRows(x.length);
        for (float[] row : y) {
            assertThat(Float.isFinite(row[0]) && Float.isFinite(row[1])).isTrue();
        }
        assertThat(new Umap(p).fit(x)).isDeepEqualTo(y);
    }

    @Test
    void tinyInputsGetCoordinates() {
        Random r = new Random(1);
        assertThat(new Umap(Umap.Params.DEFAULTS).fit(new float[0][8])).isEmpty();
        assertThat(new Umap(Umap.Params.DEFAULTS).fit(group(r, 1, 8, 0.1))).hasNumberOfRows(1);
        for (int n = 2; n <= 12; n++) {
            float[][] y = new Umap(Umap.Params.DEFAULTS).fit(group(r, n, 8, 0.3));
            assertThat(y).hasNumberOfRows(n);
            for (float[] row : y) {
                assertThat(Float.isFinite(row[0]) && Float.isFinite(row[1])).isTrue();
            }
        }
    }

    @Test
    void smoothKnnDistMatchesItsDefinition() {
        Random r = new Random(2);
        float[][] x = Umap.normalise(group(r, 40, 16, 0.3));
        int k = 10;
        Umap.Knn knn = Umap.nearestNeighbours(x, k);
        float[][] sr = Umap.smoothKnnDist(knn.distance(), k, 1.0);
        for (int i = 0; i < x.length; i++) {
            assertThat(knn.index()[i][0]).isEqualTo(i);
            assertThat(knn.distance()[i][0]).isZero();
            // neighbours sorted, rho = nearest other point
            for (int j = 1; j < k; j++) {
                assertThat(knn.distance()[i][j]).isGreaterThanOrEqualTo(knn.distance()[i][j - 1]);
            }
            assertThat(sr[1][i]).isEqualTo(knn.distance()[i][1]);
            double sum = 0;
            for (int j = 1; j < k; j++) {
                sum += Math.exp(-Math.max(0, knn.distance()[i][j] - sr[1][i]) / sr[0][i]);
            }
            assertThat(sum).isCloseTo(Math.log(k) / Math.log(2), within(1e-3));
        }
        // the exact neighbours
        for (int i = 0; i < x.length; i++) {
            double worst = knn.distance()[i][k - 1];
            int closer = 0;
            for (int j = 0; j < x.length; j++) {
                if (1 - Umap.dot(x[i], x[j]) < worst - 1e-6) {
                    closer++;
                }
            }
            assertThat(closer).isLessThanOrEqualTo(k - 1);
        }
    }

    @Test
    void blockedNeighbourSearchEqualsTheNaiveOne() {
        // 150 rows: not a multiple of the 4 x 4 blocks, across several column chunks
        Random r = new Random(8);
        float[][] x = Umap.normalise(group(r, 150, 24, 0.5));
        int k = 7;
        Umap.Knn knn = Umap.nearestNeighbours(x, k);
        for (int i = 0; i < x.length; i++) {
            final int row = i;
            float[] d = new float[x.length];
            Integer[] order = new Integer[x.length];
            for (int j = 0; j < x.length; j++) {
                float s = 0;
                for (int c = 0; c < x[i].length; c++) {
                    s += x[i][c] * x[j][c];
                }
                d[j] = j == i ? 0 : Math.max(0f, 1f - s);
                order[j] = j;
            }
            Arrays.sort(
                    order,
                    (a, b) -> a == row
                            ? -1
                            : b == row ? 1 : d[a] != d[b] ? Float.compare(d[a], d[b]) : Integer.compare(a, b));
            for (int j = 0; j < k; j++) {
                assertThat(knn.index()[i][j]).isEqualTo(order[j]);
                assertThat(knn.distance()[i][j]).isEqualTo(d[order[j]]);
            }
        }
    }

    @Test
    void fuzzyUnionIsSymmetricWithinTheUnitInterval() {
        Random r = new Random(3);
        Umap.Knn knn = Umap.nearestNeighbours(Umap.normalise(group(r, 60, 16, 0.4)), 10);
        Umap.Graph g = Umap.fuzzySimplicialSet(knn, 10, 1.0);
        for (int i = 0; i < g.n(); i++) {
            for (int e = g.ptr()[i]; e < g.ptr()[i + 1]; e++) {
                int j = g.col()[e];
                assertThat(j).isNotEqualTo(i);
                assertThat(g.val()[e]).isGreaterThan(0f).isLessThanOrEqualTo(1f);
                float back = Float.NaN;
                for (int f = g.ptr()[j]; f < g.ptr()[j + 1]; f++) {
                    if (g.col()[f] == i) {
                        back = g.val()[f];
                    }
                }
                assertThat(back).isEqualTo(g.val()[e]);
            }
            // each point is fully connected to its nearest neighbour
            int nearest = knn.index()[i][1];
            boolean found = false;
            for (int e = g.ptr()[i]; e < g.ptr()[i + 1]; e++) {
                found |= g.col()[e] == nearest && Math.abs(g.val()[e] - 1f) < 1e-6;
            }
            assertThat(found).isTrue();
        }
    }

    @Test
    void curveParametersMatchUmapLearn() {
        // umap-learn 0.5.3 find_ab_params(1.0, 0.1) = (1.5769434604035877, 0.8950608780665811)
        double[] ab = Umap.findAb(1.0, 0.1);
        assertThat(ab[0]).isCloseTo(1.5769434604035877, within(1e-5));
        assertThat(ab[1]).isCloseTo(0.8950608780665811, within(1e-5));
    }

    @Test
    void lanczosAgreesWithJacobi() {
        SplittableRandom rng = new SplittableRandom(9);
        int n = 80;
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < Math.min(n, i + 4); j++) {
                double v = rng.nextDouble();
                a[i][j] = v;
                a[j][i] = v;
            }
        }
        double[][] copy = new double[n][];
        for (int i = 0; i < n; i++) {
            copy[i] = a[i].clone();
        }
        SymmetricEigen.Result dense = SymmetricEigen.jacobi(copy);
        double[] top = dense.vectors()[0];
        SymmetricEigen.Result lanczos = SymmetricEigen.largest(
                (x, y) -> {
                    for (int i = 0; i < n; i++) {
                        y[i] = SymmetricEigen.dot(a[i], x);
                    }
                },
                n,
                3,
                new double[][] {top},
                rng,
                1e-9,
                10_000);
        assertThat(lanczos.converged()).isTrue();
        for (int r = 0; r < 3; r++) {
            assertThat(lanczos.values()[r]).isCloseTo(dense.values()[r + 1], within(1e-7));
            assertThat(Math.abs(SymmetricEigen.dot(lanczos.vectors()[r], dense.vectors()[r + 1])))
                    .isCloseTo(1.0, within(1e-6));
        }
    }
}
