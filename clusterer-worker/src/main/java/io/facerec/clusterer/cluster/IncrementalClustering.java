package io.facerec.clusterer.cluster;

import io.facerec.clusterer.index.IvfIndex;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The streaming clusterer's decision for one batch of newly embedded faces, with work that depends on the batch and
 * its neighbourhood, never on the size of the library. It keeps, for one embedding model:
 * <ul>
 *   <li>the persons as {@link PersonCentroids} (sum and count of their faces' embeddings), and</li>
 *   <li>the unassigned pool (embedded faces without a person that no user pinned) in an {@link IvfIndex}.</li>
 * </ul>
 * For a batch ({@link #place}):
 * <ol>
 *   <li>each new face joins the person it is most similar to on average (average linkage, exact from the
 *       centroid) when that reaches {@code matchThreshold};</li>
 *   <li>its neighbours in the pool (at or above {@code neighbourSimilarity}, at most {@code neighbours}) are looked up;
 *       those that now reach {@code matchThreshold} with a person that grew in this batch join it;</li>
 *   <li>the new faces left and their pool neighbours are grouped by average linkage cut at {@code groupThreshold};
 *       each group with at least {@code minFaces} faces and at least one new face becomes a new person;</li>
 *   <li>the rest stays in the pool. A face left unassigned can only become part of a person when a new neighbour
 *       arrives, which is exactly when this runs for it again.</li>
 * </ol>
 * Constraints: two faces of one slot (media item and frame) never share a person; a rejected (face, person) pair is
 * never assigned. The plan is pure: {@link #apply} updates the state once the caller has written it.
 */
public final class IncrementalClustering {

    /**
     * @param matchThreshold average linkage of a face to a person at which it joins the person
     * @param groupThreshold average-linkage cut for a new person formed from unassigned faces
     * @param minFaces smallest new person
     * @param neighbourSimilarity pool faces at least this similar to a new face are its neighbourhood
     * @param neighbours most pool neighbours looked at per new face
     */
    public record Settings(
            double matchThreshold,
            double groupThreshold,
            int minFaces,
            double neighbourSimilarity,
            int neighbours,
            double singleFaceThreshold,
            double cohesionMargin) {
        public Settings(
                double matchThreshold,
                double groupThreshold,
                int minFaces,
                double neighbourSimilarity,
                int neighbours) {
            this(matchThreshold, groupThreshold, minFaces, neighbourSimilarity, neighbours, matchThreshold, 0);
        }

        /** The linkage a face needs to join a person of {@code n} faces with this cohesion. */
        public double threshold(PersonCentroids.Centroid c) {
            int n = c.count();
            double t = matchThreshold + (Math.max(singleFaceThreshold, matchThreshold) - matchThreshold) / Math.sqrt(n);
            if (cohesionMargin > 0 && n >= 2) {
                t = Math.max(t, c.cohesion() - cohesionMargin);
            }
            return t;
        }
    }

    /** A face to place: its id, slot ("item:frame") and unit embedding. */
    public record Face(long id, String slot, float[] embedding) {}

    /**
     * @param matches face id to the existing person it joins (new faces and pool faces)
     * @param newPersons groups of face ids, each a new person
     * @param unassigned new faces that stay in the pool
     * @param vectors the embedding of every face the plan mentions
     * @param slots the slot of every face the plan mentions
     */
    public record Plan(
            Map<Long, Long> matches,
            List<List<Long>> newPersons,
            List<Long> unassigned,
            Map<Long, float[]> vectors,
            Map<Long, String> slots) {

        /** Faces of the pool (placed earlier, left unassigned) that this plan gives a person. */
        public int poolFacesPlaced(Set<Long> batch) {
            int n = 0;
            for (Long f : matches.keySet()) {
                n += batch.contains(f) ? 0 : 1;
            }
            for (List<Long> g : newPersons) {
                for (Long f : g) {
                    n += batch.contains(f) ? 0 : 1;
                }
            }
            return n;
        }
    }

    /**
     * Cells per square root of the pool's size. Measured with bench's ClusteringLab at 100,000 faces: 4 cells per root
     * with 16 probes keeps the stream's F1 within 0.001 of the exact search; 1 per root with 4 probes lost 0.02.
     */
    static final double POOL_CELLS_PER_ROOT = 4;

    /** Candidate persons looked at per face. */
    static final int PERSON_CANDIDATES = 8;

    private final Settings settings;
    private final IvfIndex pool;
    private final Map<Long, String> poolSlots = new HashMap<>();
    private final PersonCentroids persons;
    private Set<Long> rejected = Set.of();

    public IncrementalClustering(Settings settings, int poolProbes, int personProbes) {
        this.settings = settings;
        this.pool = new IvfIndex(poolProbes, POOL_CELLS_PER_ROOT);
        this.persons = new PersonCentroids(personProbes);
    }

    public Settings settings() {
        return settings;
    }

    public PersonCentroids persons() {
        return persons;
    }

    /** Native memory of the pool's and the persons' indexes. */
    public long nativeBytes() {
        return pool.nativeBytes() + persons.nativeBytes();
    }

    public int poolSize() {
        return pool.size();
    }

    public boolean inPool(long face) {
        return poolSlots.containsKey(face);
    }

    /** "Not this person" pairs as {@link PersonClustering#pair} keys. */
    public void setRejected(Set<Long> rejected) {
        this.rejected = rejected;
    }

    /** Adds faces to the unassigned pool (a start, a reload, faces a user took out of a person). */
    public void addToPool(Collection<Face> faces) {
        long[] ids = new long[faces.size()];
        float[][] vectors = new float[faces.size()][];
        int i = 0;
        for (Face f : faces) {
            ids[i] = f.id();
            vectors[i++] = f.embedding();
            poolSlots.put(f.id(), f.slot());
        }
        pool.addAll(ids, vectors);
    }

    /** Takes faces out of the pool (assigned or pinned elsewhere, deleted). */
    public void removeFromPool(Collection<Long> faces) {
        for (Long f : faces) {
            pool.remove(f);
            poolSlots.remove(f);
        }
    }

    /** Up to {@code n} ids of pool faces spread evenly over the pool (the warm-up's and the rehearsal's batches). */
    public List<Long> poolSample(int n) {
        List<Long> out = new ArrayList<>(Math.max(0, Math.min(n, poolSlots.size())));
        if (n <= 0 || poolSlots.isEmpty()) {
            return out;
        }
        int stride = Math.max(1, poolSlots.size() / n);
        int i = 0;
        for (Long id : poolSlots.keySet()) {
            if (out.size() == n) {
                break;
            }
            if (i++ % stride == 0) {
                out.add(id);
            }
        }
        return out;
    }

    /**
     * Runs {@link #place} on batches sampled from the pool and discards the plans (nothing changes), so that the
     * first real batches after a start do not pay for compiling the search and grouping code. Measured at 1M faces
     * ({@code bench/library.sh}): without it the first ten batches after a start took 2–3× a warm batch and set the
     * p99. {@code slotPersons} is asked as in a real batch (read-only). Returns the number of batches run (none when
     * the pool is smaller than a batch).
     */
    public int warmUp(int batches, int batchSize, SlotPersons slotPersons) {
        if (poolSlots.size() < batchSize) {
            return 0;
        }
        List<Long> sample = poolSample(batches * batchSize);
        int run = 0;
        for (int from = 0; from + batchSize <= sample.size(); from += batchSize, run++) {
            List<Face> batch = new ArrayList<>(batchSize);
            for (Long id : sample.subList(from, from + batchSize)) {
                batch.add(new Face(id, poolSlots.get(id), pool.vector(id)));
            }
            place(batch, slotPersons);
        }
        return run;
    }

    public void clear() {
        pool.clear();
        poolSlots.clear();
        persons.clear();
    }

    /** The persons that already have a face in each of these slots (the database, for the worker). */
    public interface SlotPersons {
        Map<String, Set<Long>> of(Collection<String> slots);

        SlotPersons NONE = slots -> Map.of();
    }

    /**
     * Decides where the batch's faces go.
     *
     * @param batch new faces (not assigned, not pinned by a user); faces already in the pool are placed again
     * @param slotPersons the persons that already have a face in a slot, asked once for the batch's slots and once
     *     for those of the pool faces the plan considers
     */
    public Plan place(List<Face> batch, SlotPersons slotPersons) {
        Settings t = settings;
        Map<String, Set<Long>> slots = new HashMap<>();
        Set<String> batchSlots = new LinkedHashSet<>();
        for (Face f : batch) {
            batchSlots.add(f.slot());
        }
        slotPersons.of(batchSlots).forEach((k, v) -> slots.put(k, new HashSet<>(v)));
        Map<Long, float[]> vectors = new HashMap<>();
        Map<Long, String> slotOf = new HashMap<>();
        Set<Long> batchIds = new LinkedHashSet<>();
        for (Face f : batch) {
            vectors.put(f.id(), f.embedding());
            slotOf.put(f.id(), f.slot());
            batchIds.add(f.id());
        }
        Map<Long, PersonCentroids.Centroid> grown = new HashMap<>();
        Map<Long, Long> matches = new LinkedHashMap<>();

        float[][] queries = new float[batch.size()][];
        for (int i = 0; i < queries.length; i++) {
            queries[i] = batch.get(i).embedding();
        }
        // 1. new faces join the person they are most similar to on average
        List<List<PersonCentroids.Candidate>> candidates = persons.candidates(queries, PERSON_CANDIDATES);
        for (int i = 0; i < queries.length; i++) {
            Face f = batch.get(i);
            Long p = bestPerson(f.id(), f.embedding(), f.slot(), slots, grown, null, candidates.get(i));
            if (p != null) {
                join(f.id(), f.embedding(), f.slot(), p, matches, slots, grown);
            }
        }

        // 2. the new faces' neighbourhoods in the pool
        Map<Long, List<Long>> neighbours = new LinkedHashMap<>();
        Set<Long> old = new LinkedHashSet<>();
        List<List<IvfIndex.Hit>> near = pool.search(queries, t.neighbours(), (float) t.neighbourSimilarity());
        for (int i = 0; i < queries.length; i++) {
            List<Long> nb = new ArrayList<>();
            for (IvfIndex.Hit h : near.get(i)) {
                if (!batchIds.contains(h.id())) {
                    nb.add(h.id());
                    if (old.add(h.id())) {
                        vectors.put(h.id(), pool.vector(h.id()));
                        slotOf.put(h.id(), poolSlots.get(h.id()));
                    }
                }
            }
            neighbours.put(batch.get(i).id(), nb);
        }

        // 3. pool neighbours of faces that joined a person may now reach it too
        Set<String> oldSlots = new LinkedHashSet<>();
        for (Long u : old) {
            if (!slots.containsKey(slotOf.get(u))) {
                oldSlots.add(slotOf.get(u));
            }
        }
        if (!matches.isEmpty() && !oldSlots.isEmpty()) {
            slotPersons
                    .of(oldSlots)
                    .forEach((k, v) ->
                            slots.computeIfAbsent(k, x -> new HashSet<>()).addAll(v));
        }
        for (Long u : old) {
            Set<Long> touched = new LinkedHashSet<>();
            for (var e : neighbours.entrySet()) {
                Long p = matches.get(e.getKey());
                if (p != null && e.getValue().contains(u)) {
                    touched.add(p);
                }
            }
            if (!touched.isEmpty()) {
                Long p = bestPerson(u, vectors.get(u), slotOf.get(u), slots, grown, touched, List.of());
                if (p != null) {
                    join(u, vectors.get(u), slotOf.get(u), p, matches, slots, grown);
                }
            }
        }

        // 4. group what is left of the new faces with their pool neighbours
        List<Long> rest = new ArrayList<>();
        for (Long f : batchIds) {
            if (!matches.containsKey(f)) {
                rest.add(f);
            }
        }
        for (Long u : old) {
            if (!matches.containsKey(u)) {
                rest.add(u);
            }
        }
        List<List<Long>> newPersons = new ArrayList<>();
        Set<Long> placed = new HashSet<>();
        if (!rest.isEmpty()) {
            float[][] x = new float[rest.size()][];
            List<PersonClustering.Face> faces = new ArrayList<>(rest.size());
            for (int i = 0; i < x.length; i++) {
                x[i] = vectors.get(rest.get(i));
                faces.add(new PersonClustering.Face(rest.get(i), slotOf.get(rest.get(i)), null, false, x[i]));
            }
            int[] labels = AverageLinkage.clusterLinked(x, t.groupThreshold(), t.minFaces());
            Map<Integer, List<Integer>> groups = new LinkedHashMap<>();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] != CosineDbscan.NOISE) {
                    groups.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(i);
                }
            }
            for (List<Integer> members : groups.values()) {
                List<Integer> kept = PersonClustering.onePerSlot(members, x, faces);
                boolean hasNew = false;
                for (int i : kept) {
                    hasNew |= batchIds.contains(rest.get(i));
                }
                if (kept.size() < Math.max(1, t.minFaces()) || !hasNew) {
                    continue;
                }
                List<Long> ids = new ArrayList<>(kept.size());
                for (int i : kept) {
                    ids.add(rest.get(i));
                    placed.add(rest.get(i));
                }
                newPersons.add(ids);
            }
        }
        List<Long> unassigned = new ArrayList<>();
        for (Long f : batchIds) {
            if (!matches.containsKey(f) && !placed.contains(f)) {
                unassigned.add(f);
            }
        }
        return new Plan(matches, newPersons, unassigned, vectors, slotOf);
    }

    private Long bestPerson(
            long face,
            float[] v,
            String slot,
            Map<String, Set<Long>> slots,
            Map<Long, PersonCentroids.Centroid> grown,
            Set<Long> only,
            List<PersonCentroids.Candidate> indexed) {
        Map<Long, Double> score = new HashMap<>();
        if (only == null) {
            for (PersonCentroids.Candidate c : indexed) {
                score.put(c.personId(), c.linkage());
            }
            for (var g : grown.entrySet()) { // persons made bigger by this batch: their current centroid
                score.put(g.getKey(), g.getValue().linkage(v));
            }
        } else {
            for (Long p : only) {
                PersonCentroids.Centroid c = grown.containsKey(p) ? grown.get(p) : persons.get(p);
                if (c != null) {
                    score.put(p, c.linkage(v));
                }
            }
        }
        Long best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        Set<Long> taken = slots.getOrDefault(slot, Set.of());
        for (var e : score.entrySet()) {
            Long p = e.getKey();
            PersonCentroids.Centroid c = grown.containsKey(p) ? grown.get(p) : persons.get(p);
            if (c == null
                    || e.getValue() < settings.threshold(c)
                    || taken.contains(p)
                    || rejected.contains(PersonClustering.pair(face, p))) {
                continue;
            }
            if (best == null || e.getValue() > bestScore || (e.getValue() == bestScore && p < best)) {
                best = p;
                bestScore = e.getValue();
            }
        }
        return best;
    }

    private void join(
            long face,
            float[] v,
            String slot,
            long person,
            Map<Long, Long> matches,
            Map<String, Set<Long>> slots,
            Map<Long, PersonCentroids.Centroid> grown) {
        matches.put(face, person);
        slots.computeIfAbsent(slot, k -> new HashSet<>()).add(person);
        PersonCentroids.Centroid c = grown.containsKey(person) ? grown.get(person) : persons.get(person);
        grown.put(person, c == null ? new PersonCentroids.Centroid(v.clone(), 1) : c.plus(v, 1));
    }

    /**
     * Applies a plan the caller has written: matched and grouped faces leave the pool and join their persons'
     * centroids, the rest of the batch joins the pool.
     *
     * @param newPersonIds the ids the new persons were given, in the plan's order
     */
    public void apply(Plan plan, List<Long> newPersonIds) {
        Map<Long, List<float[]>> byPerson = new LinkedHashMap<>();
        List<Long> leave = new ArrayList<>();
        for (var m : plan.matches().entrySet()) {
            byPerson.computeIfAbsent(m.getValue(), k -> new ArrayList<>())
                    .add(plan.vectors().get(m.getKey()));
            leave.add(m.getKey());
        }
        for (int g = 0; g < plan.newPersons().size(); g++) {
            for (Long f : plan.newPersons().get(g)) {
                byPerson.computeIfAbsent(newPersonIds.get(g), k -> new ArrayList<>())
                        .add(plan.vectors().get(f));
                leave.add(f);
            }
        }
        removeFromPool(leave);
        byPerson.forEach(persons::add);
        List<Face> stay = new ArrayList<>();
        for (Long f : plan.unassigned()) {
            stay.add(new Face(f, plan.slots().get(f), plan.vectors().get(f)));
        }
        addToPool(stay);
    }
}
