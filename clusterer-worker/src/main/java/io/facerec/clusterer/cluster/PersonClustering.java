package io.facerec.clusterer.cluster;

import io.facerec.clusterer.cluster.umap.Umap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The clustering decision for everything at once ({@code --recluster}, {@code facerec --evaluate}), free of any
 * database: given every embedded face of one model, decides which faces join which person fixed by users and which
 * form new persons. Its work and memory grow with the number of faces times a constant, not with its square, so a
 * library of a million faces reclusters in minutes:
 * <ol>
 *   <li>match: a free face joins the fixed person it is most similar to on average (average linkage, exact from the
 *       person's centroid, the same rule and thresholds as the streaming clusterer's);</li>
 *   <li>group: the faces still free are clustered ({@link Algorithm}), exactly below {@link #EXACT_MAX} faces, on a
 *       {@link KnnGraph} above; each group becomes a new person;</li>
 *   <li>constraints: two faces of the same slot (media item and frame) never share a person; a rejected
 *       (face, person) pair is never assigned; user-verified faces are never moved.</li>
 * </ol>
 */
public final class PersonClustering {

    /** How unassigned faces are grouped. */
    public enum Algorithm {
        /** DBSCAN with cosine distance (the origin's recluster mode). */
        DBSCAN,
        /** Average-linkage agglomerative clustering cut at {@code 1 - eps}. */
        AVERAGE_LINKAGE,
        /**
         * The origin's default mode: {@link Umap} (cosine, 10 neighbours, min_dist 0.1, 2-d, seed 0, every face kept)
         * then DBSCAN with Euclidean distance in the 2-d embedding; {@code eps} is a radius in that space.
         */
        UMAP_DBSCAN
    }

    /** Below this many faces the grouping is exact (an n×n matrix); above, it runs on a k-NN graph. */
    public static final int EXACT_MAX = 5_000;
    /** Neighbours per face in the k-NN graph of a large grouping. */
    static final int GRAPH_NEIGHBOURS = 32;
    /** Cells each face is compared with when the graph is built (as benchmarked by {@code bench/library.sh}). */
    static final int GRAPH_PROBES = 3;

    /**
     * @param matchThreshold average linkage at which a face joins a large person
     * @param eps grouping radius: cosine distance for DBSCAN and AVERAGE_LINKAGE (which cuts at similarity
     *     {@code 1 - eps}); Euclidean distance in the 2-d UMAP embedding for UMAP_DBSCAN
     * @param minSamples DBSCAN core size incl. the point; smallest new person for every algorithm
     * @param singleFaceThreshold average linkage needed to join a one-face person (falls to {@code matchThreshold} as
     *     {@code 1/sqrt(faces)}); at most {@code matchThreshold} means no size dependence
     */
    public record Settings(
            Algorithm algorithm, double matchThreshold, double eps, int minSamples, double singleFaceThreshold) {
        public Settings(Algorithm algorithm, double matchThreshold, double eps, int minSamples) {
            this(algorithm, matchThreshold, eps, minSamples, matchThreshold);
        }

        /** The average linkage a face needs to join a person of {@code n} faces. */
        public double threshold(int n) {
            double single = Math.max(singleFaceThreshold, matchThreshold);
            return matchThreshold + (single - matchThreshold) / Math.sqrt(Math.max(1, n));
        }
    }

    /** A face as the decision sees it. {@code personId} null = unassigned. */
    public record Face(long id, String slot, Long personId, boolean userVerified, float[] embedding) {}

    /**
     * @param matches face id to existing person id
     * @param newPersons groups of face ids, each a new person
     * @param unassigned face ids considered and left without a person
     */
    public record Plan(Map<Long, Long> matches, List<List<Long>> newPersons, List<Long> unassigned) {}

    private PersonClustering() {}

    /**
     * @param faces every face of the model; those with a person are fixed (their persons are the known ones), those
     *     without one and not user-verified are placed
     * @param rejected "not this person" pairs as {@link #pair(long, long)} keys
     */
    public static Plan plan(List<Face> faces, Set<Long> rejected, Settings t) {
        Map<Long, List<float[]>> fixed = new LinkedHashMap<>();
        List<Face> pool = new ArrayList<>();
        Map<String, Set<Long>> slots = new HashMap<>();
        for (Face f : faces) {
            if (f.personId() != null) {
                fixed.computeIfAbsent(f.personId(), k -> new ArrayList<>()).add(f.embedding());
                slots.computeIfAbsent(f.slot(), k -> new HashSet<>()).add(f.personId());
            } else if (!f.userVerified()) {
                pool.add(f);
            }
        }
        Map<Long, Long> matches = new LinkedHashMap<>();
        List<Face> rest = new ArrayList<>();
        if (fixed.isEmpty()) {
            rest.addAll(pool);
        } else {
            match(pool, fixed, slots, rejected, t, matches, rest);
        }
        float[][] x = new float[rest.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = rest.get(i).embedding();
        }
        int[] labels = group(x, t);
        Map<Integer, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != CosineDbscan.NOISE) {
                groups.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(i);
            }
        }
        List<List<Long>> newPersons = new ArrayList<>();
        Set<Long> placed = new HashSet<>();
        for (List<Integer> members : groups.values()) {
            List<Integer> kept = onePerSlot(members, x, rest);
            if (kept.size() < Math.min(2, t.minSamples()) || kept.size() < 1) {
                continue;
            }
            List<Long> ids = new ArrayList<>();
            for (int i : kept) {
                ids.add(rest.get(i).id());
                placed.add(rest.get(i).id());
            }
            newPersons.add(ids);
        }
        List<Long> unassigned = new ArrayList<>();
        for (Face f : rest) {
            if (!placed.contains(f.id())) {
                unassigned.add(f.id());
            }
        }
        return new Plan(matches, newPersons, unassigned);
    }

    /** Faces per search when the free faces are matched to the fixed persons. */
    private static final int MATCH_CHUNK = 4096;

    private static void match(
            List<Face> pool,
            Map<Long, List<float[]>> fixed,
            Map<String, Set<Long>> slots,
            Set<Long> rejected,
            Settings t,
            Map<Long, Long> matches,
            List<Face> rest) {
        PersonCentroids persons = new PersonCentroids(16);
        Map<Long, PersonCentroids.Centroid> centroids = new HashMap<>();
        fixed.forEach((p, vs) -> {
            float[] sum = new float[vs.get(0).length];
            for (float[] v : vs) {
                for (int k = 0; k < sum.length; k++) {
                    sum[k] += v[k];
                }
            }
            centroids.put(p, new PersonCentroids.Centroid(sum, vs.size()));
        });
        persons.putAll(centroids);
        for (int from = 0; from < pool.size(); from += MATCH_CHUNK) {
            List<Face> chunk = pool.subList(from, Math.min(pool.size(), from + MATCH_CHUNK));
            float[][] q = new float[chunk.size()][];
            for (int i = 0; i < q.length; i++) {
                q[i] = chunk.get(i).embedding();
            }
            List<List<PersonCentroids.Candidate>> candidates =
                    persons.candidates(q, IncrementalClustering.PERSON_CANDIDATES);
            for (int i = 0; i < q.length; i++) {
                Face f = chunk.get(i);
                Long best = null;
                for (PersonCentroids.Candidate c : candidates.get(i)) { // highest linkage first
                    if (c.linkage() >= t.threshold(centroids.get(c.personId()).count())
                            && !rejected.contains(pair(f.id(), c.personId()))
                            && !slots.getOrDefault(f.slot(), Set.of()).contains(c.personId())) {
                        best = c.personId();
                        break;
                    }
                }
                if (best != null) {
                    matches.put(f.id(), best);
                    slots.computeIfAbsent(f.slot(), k -> new HashSet<>()).add(best);
                } else {
                    rest.add(f);
                }
            }
        }
        persons.clear();
    }

    /** Labels of the rows (0..k-1, or {@link CosineDbscan#NOISE}) by the configured algorithm. */
    static int[] group(float[][] x, Settings t) {
        int n = x.length;
        if (n == 0) {
            return new int[0];
        }
        boolean exact = n <= EXACT_MAX;
        return switch (t.algorithm()) {
            case AVERAGE_LINKAGE ->
                exact
                        ? AverageLinkage.cluster(x, 1 - t.eps(), t.minSamples())
                        : SparseAverageLinkage.cluster(
                                x,
                                KnnGraph.build(x, 1 - t.eps(), GRAPH_NEIGHBOURS, GRAPH_PROBES, 1),
                                1 - t.eps(),
                                t.minSamples());
            case DBSCAN ->
                exact
                        ? CosineDbscan.cluster(x, t.eps(), t.minSamples())
                        : CosineDbscan.onGraph(
                                KnnGraph.build(
                                        x, 1 - t.eps(), Math.max(GRAPH_NEIGHBOURS, t.minSamples()), GRAPH_PROBES, 1),
                                t.minSamples());
            case UMAP_DBSCAN ->
                EuclideanDbscan.cluster(
                        exact
                                ? new Umap(Umap.Params.DEFAULTS).fit(x)
                                : new Umap(Umap.Params.DEFAULTS)
                                        .fit(
                                                x,
                                                KnnGraph.build(
                                                        x, -1, Umap.Params.DEFAULTS.nNeighbors() - 1, GRAPH_PROBES, 1)),
                        t.eps(),
                        t.minSamples());
        };
    }

    /** Keeps at most one face per slot, those closest to the group's mean first. */
    static List<Integer> onePerSlot(List<Integer> members, float[][] x, List<Face> rest) {
        int d = x[members.get(0)].length;
        float[] mean = new float[d];
        for (int i : members) {
            for (int k = 0; k < d; k++) {
                mean[k] += x[i][k];
            }
        }
        List<Integer> order = new ArrayList<>(members);
        order.sort(Comparator.comparingDouble(i -> -CosineDbscan.dot(x[i], mean)));
        Set<String> slots = new HashSet<>();
        List<Integer> kept = new ArrayList<>();
        for (int i : order) {
            if (slots.add(rest.get(i).slot())) {
                kept.add(i);
            }
        }
        return kept;
    }

    /** The stored "not this person" rows ({face, person}) as {@link #pair(long, long)} keys. */
    public static Set<Long> rejectedPairs(List<long[]> rows) {
        Set<Long> keys = new HashSet<>();
        for (long[] r : rows) {
            keys.add(pair(r[0], r[1]));
        }
        return keys;
    }

    /** Key of a (face, person) pair. */
    public static long pair(long face, long person) {
        return face * 1_000_003L ^ person;
    }
}
