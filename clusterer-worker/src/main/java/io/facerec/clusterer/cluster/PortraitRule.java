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
