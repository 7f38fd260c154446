package io.facerec.clusterer.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IvfIndexTest {
    static float[] unit(Random r, float[] around, double noise, int d) {
        float[] v = new float[d];
        double s = 0;
        for (int i = 0; i < d; i++) {
            v[i] = (float) ((around == null ? 0 : around[i]) + noise * r.nextGaussian());
            s += v[i] * v[i];
        }
        for (int i = 0; i < d; i++) {
            v[i] /= (float) Math.sqrt(s);
        }
        return v;
    }

    @Test
    void findsTheSameNeighboursAsAnExhaustiveScanAcrossRetrainsAndRemovals() {
        int d = 64;
        Random r = new Random(1);
        float[][] centres = new float[300][];
        for (int c = 0; c < centres.length; c++) {
            centres[c] = unit(r, null, 1, d);
        }
        float[][] x = new float[9000][];
        for (int i = 0; i < x.length; i++) {
            x[i] = unit(r, centres[i % centres.length], 0.08, d);
        }
        try (IvfIndex index = new IvfIndex(8)) {
            // in three parts: the index trains at the first, retrains when it doubles
            for (int from = 0; from < x.length; from += 3000) {
                long[] ids = new long[3000];
                float[][] part = new float[3000][];
                for (int i = 0; i < 3000; i++) {
                    ids[i] = from + i;
                    part[i] = x[from + i];
                }
                index.addAll(ids, part);
            }
            assertThat(index.size()).isEqualTo(9000);
            assertThat(index.cells()).isGreaterThan(100);
            for (int i = 0; i < 9000; i += 7) {
                index.remove(i);
            }
            assertThat(index.size()).isEqualTo(9000 - 1286);
            assertThat(index.vector(1)).containsExactly(x[1]);
            assertThat(index.vector(7)).isNull();

            float[][] queries = new float[100][];
            for (int q = 0; q < queries.length; q++) {
                queries[q] = unit(r, centres[q], 0.08, d);
            }
            List<List<IvfIndex.Hit>> hits = index.search(queries, 5, 0.5f);
            int agree = 0;
            for (int q = 0; q < queries.length; q++) {
                long best = -1;
                double bestSim = -2;
                for (int i = 0; i < x.length; i++) {
                    if (i % 7 == 0) {
                        continue;
                    }
                    double s = 0;
                    for (int k = 0; k < d; k++) {
                        s += queries[q][k] * x[i][k];
                    }
                    if (s > bestSim) {
                        bestSim = s;
                        best = i;
                    }
                }
                List<IvfIndex.Hit> h = hits.get(q);
                assertThat(h).isNotEmpty().hasSizeLessThanOrEqualTo(5);
                assertThat(h).isSortedAccordingTo((a, b) -> Float.compare(b.similarity(), a.similarity()));
                assertThat(h).allMatch(hit -> hit.similarity() >= 0.5f && hit.id() % 7 != 0);
                agree += h.get(0).id() == best ? 1 : 0;
            }
            assertThat(agree).as("nearest found by the index").isGreaterThanOrEqualTo(97);
        }
    }

    @Test
    void aCellProbedByFewQueriesScoresAsOneProbedByMany() {
        int d = 512;
        Random r = new Random(2);
        float[][] x = new float[6000][];
        long[] ids = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = unit(r, null, 1, d);
            ids[i] = i;
        }
        float[] query = unit(r, x[42], 0.02, d);
        try (IvfIndex index = new IvfIndex(4)) {
            index.addAll(ids, x);
            // alone, the query's cells are scored by sgemv; among copies of itself by one sgemm per cell
            List<IvfIndex.Hit> alone =
                    index.search(new float[][] {query}, 10, -1f).get(0);
            float[][] many = new float[IvfIndex.GEMV_UP_TO + 3][];
            Arrays.fill(many, query);
            List<IvfIndex.Hit> together = index.search(many, 10, -1f).get(0);
            assertThat(alone).hasSize(10);
            assertThat(alone.get(0).id()).isEqualTo(42);
            assertThat(together)
                    .extracting(IvfIndex.Hit::id)
                    .containsExactlyElementsOf(
                            alone.stream().map(IvfIndex.Hit::id).toList());
            for (int i = 0; i < alone.size(); i++) {
                double exact = 0;
                for (int k = 0; k < d; k++) {
                    exact += query[k] * x[(int) alone.get(i).id()][k];
                }
                assertThat((double) alone.get(i).similarity()).isCloseTo(exact, offset(1e-5));
                assertThat(together.get(i).similarity()).isCloseTo(alone.get(i).similarity(), offset(1e-5f));
            }
        }
    }
}
