package io.facerec.clusterer.cluster;

import io.facerec.common.persistence.FaceRepository.PortraitCandidate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The origin's portrait rule: the most typical face of a person (the medoid, here the face closest to the mean
 * embedding), replaced by a sharper face when one of the {@link #CANDIDATES} most typical faces is sharper (variance
 * of the Laplacian). Typical first, so a sharp outlier (a wrong face) never becomes the portrait.
 */
public final class PortraitRule {
    static final int CANDIDATES = 5;

    private PortraitRule() {
    }

    /**
     * The incremental form the streaming clusterer applies when faces join a person (it never reads all of a large
     * person's faces): a joining face replaces the current portrait when it is sharper and about as typical (its
     * similarity to the person's new mean at most {@value #TYPICAL_SLACK} lower), or clearly more typical (by more than
     * {@value #TYPICAL_GAIN}). A face without a known sharpness counts as not sharper.
     */
    public static boolean better(float[] candidate, Double sharpness, float[] current, Double currentSharpness,
            float[] mean) {
        double t = cosine(candidate, mean);
        double tc = cosine(current, mean);
        boolean sharper = sharpness != null && (currentSharpness == null || sharpness > currentSharpness);
        return (sharper && t >= tc - TYPICAL_SLACK) || t > tc + TYPICAL_GAIN;
    }

    static final double TYPICAL_SLACK = 0.05;
    static final double TYPICAL_GAIN = 0.10;

    private static double cosine(float[] a, float[] b) {
        double d = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            d += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : d / Math.sqrt(na * nb);
    }

    public static PortraitCandidate choose(List<PortraitCandidate> faces) {
        if (faces.isEmpty()) {
            return null;
        }
        int d = faces.get(0).embedding().length;
        float[] mean = new float[d];
        for (PortraitCandidate f : faces) {
            for (int k = 0; k < d; k++) {
                mean[k] += f.embedding()[k];
            }
        }
        List<PortraitCandidate> order = new ArrayList<>(faces);
        order.sort(Comparator.comparingDouble((PortraitCandidate f) -> -CosineDbscan.dot(f.embedding(), mean))
                .thenComparingLong(f -> f.id().value()));
        PortraitCandidate best = order.get(0);
        for (PortraitCandidate f : order.subList(0, Math.min(CANDIDATES, order.size()))) {
            if (f.sharpness() > best.sharpness()) {
                best = f;
            }
        }
        return best;
    }
}
