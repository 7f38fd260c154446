package io.facerec.clusterer.cluster;

import io.facerec.clusterer.index.IvfIndex;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every person of one embedding model as the sum and count of its faces' embeddings. For unit vectors the mean
 * similarity of a face to all faces of a person (average linkage) is {@code face · sum / count}: exact, in one dot
 * product, whatever the person's size. Candidate persons for a face come from an {@link IvfIndex} over the
 * persons' mean directions; their linkage is then computed exactly from the sums.
 */
public final class PersonCentroids {
    /** A person's sum of embeddings and face count. */
    public record Centroid(float[] sum, int count) {
        /** Average linkage of a face to this person: its mean similarity to the person's faces. */
        public double linkage(float[] face) {
            double s = 0;
            for (int k = 0; k < face.length; k++) {
                s += face[k] * sum[k];
            }
            return s / count;
        }

        /** Mean similarity between two different faces of the person (1 for a single face). */
        public double cohesion() {
            if (count < 2) {
                return 1;
            }
            double s = 0;
            for (float x : sum) {
                s += x * x;
            }
            return (s - count) / ((double) count * (count - 1));
        }

        Centroid plus(float[] v, int sign) {
            float[] out = sum.clone();
            for (int k = 0; k < v.length; k++) {
                out[k] += sign * v[k];
            }
            return new Centroid(out, count + sign);
        }
    }

    /** A candidate person and the face's average linkage to it. */
    public record Candidate(long personId, double linkage) {}

    private final Map<Long, Centroid> byPerson = new HashMap<>();
    private final IvfIndex directions;

    public PersonCentroids(int probes) {
        this.directions = new IvfIndex(probes);
    }

    public Centroid get(long person) {
        return byPerson.get(person);
    }

    public int size() {
        return byPerson.size();
    }

    public Collection<Long> persons() {
        return byPerson.keySet();
    }

    /** Replaces (or, with a null or empty centroid, removes) a person's centroid. */
    public void put(long person, Centroid c) {
        if (c == null || c.count() <= 0) {
            byPerson.remove(person);
            directions.remove(person);
            return;
        }
        byPerson.put(person, c);
        directions.add(person, unit(c.sum()));
    }

    /** Replaces many at once (a start or a reload): one index build. */
    public void putAll(Map<Long, Centroid> all) {
        List<Long> ids = new ArrayList<>(all.size());
        List<float[]> vectors = new ArrayList<>(all.size());
        for (var e : all.entrySet()) {
            if (e.getValue().count() > 0) {
                byPerson.put(e.getKey(), e.getValue());
                ids.add(e.getKey());
                vectors.add(unit(e.getValue().sum()));
            }
        }
        directions.addAll(ids.stream().mapToLong(Long::longValue).toArray(), vectors.toArray(new float[0][]));
    }

    public void clear() {
        byPerson.clear();
        directions.clear();
    }

    /** Adds faces to a person (creating it), as a streaming run assigns them. */
    public void add(long person, List<float[]> faces) {
        Centroid c = byPerson.get(person);
        for (float[] v : faces) {
            c = c == null ? new Centroid(v.clone(), 1) : c.plus(v, 1);
        }
        put(person, c);
    }

    /**
     * For each face, the persons whose mean direction is among the {@code k} most similar to it (approximate, by the
     * index), with the face's exact average linkage to each, highest first.
     */
    public List<List<Candidate>> candidates(float[][] faces, int k) {
        List<List<Candidate>> out = new ArrayList<>(faces.length);
        List<List<IvfIndex.Hit>> hits = directions.search(faces, k, -1f);
        for (int i = 0; i < faces.length; i++) {
            List<Candidate> c = new ArrayList<>();
            for (IvfIndex.Hit h : hits.get(i)) {
                Centroid centroid = byPerson.get(h.id());
                if (centroid != null) {
                    c.add(new Candidate(h.id(), centroid.linkage(faces[i])));
                }
            }
            c.sort((a, b) -> Double.compare(b.linkage(), a.linkage()));
            out.add(c);
        }
        return out;
    }

    /** Bytes of native memory the index of mean directions takes. */
    public long nativeBytes() {
        return directions.nativeBytes();
    }

    static float[] unit(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        float inv = s == 0 ? 0 : (float) (1 / Math.sqrt(s));
        float[] out = new float[v.length];
        for (int k = 0; k < v.length; k++) {
            out[k] = v[k] * inv;
        }
        return out;
    }
}
