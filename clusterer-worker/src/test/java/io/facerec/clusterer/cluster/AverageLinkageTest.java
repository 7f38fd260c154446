package io.facerec.clusterer.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.Set;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class AverageLinkageTest {

    @Test
    void cutsTheDendrogramAtTheSimilarityThreshold() {
        Random r = new Random(3);
        float[][] centres = {CosineDbscanTest.unit(r, new float[32], 1), CosineDbscanTest.unit(r, new float[32], 1)};
        float[][] x = new float[13][];
        for (int i = 0; i < 12; i++) {
            x[i] = CosineDbscanTest.unit(r, centres[i / 6], 0.05);
        }
        x[12] = CosineDbscanTest.unit(r, new float[32], 1);
        int[] labels = AverageLinkage.cluster(x, 0.5, 2);
        for (int i = 0; i < 6; i++) {
            assertThat(labels[i]).isEqualTo(labels[0]).isNotNegative();
            assertThat(labels[i + 6]).isEqualTo(labels[6]).isNotNegative();
        }
        assertThat(labels[0]).isNotEqualTo(labels[6]);
        assertThat(labels[12]).isEqualTo(CosineDbscan.NOISE);
        // a cut below every similarity merges everything
        assertThat(AverageLinkage.cluster(x, -1.0, 2)).containsOnly(0);
        // a cut above every similarity leaves only singletons: all noise with minSize 2
        assertThat(AverageLinkage.cluster(x, 1.01, 2)).containsOnly(CosineDbscan.NOISE);
    }

    @Test
    void averageLinkageDoesNotChainLikeSingleLinkage() {
        // a chain a - b - c where a~b and b~c are similar but a and c are not: on average {a,b} vs c falls below
        float[] a = {1, 0};
        float[] b = {(float) Math.cos(0.6), (float) Math.sin(0.6)};
        float[] c = {(float) Math.cos(1.2), (float) Math.sin(1.2)};
        int[] labels = AverageLinkage.cluster(new float[][] {a, b, c}, 0.8, 1);
        assertThat(labels[0]).isEqualTo(labels[1]);
        assertThat(labels[2]).isNotEqualTo(labels[0]);
        assertThat(CosineDbscan.cluster(new float[][] {a, b, c}, 1 - 0.8, 2)).containsOnly(0);
    }

    @Test
    void planKeepsOneFacePerPhotoAndHonoursRejections() {
        float[] v = {1, 0};
        float[] w = {0.99f, 0.141f};
        var settings = new PersonClustering.Settings(PersonClustering.Algorithm.AVERAGE_LINKAGE, 0.9, 0.2, 2);
        var plan = PersonClustering.plan(
                List.of(
                        new PersonClustering.Face(1, "photo1", null, false, v),
                        new PersonClustering.Face(2, "photo1", null, false, w),
                        new PersonClustering.Face(3, "photo2", null, false, v)),
                Set.of(),
                settings);
        assertThat(plan.newPersons()).hasSize(1);
        assertThat(plan.newPersons().get(0)).hasSize(2).contains(3L);
        assertThat(plan.unassigned()).hasSize(1);

        var known = PersonClustering.plan(
                List.of(
                        new PersonClustering.Face(1, "p1", 7L, false, v),
                        new PersonClustering.Face(2, "p2", null, false, v),
                        new PersonClustering.Face(3, "p3", null, false, w)),
                Set.of(PersonClustering.pair(2, 7)),
                settings);
        assertThat(known.matches()).containsOnlyKeys(3L).containsEntry(3L, 7L);
    }

    /** The OpenBLAS matrix holds every pair's dot product, once per pair, across several row blocks. */
    @Test
    void theSimilarityMatrixIsEveryPairsDotProductSymmetric() {
        Random r = new Random(5);
        float[][] x = new float[2500][];
        for (int i = 0; i < x.length; i++) {
            x[i] = CosineDbscanTest.unit(r, new float[64], 1);
        }
        float[][] s = AverageLinkage.similarities(x);
        for (int k = 0; k < 20_000; k++) {
            int i = r.nextInt(x.length);
            int j = r.nextInt(x.length);
            if (i == j) {
                assertThat(s[i][i]).isZero();
                continue;
            }
            assertThat((double) s[i][j]).isCloseTo(CosineDbscan.dot(x[i], x[j]), Assertions.within(1e-5));
            assertThat(s[j][i]).isEqualTo(s[i][j]);
        }
    }

    /** Linkage on the linked faces only gives the same partition as on all faces, strangers included. */
    @Test
    void linkageOnTheLinkedFacesOnlyGivesTheSamePartition() {
        Random r = new Random(11);
        float[][] centres = new float[15][];
        for (int c = 0; c < centres.length; c++) {
            centres[c] = CosineDbscanTest.unit(r, new float[64], 1);
        }
        float[][] x = new float[400][];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 2 == 0
                    ? CosineDbscanTest.unit(r, new float[64], 1) // a stranger
                    : CosineDbscanTest.unit(r, centres[i % centres.length], 0.09);
        }
        for (int min : new int[] {1, 2}) {
            int[] all = AverageLinkage.cluster(x, 0.4, min);
            int[] linked = AverageLinkage.clusterLinked(x, 0.4, min);
            SparseAverageLinkageTest.assertSamePartition(all, linked);
        }
    }
}
