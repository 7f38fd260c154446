package io.facerec.clusterer.cluster;

import io.facerec.clusterer.config.ClustererProperties;
import io.facerec.clusterer.index.FaceIndex;
import io.facerec.clusterer.index.FaceVectorIndex;
import io.facerec.common.event.FaceEmbedded;
import io.facerec.common.id.FaceId;
import io.facerec.common.id.PersonId;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.FaceRepository.EmbeddedFace;
import io.facerec.common.persistence.PersonRepository;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Groups embedded faces into persons, per embedding model, in one transaction per run:
 * <ol>
 *   <li>each unassigned face joins the person of its most similar assigned face when the cosine similarity reaches the
 *       model's match threshold;</li>
 *   <li>the faces still unassigned (new ones and earlier noise) are clustered with the configured
 *       {@link PersonClustering.Algorithm}; each cluster becomes a new person;</li>
 *   <li>the rest stays unassigned ({@code PersonId} NULL) and is marked as considered ({@code ClusteredAt}).</li>
 * </ol>
 * Rules that every run honours: user-verified faces and their persons are never moved; two faces of the same media
 * item and frame never land in one person automatically; a stored "not this person" pair is never assigned.
 */
public class ClusterFacesHandler {
    private static final Logger log = LoggerFactory.getLogger(ClusterFacesHandler.class);

    private final FaceRepository faces;
    private final PersonRepository persons;
    private final ClustererProperties props;
    private final TransactionTemplate tx;
    private final Clock clock;

    public ClusterFacesHandler(FaceRepository faces, PersonRepository persons, ClustererProperties props,
            TransactionTemplate tx, Clock clock) {
        this.faces = faces;
        this.persons = persons;
        this.props = props;
        this.tx = tx;
        this.clock = clock;
        this.portraits = new io.facerec.common.portrait.Portraits(faces, persons, null,
                io.facerec.common.portrait.Portraits.Locations.NONE);
    }

    /** Summary of one run. */
    public record Result(int considered, int matched, int newPersons, int clustered, int unassigned) {
    }

    /** Runs for every model that appears in the batch. */
    public Result handle(List<FaceEmbedded> batch) {
        Set<String> models = new TreeSet<>();
        for (FaceEmbedded e : batch) {
            models.add(e.modelId());
        }
        Result total = new Result(0, 0, 0, 0, 0);
        for (String model : models) {
            Result r = cluster(model);
            total = new Result(total.considered + r.considered, total.matched + r.matched,
                    total.newPersons + r.newPersons, total.clustered + r.clustered, total.unassigned + r.unassigned);
        }
        return total;
    }

    /** One clustering run over all faces of a model, in its own transaction. */
    public Result cluster(String model) {
        return tx.execute(s -> run(model));
    }

    /** One clustering run over all faces of a model. */
    public Result run(String model) {
        ClustererProperties.ModelThresholds t = props.thresholds(model);
        Instant now = clock.instant();
        FaceIndex index = index(model);
        List<PersonClustering.Face> pool = new ArrayList<>();
        Set<Long> items = new HashSet<>();
        for (EmbeddedFace f : faces.findUnassignedEmbedded(model)) {
            pool.add(new PersonClustering.Face(f.id().value(), f.mediaItemId().value() + ":" + f.frameNumber(), null,
                    false, f.embedding()));
            items.add(f.mediaItemId().value());
        }
        Map<Long, float[]> embeddingOf = new HashMap<>();
        pool.forEach(f -> embeddingOf.put(f.id(), f.embedding()));
        Set<Long> rejected = PersonClustering.rejectedPairs(faces.findRejections());
        PersonClustering.Matcher matcher = (v, min) -> {
            List<PersonClustering.Matcher.Candidate> out = new ArrayList<>();
            for (FaceIndex.Hit h : index.nearest(v, NEIGHBOURS)) {
                if (h.similarity() >= min) {
                    out.add(new PersonClustering.Matcher.Candidate(h.personId(), h.similarity()));
                }
            }
            return out;
        };
        PersonClustering.Plan plan = PersonClustering.plan(pool, matcher, faces.personsOfSlots(items), rejected,
                new PersonClustering.Settings(props.algorithm(), t.matchThreshold(), props.eps(t, false),
                        t.minSamples()));
        Set<Long> touched = new TreeSet<>();
        Map<Long, List<FaceId>> added = new HashMap<>();
        for (Map.Entry<Long, Long> m : plan.matches().entrySet()) {
            faces.assignPerson(FaceId.of(m.getKey()), PersonId.of(m.getValue()), now);
            index.upsert(m.getKey(), m.getValue(), embeddingOf.get(m.getKey()));
            touched.add(m.getValue());
            added.computeIfAbsent(m.getValue(), k -> new ArrayList<>()).add(FaceId.of(m.getKey()));
        }
        for (Long p : touched) {
            persons.touch(PersonId.of(p), now);
        }
        int clustered = 0;
        for (List<Long> group : plan.newPersons()) {
            PersonId person = persons.create(now);
            touched.add(person.value());
            for (Long f : group) {
                faces.assignPerson(FaceId.of(f), person, now);
                index.upsert(f, person.value(), embeddingOf.get(f));
                clustered++;
                added.computeIfAbsent(person.value(), k -> new ArrayList<>()).add(FaceId.of(f));
            }
        }
        List<FaceId> leftover = new ArrayList<>();
        for (Long f : plan.unassigned()) {
            leftover.add(FaceId.of(f));
        }
        faces.markClustered(leftover, now);
        for (Long p : touched) {
            portraits.offer(PersonId.of(p), added.getOrDefault(p, List.of()), now);
        }
        persons.deleteEmpty();
        index.commit(faces.assignmentFingerprint(model));
        if (meters != null) {
            meters.counter("facerec.clusterer.faces", "result", "matched").increment(plan.matches().size());
            meters.counter("facerec.clusterer.faces", "result", "new_person").increment(clustered);
            meters.counter("facerec.clusterer.faces", "result", "unassigned").increment(leftover.size());
            meters.counter("facerec.clusterer.persons.created").increment(plan.newPersons().size());
        }
        int considered = plan.matches().size() + clustered + leftover.size();
        Result r = new Result(considered, plan.matches().size(), plan.newPersons().size(), clustered, leftover.size());
        log.info("clustering {}: {} unassigned face(s) considered, {} matched to known persons ({} indexed), {} new "
                + "person(s) with {} face(s), {} left unassigned", model, r.considered, r.matched, index.size(),
                r.newPersons, r.clustered, r.unassigned);
        return r;
    }

    /**
     * The index of a model's assigned faces, kept across runs (and across restarts when {@code index-dir} is set) and
     * reconciled with the database whenever its fingerprint differs from the one the index was last committed with:
     * someone else changed assignments (the gallery, a recluster, another process), a run rolled back, or the index is
     * new. Reconciling reads face and person ids only and indexes just the faces that are missing or moved.
     */
    private FaceIndex index(String model) {
        FaceIndex index = indexes.computeIfAbsent(model, this::openIndex);
        String now = faces.assignmentFingerprint(model);
        // uncommitted changes are those of a run whose transaction rolled back
        if (index.hasUncommittedChanges() || !now.equals(index.fingerprint())) {
            reconcile(model, index, now);
        }
        return index;
    }

    private FaceIndex openIndex(String model) {
        if (props.indexType() == ClustererProperties.IndexType.IVF) {
            return new io.facerec.clusterer.index.IvfFaceIndex(props.ivfProbes());
        }
        if (props.indexDir() == null) {
            return new FaceVectorIndex(null);
        }
        java.nio.file.Path folder = props.indexDir().resolve(model.replaceAll("[^A-Za-z0-9._-]", "_"));
        try {
            java.nio.file.Files.createDirectories(folder);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create the face index folder " + folder, e);
        }
        return new FaceVectorIndex(folder);
    }

    /** Faces indexed per parallel indexing call while reconciling (embeddings held in memory at once). */
    private static final int RECONCILE_CHUNK = 20_000;

    private void reconcile(String model, FaceIndex index, String fingerprint) {
        long t0 = System.nanoTime();
        Map<Long, Long> want = faces.findAssignments(model);
        Map<Long, Long> have = index.assignments();
        int removed = 0;
        for (Long f : have.keySet()) {
            if (!want.containsKey(f)) {
                index.remove(f);
                removed++;
            }
        }
        List<Long> changed = new ArrayList<>();
        for (Map.Entry<Long, Long> w : want.entrySet()) {
            if (!w.getValue().equals(have.get(w.getKey()))) {
                changed.add(w.getKey());
            }
        }
        changed.sort(null);
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        for (int from = 0; from < changed.size(); from += RECONCILE_CHUNK) {
            List<Long> chunk = changed.subList(from, Math.min(changed.size(), from + RECONCILE_CHUNK));
            Map<Long, float[]> embeddings = faces.findEmbeddings(model, chunk);
            List<FaceIndex.Entry> entries = new ArrayList<>(chunk.size());
            for (Long f : chunk) {
                float[] v = embeddings.get(f);
                if (v != null) {
                    entries.add(new FaceIndex.Entry(f, want.get(f), v));
                }
            }
            index.upsertAll(entries, threads);
        }
        index.commit(fingerprint);
        log.info("face index of {} reconciled with the database in {} ms: {} assigned faces, {} (re)indexed, {} removed",
                model, (System.nanoTime() - t0) / 1_000_000, want.size(), changed.size(), removed);
    }

    /** Closes the indexes (persisted ones keep what was committed). */
    public void close() {
        indexes.values().forEach(FaceIndex::close);
        indexes.clear();
    }

    private io.micrometer.core.instrument.MeterRegistry meters;

    /** Counts faces by result ({@code facerec.clusterer.faces}) and new persons. */
    public ClusterFacesHandler withMeters(io.micrometer.core.instrument.MeterRegistry registry) {
        this.meters = registry;
        return this;
    }

    /** Neighbours looked at per face: enough to skip persons excluded by rejections or the one-face-per-photo rule. */
    static final int NEIGHBOURS = 16;
    private final Map<String, FaceIndex> indexes = new java.util.concurrent.ConcurrentHashMap<>();

    private io.facerec.common.portrait.Portraits portraits;

    /**
     * Portraits per batch in the streaming form ({@link io.facerec.common.portrait.Portraits#offer}: only the faces
     * that joined a person compete with its portrait). Default: the rule without portrait files.
     */
    public ClusterFacesHandler withPortraits(io.facerec.common.portrait.Portraits p) {
        this.portraits = p;
        return this;
    }
}
