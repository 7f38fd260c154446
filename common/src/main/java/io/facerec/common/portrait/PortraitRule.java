package io.facerec.common.portrait;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The origin's portrait rule ({@code generate_portraits} in its {@code recognize_persons.py}): start from the person's
 * medoid (the face whose embedding has the smallest sum of cosine distances to the others), then walk the faces in id
 * order and take any face strictly sharper than the best so far (sharpness: variance of the Laplacian of the grey
 * thumbnail). The result is the sharpest face of the person; the medoid wins a tie for the sharpest, otherwise the
 * lowest face id among the tied ones does.
 *
 * <p>Two forms:
 * <ul>
 *   <li>{@link #choose}: the whole person at once (a recluster, a correction, a person without a portrait). It reads
 *       the sharpness of every face, and the embeddings only when the sharpest faces tie (e.g. the thumbnails are
 *       missing and every sharpness is 0), to find the medoid.</li>
 *   <li>{@link #replaces}: the incremental form for the streaming clusterer, which must not read every face of a large
 *       person per batch: a face that joins a person replaces the current portrait when it is strictly sharper. Over a
 *       run of batches this keeps the sharpest face, as {@link #choose} would; ties keep the current portrait (the
 *       full rule could prefer a newly joined face only when it becomes the medoid). Faces leaving a person
 *       invalidate it: then the whole person is chosen again.</li>
 * </ul>
 */
public final class PortraitRule {
    private PortraitRule() {}

    /** A face of a person: its id, the media file it is in, and its sharpness. */
    public record Candidate(long faceId, long mediaFileId, double sharpness) {}

    /**
     * The portrait of a person.
     *
     * @param faces the person's faces in id order
     * @param medoid the medoid's face id; asked only when two or more faces share the highest sharpness
     * @return null when the person has no face
     */
    public static Candidate choose(List<Candidate> faces, LongSupplier medoid) {
        if (faces.isEmpty()) {
            return null;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (Candidate c : faces) {
            max = Math.max(max, c.sharpness());
        }
        Candidate first = null;
        int tied = 0;
        for (Candidate c : faces) {
            if (c.sharpness() == max) {
                tied++;
                if (first == null) {
                    first = c;
                }
            }
        }
        if (tied > 1) {
            long m = medoid.getAsLong();
            for (Candidate c : faces) {
                if (c.faceId() == m && c.sharpness() == max) {
                    return c;
                }
            }
        }
        return first;
    }

    /** The incremental form: whether a face that joined the person replaces its current portrait. */
    public static boolean replaces(Candidate newcomer, Candidate current) {
        return current == null || newcomer.sharpness() > current.sharpness();
    }

    /**
     * The medoid of a person's embeddings: the face with the smallest sum of cosine distances to all of them, i.e. the
     * largest dot product of its unit vector with the sum of the unit vectors (O(n d), not the origin's n x n matrix);
     * the lowest face id wins a tie. -1 when there are none.
     */
    public static long medoid(Map<Long, float[]> embeddings) {
        float[] sum = null;
        Map<Long, float[]> unit = new TreeMap<>();
        for (Map.Entry<Long, float[]> e : embeddings.entrySet()) {
            float[] u = normalised(e.getValue());
            if (sum == null) {
                sum = new float[u.length];
            }
            if (u.length != sum.length) {
                continue; // another model's embedding: not comparable
            }
            unit.put(e.getKey(), u);
            for (int k = 0; k < u.length; k++) {
                sum[k] += u[k];
            }
        }
        long best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Map.Entry<Long, float[]> e : unit.entrySet()) {
            double d = 0;
            for (int k = 0; k < sum.length; k++) {
                d += e.getValue()[k] * sum[k];
            }
            if (d > bestScore) {
                bestScore = d;
                best = e.getKey();
            }
        }
        return best;
    }

    private static float[] normalised(float[] v) {
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        float[] u = new float[v.length];
        if (n == 0) {
            return u;
        }
        double inv = 1 / Math.sqrt(n);
        for (int i = 0; i < v.length; i++) {
            u[i] = (float) (v[i] * inv);
        }
        return u;
    }
}
