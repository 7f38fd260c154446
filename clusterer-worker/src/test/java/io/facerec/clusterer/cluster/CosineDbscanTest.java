package io.facerec.clusterer.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CosineDbscanTest {

    static float[] unit(Random r, float[] around, double noise) {
        float[] v = new float[around.length];
        double n = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (around[i] + noise * r.nextGaussian());
            n += v[i] * v[i];
        }
        for (int i = 0; i < v.length; i++) {
            v[i] /= (float) Math.sqrt(n);
        }
        return v;
    }

    @Test
    void findsTightIdentitiesAndLeavesLoneFacesAsNoise() {
        Random r = new Random(7);
        int d = 64;
        float[][] centres = new float[3][];
        for (int c = 0; c < 3; c++) {
            centres[c] = unit(r, new float[d], 1.0);
        }
        float[][] x = new float[3 * 10 + 2][];
        for (int i = 0; i < 30; i++) {
            x[i] = unit(r, centres[i / 10], 0.03);
        }
        x[30] = unit(r, new float[d], 1.0);
        x[31] = unit(r, new float[d], 1.0);
        int[] labels = CosineDbscan.cluster(x, 0.3, 3);
        for (int c = 0; c < 3; c++) {
            for (int i = c * 10; i < c * 10 + 10; i++) {
                assertThat(labels[i]).isEqualTo(labels[c * 10]).isNotEqualTo(CosineDbscan.NOISE);
            }
        }
        assertThat(labels[0]).isNotEqualTo(labels[10]);
        assertThat(labels[10]).isNotEqualTo(labels[20]);
        assertThat(labels[30]).isEqualTo(CosineDbscan.NOISE);
        assertThat(labels[31]).isEqualTo(CosineDbscan.NOISE);
    }

    @Test
    void minSamplesCountsThePointItselfAsScikitLearnDoes() {
        float[][] pair = {{1, 0}, {0.99f, 0.141f}};
        assertThat(CosineDbscan.cluster(pair, 0.1, 2)).containsExactly(0, 0);
        assertThat(CosineDbscan.cluster(pair, 0.1, 3)).containsExactly(-1, -1);
    }

    /** From {@link CosineDbscan#APPROXIMATE_AT} faces on the neighbourhoods are approximate: the true groups still. */
    @Test
    void aLargeSetTakesTheApproximatePathAndFindsTheTrueGroups() {
        Random r = new Random(11);
        int n = CosineDbscan.APPROXIMATE_AT;
        float[][] centres = new float[n / 10][];
        for (int c = 0; c < centres.length; c++) {
            centres[c] = unit(r, new float[128], 1);
        }
        float[][] x = new float[n][];
        for (int i = 0; i < n; i++) {
            x[i] = unit(r, centres[i % centres.length], 0.04); // within a group: cosine about 0.85, between: 0 +- 0.09
        }
        int[] labels = CosineDbscan.cluster(x, 0.5, 3);
        Map<Integer, Integer> labelOfGroup = new HashMap<>();
        Set<Integer> used = new HashSet<>();
        int consistent = 0;
        for (int i = 0; i < n; i++) {
            int group = i % centres.length;
            Integer first = labelOfGroup.putIfAbsent(group, labels[i]);
            if (labels[i] != CosineDbscan.NOISE && (first == null || first == labels[i])) {
                consistent++;
            }
        }
        for (int label : labelOfGroup.values()) {
            assertThat(used.add(label)).as("no two people share a group").isTrue();
        }
        assertThat(consistent).as("faces in their person's group, of " + n).isGreaterThanOrEqualTo(n * 99 / 100);
    }
}
