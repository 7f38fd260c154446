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
 * The clustering decision, free of any database: given every embedded face of one model (assigned or not), decides
 * which unassigned faces join which known person and which form new persons. The clusterer worker applies the plan to
 * the database; {@code facerec --evaluate} runs the same code on a labelled folder.
 * <ol>
 *   <li>match: an unassigned face joins the person of its most similar assigned face when the similarity reaches
 *       {@code matchThreshold};</li>
 *   <li>group: the faces still unassigned are clustered ({@link Algorithm}); each group becomes a new person;</li>
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

    /**
     * @param matchThreshold cosine similarity for joining a known person
     * @param eps grouping radius: cosine distance for DBSCAN and AVERAGE_LINKAGE (which cuts at similarity
     *     {@code 1 - eps}); Euclidean distance in the 2-d UMAP embedding for UMAP_DBSCAN
     * @param minSamples DBSCAN core size incl. the point; smallest new person for every algorithm
     */
    public record Settings(Algorithm algorithm, double matchThreshold, double eps, int minSamples) {
    }

    /** A face as the decision sees it. {@code personId} null = unassigned. */
    public record Face(long id, String slot, Long personId, boolean userVerified, float[] embedding) {
    }

    /**
     * @param matches face id to existing person id
     * @param newPersons groups of face ids, each a new person
     * @param unassigned face ids considered and left without a person
     */
    public record Plan(Map<Long, Long> matches, List<List<Long>> newPersons, List<Long> unassigned) {
    }

    private PersonClustering() {
    }

    /** Known persons a face may join: candidates at or above a similarity, most similar first. */
    public interface Matcher {
        /** A known person and the similarity of its nearest face. */
        record Candidate(long personId, double similarity) {
        }

        List<Candidate> candidates(float[] embedding, double minSimilarity);
    }

    /** Exhaustive search over the given assigned faces. */
    public static Matcher linear(List<Face> assigned) {
        return (v, min) -> {
            List<Matcher.Candidate> out = new ArrayList<>();
            for (Face a : assigned) {
                double sim = CosineDbscan.dot(v, a.embedding());
                if (sim >= min) {
                    out.add(new Matcher.Candidate(a.personId(), sim));
                }
            }
            out.sort(Comparator.comparingDouble((Matcher.Candidate c) -> -c.similarity()));
            return out;
        };
    }

    /** @param rejected "not this person" pairs as {@link #pair(long, long)} keys */
    public static Plan plan(List<Face> faces, Set<Long> rejected, Settings t) {
        List<Face> assigned = new ArrayList<>();
        List<Face> pool = new ArrayList<>();
        Map<String, Set<Long>> personsOfSlot = new HashMap<>();
        for (Face f : faces) {
            if (f.personId() != null) {
                assigned.add(f);
                personsOfSlot.computeIfAbsent(f.slot(), k -> new HashSet<>()).add(f.personId());
            } else if (!f.userVerified()) {
                pool.add(f);
            }
        }
        return plan(pool, linear(assigned), personsOfSlot, rejected, t);
    }

    /**
     * @param pool unassigned, unverified faces to place
     * @param known the assigned faces to match against
     * @param personsOfSlot for each slot of the pool, the persons that already have a face there
     * @param rejected "not this person" pairs as {@link #pair(long, long)} keys
     */
    public static Plan plan(List<Face> pool, Matcher known, Map<String, Set<Long>> personsOfSlot, Set<Long> rejected,
            Settings t) {
        Map<String, Set<Long>> slots = new HashMap<>();
        personsOfSlot.forEach((k, v) -> slots.put(k, new HashSet<>(v)));
        Map<Long, Long> matches = new LinkedHashMap<>();
        List<Face> rest = new ArrayList<>();
        for (Face f : pool) {
            Long best = null;
            for (Matcher.Candidate c : known.candidates(f.embedding(), t.matchThreshold())) {
                if (!rejected.contains(pair(f.id(), c.personId()))
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
        float[][] x = new float[rest.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = rest.get(i).embedding();
        }
        int[] labels = switch (t.algorithm()) {
            case AVERAGE_LINKAGE -> AverageLinkage.cluster(x, 1 - t.eps(), t.minSamples());
            case DBSCAN -> CosineDbscan.cluster(x, t.eps(), t.minSamples());
            case UMAP_DBSCAN -> EuclideanDbscan.cluster(new Umap(Umap.Params.DEFAULTS).fit(x), t.eps(),
                    t.minSamples());
        };
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

    /** Keeps at most one face per slot, those closest to the group's mean first. */
    private static List<Integer> onePerSlot(List<Integer> members, float[][] x, List<Face> rest) {
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
