package io.facerec.bench.library;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Pairwise precision, recall and F1 of predicted persons against true identities, counted per (person, identity) cell
 * in O(n): a face without a person is a group of its own, as {@code identity_ref.py score} counts noise.
 */
public record PairwiseScore(double precision, double recall, double f1, long truePairs, long predictedPairs) {

    /**
     * @param truth identity of each face
     * @param predicted person of each face, or a negative value for none
     */
    public static PairwiseScore of(long[] truth, long[] predicted) {
        Map<Long, Long> t = new HashMap<>();
        Map<Long, Long> p = new HashMap<>();
        Map<String, Long> both = new HashMap<>();
        for (int i = 0; i < truth.length; i++) {
            t.merge(truth[i], 1L, Long::sum);
            if (predicted[i] >= 0) {
                p.merge(predicted[i], 1L, Long::sum);
                both.merge(predicted[i] + ":" + truth[i], 1L, Long::sum);
            }
        }
        long tp = pairs(both);
        long truePairs = pairs(t);
        long predPairs = pairs(p);
        double precision = predPairs == 0 ? 1 : (double) tp / predPairs;
        double recall = truePairs == 0 ? 1 : (double) tp / truePairs;
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new PairwiseScore(precision, recall, f1, truePairs, predPairs);
    }

    private static long pairs(Map<?, Long> counts) {
        long s = 0;
        for (long c : counts.values()) {
            s += c * (c - 1) / 2;
        }
        return s;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "F1 %.4f (P %.4f R %.4f)", f1, precision, recall);
    }
}
