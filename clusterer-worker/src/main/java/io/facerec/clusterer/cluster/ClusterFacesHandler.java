package io.facerec.clusterer.cluster;

import io.facerec.clusterer.config.ClustererProperties;
import io.facerec.common.event.FaceEmbedded;
import io.facerec.common.id.FaceId;
import io.facerec.common.id.PersonId;
import io.facerec.common.persistence.ClusteringChangeRepository;
import io.facerec.common.persistence.ClusteringChangeRepository.Change;
import io.facerec.common.persistence.ClusteringChangeRepository.Kind;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.FaceRepository.ClusterRow;
import io.facerec.common.persistence.PersonCentroidRepository;
import io.facerec.common.persistence.PersonRepository;
import io.facerec.common.pipeline.PipelineMeters;
import io.facerec.common.portrait.Portraits;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Groups newly embedded faces into persons, per embedding model, one transaction per batch, with a cost that depends on
 * the batch and its neighbourhood, not on the size of the library ({@link IncrementalClustering} decides):
 * <ol>
 *   <li>the batch's faces are read by id (their embeddings, slots, whether a user pinned them);</li>
 *   <li>each joins the person it is most similar to on average (exact, from the person's centroid) when that reaches
 *       the model's match threshold; pool neighbours of the faces that joined may follow;</li>
 *   <li>the rest is grouped with its neighbours in the unassigned pool; each group becomes a new person;</li>
 *   <li>what is left stays unassigned ({@code PersonId} NULL, {@code ClusteredAt} set) until a new neighbour arrives.</li>
 * </ol>
 * The persons' centroids and the unassigned pool are held in memory, loaded once per model (at the first batch or
 * {@link #start}), and kept in step with the other writers of assignments (the gallery, a recluster, another process)
 * through the change log ({@link ClusteringChangeRepository}): every batch takes the next revision under its lock and
 * reads only the changes others made since its previous one. The memory is updated only after the transaction commits.
 *
 * <p>Rules that every run honours: user-verified faces and their persons are never moved; two faces of the same media
 * item and frame never land in one person automatically; a stored "not this person" pair is never assigned.
 */
public class ClusterFacesHandler {
    private static final Logger log = LoggerFactory.getLogger(ClusterFacesHandler.class);
    /** Change-log entries older than this are pruned (every follower has long read them). */
    static final Duration CHANGE_LOG_KEPT = Duration.ofDays(2);

    private final FaceRepository faces;
    private final PersonRepository persons;
    private final PersonCentroidRepository centroids;
    private final ClusteringChangeRepository changes;
    private final Portraits portraits;
    private final ClustererProperties props;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Map<String, ModelState> states = new ConcurrentHashMap<>();

    public ClusterFacesHandler(
            FaceRepository faces,
            PersonRepository persons,
            PersonCentroidRepository centroids,
            ClusteringChangeRepository changes,
            Portraits portraits,
            ClustererProperties props,
            TransactionTemplate tx,
            Clock clock,
            MeterRegistry meters) {
        this.faces = faces;
        this.persons = persons;
        this.centroids = centroids;
        this.changes = changes;
        this.portraits = portraits;
        this.props = props;
        this.tx = tx;
        this.clock = clock;
        this.meters = meters;
    }

    /** Summary of one run. */
    public record Result(int considered, int matched, int newPersons, int clustered, int unassigned, int rowsRead) {
        static final Result NONE = new Result(0, 0, 0, 0, 0, 0);

        Result plus(Result o) {
            return new Result(
                    considered + o.considered,
                    matched + o.matched,
                    newPersons + o.newPersons,
                    clustered + o.clustered,
                    unassigned + o.unassigned,
                    rowsRead + o.rowsRead);
        }
    }

    /** What the clusterer holds for one model, and the revision of the change log it reflects. */
    private static final class ModelState {
        final IncrementalClustering clustering;
        long revision = -1;

        ModelState(IncrementalClustering clustering) {
            this.clustering = clustering;
        }
    }

    /** Clusters the faces of the batch, per model. */
    public Result handle(List<FaceEmbedded> batch) {
        Map<String, List<Long>> byModel = new LinkedHashMap<>();
        for (FaceEmbedded e : batch) {
            byModel.computeIfAbsent(e.modelId(), k -> new ArrayList<>()).add(e.faceId());
        }
        Result total = Result.NONE;
        for (var e : byModel.entrySet()) {
            total = total.plus(cluster(e.getKey(), e.getValue()));
        }
        return total;
    }

    /** Clusters these faces of a model in one transaction. */
    public Result cluster(String model, Collection<Long> faceIds) {
        ModelState state = states.computeIfAbsent(model, m -> new ModelState(newClustering(m)));
        synchronized (state) {
            Applied applied = tx.execute(s -> run(model, state, faceIds, true));
            long committed = System.nanoTime();
            // the transaction committed: the plan becomes the clusterer's memory
            if (applied.plan() != null) {
                state.clustering.apply(applied.plan(), applied.newPersonIds());
            }
            state.revision = applied.revision();
            long done = System.nanoTime();
            if (applied.plan() != null) {
                lastPhases = lastPhases.afterCommit(committed, done);
            }
            return applied.result();
        }
    }

    /**
     * Loads a model's persons and pool, then clusters every embedded face the clusterer has not considered yet (faces
     * embedded while it was down, or by a database mode), in batches of {@code max-batch}.
     */
    public Result start(String model) {
        Result total = Result.NONE;
        List<Long> pending = faces.findUnclustered(model);
        ModelState held = states.get(model);
        boolean loads = held == null || held.revision < 0;
        cluster(model, List.of()); // loads the state
        if (loads) {
            rehearse(model);
        }
        for (int from = 0; from < pending.size(); from += props.maxBatch()) {
            total = total.plus(cluster(
                    model, pending.subList(from, Math.min(pending.size(), from + props.maxBatch()))));
        }
        return total;
    }

    /**
     * Runs {@link #REHEARSALS} batches of pool faces through the whole batch path, database writes included, each in a
     * transaction that is rolled back, with portraits that write no file: nothing changes (the person ids those
     * batches drew from the sequence are not used again: a gap), the memory is not updated, nothing is counted or
     * logged per batch. Measured at 1M faces ({@code bench/library.sh}): after the read-only warm-up the first batches
     * still took 355 / 236 / 184 ms against 110 ms later (the write path's code not compiled yet, its pages not in the
     * database's buffers), and set the p99. A failure here is logged and changes nothing either. Not inside a caller's
     * transaction (a dry run's).
     */
    private void rehearse(String model) {
        ModelState state = states.get(model);
        if (state == null || TransactionSynchronizationManager.isActualTransactionActive()) {
            return; // inside a caller's transaction (a dry run) a rehearsal would join it: its writes would stay
        }
        synchronized (state) {
            List<Long> sample = state.clustering.poolSample(REHEARSALS * WARM_UP_BATCH);
            long t0 = System.nanoTime();
            int runs = 0;
            for (int from = 0; from + WARM_UP_BATCH <= sample.size(); from += WARM_UP_BATCH) {
                List<Long> batch = sample.subList(from, from + WARM_UP_BATCH);
                try {
                    tx.execute(s -> {
                        s.setRollbackOnly();
                        return run(model, state, batch, false);
                    });
                    runs++;
                } catch (RuntimeException e) {
                    log.warn("clustering {}: the rehearsal of the write path failed (nothing was changed)", model, e);
                    break;
                }
            }
            if (runs > 0) {
                log.info(
                        "clustering {}: rehearsed the write path on {} batch(es) of pool faces in {} ms (rolled back)",
                        model,
                        runs,
                        (System.nanoTime() - t0) / 1_000_000);
            }
        }
    }

    /** Rolled-back batches run after a load: {@link #rehearse}. */
    static final int REHEARSALS = 3;

    /** Forgets what is held in memory (a recluster in this process rewrote everything). */
    public void reset() {
        states.clear();
    }

    private IncrementalClustering newClustering(String model) {
        ClustererProperties.ModelThresholds t = props.thresholds(model);
        double group = 1 - props.eps(t, false);
        return new IncrementalClustering(
                new IncrementalClustering.Settings(
                        t.matchThreshold(),
                        group,
                        t.minSamples(),
                        group - NEIGHBOURHOOD_MARGIN,
                        props.neighbours(),
                        t.singleFaceThreshold(),
                        0),
                props.probes(),
                props.probes());
    }

    /** Batches of pool faces placed (and discarded) after a load: {@link IncrementalClustering#warmUp}. */
    static final int WARM_UP_BATCHES = 20;

    static final int WARM_UP_BATCH = 50;

    /** Pool faces this much less similar than the grouping cut still belong to a new face's neighbourhood. */
    static final double NEIGHBOURHOOD_MARGIN = 0.05;

    private record Applied(IncrementalClustering.Plan plan, List<Long> newPersonIds, long revision, Result result) {}

    /**
     * Where the last batch's time went, in milliseconds: reading (the change log, the batch's rows), deciding (the
     * in-memory plan, with its reads of the neighbours' media items), writing the assignments, counts, centroids and
     * change log, and the portraits; then committing (the change log's rows, the log line and the commit) and applying
     * the plan to the clusterer's memory. {@code endNanos}: when the transaction's work ended.
     */
    public record Phases(
            double read, double decide, double write, double portraits, double commit, double apply, long endNanos) {
        /** With the commit (from {@code endNanos} to {@code committed}) and the apply ({@code committed} to {@code done}). */
        Phases afterCommit(long committed, long done) {
            return new Phases(
                    read, decide, write, portraits, (committed - endNanos) / 1e6, (done - committed) / 1e6, endNanos);
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "read %.1f, decide %.1f, write %.1f, portraits %.1f, commit %.1f, apply %.1f ms",
                    read,
                    decide,
                    write,
                    portraits,
                    commit,
                    apply);
        }

        /** The phases inside the transaction, for the batch's log line. */
        String inTransaction() {
            return String.format(
                    Locale.ROOT,
                    "read %.1f, decide %.1f, write %.1f, portraits %.1f ms",
                    read,
                    decide,
                    write,
                    portraits);
        }
    }

    private volatile Phases lastPhases = new Phases(0, 0, 0, 0, 0, 0, 0);

    /** The last batch's {@link Phases} (the log line has them too). */
    public Phases lastPhases() {
        return lastPhases;
    }

    /** @param real false for a {@link #rehearse rehearsal}: portraits write no file; nothing is counted or logged */
    private Applied run(String model, ModelState state, Collection<Long> faceIds, boolean real) {
        long t0 = System.nanoTime();
        Instant now = clock.instant();
        long revision = changes.nextRevision(); // locks the log: no other writer of assignments until we commit
        int[] rowsRead = {0};
        if (state.revision < 0) {
            load(model, state, revision - 1, rowsRead);
        } else if (state.revision != revision - 1) {
            follow(model, state, state.revision, revision, rowsRead);
        }
        IncrementalClustering clustering = state.clustering;
        List<ClusterRow> rows = faces.findForClustering(faceIds);
        long tRead = System.nanoTime();
        rowsRead[0] += rows.size();
        List<IncrementalClustering.Face> batch = new ArrayList<>();
        for (ClusterRow r : rows) {
            if (r.personId() == null && !r.userVerified() && r.embedding() != null && model.equals(r.model())) {
                batch.add(new IncrementalClustering.Face(r.id(), r.slot(), r.embedding()));
            } else if (clustering.inPool(r.id())) {
                clustering.removeFromPool(List.of(r.id())); // assigned or pinned by now
            }
        }
        if (batch.isEmpty()) {
            return new Applied(null, List.of(), revision, new Result(0, 0, 0, 0, 0, rowsRead[0]));
        }
        IncrementalClustering.Plan plan = clustering.place(batch, slots -> {
            Map<String, Set<Long>> found = faces.personsOfSlots(items(slots));
            rowsRead[0] += found.size();
            return found;
        });

        long tDecide = System.nanoTime();
        // write the plan
        List<Long> newIds = persons.createAll(plan.newPersons().size(), now);
        Map<Long, Long> personOf = new LinkedHashMap<>(plan.matches());
        for (int g = 0; g < newIds.size(); g++) {
            for (Long f : plan.newPersons().get(g)) {
                personOf.put(f, newIds.get(g));
            }
        }
        faces.assignPersons(personOf, now);
        faces.markClustered(plan.unassigned().stream().map(FaceId::of).toList(), now);
        Map<Long, List<Long>> joined = new LinkedHashMap<>();
        personOf.forEach(
                (f, p) -> joined.computeIfAbsent(p, k -> new ArrayList<>()).add(f));
        Map<Long, Integer> counts = new HashMap<>();
        List<PersonCentroidRepository.Centroid> updated = new ArrayList<>();
        for (var e : joined.entrySet()) {
            counts.put(e.getKey(), e.getValue().size());
            PersonCentroids.Centroid c = clustering.persons().get(e.getKey());
            float[] sum = c == null
                    ? new float[batch.get(0).embedding().length]
                    : c.sum().clone();
            int n = c == null ? 0 : c.count();
            for (Long f : e.getValue()) {
                float[] v = plan.vectors().get(f);
                for (int k = 0; k < sum.length; k++) {
                    sum[k] += v[k];
                }
                n++;
            }
            updated.add(new PersonCentroidRepository.Centroid(e.getKey(), n, sum));
        }
        persons.addFaceCounts(counts, now);
        centroids.save(model, updated, now);
        Map<PersonId, List<FaceId>> added = new LinkedHashMap<>();
        joined.forEach(
                (p, fs) -> added.put(PersonId.of(p), fs.stream().map(FaceId::of).toList()));
        long tWrite = System.nanoTime();
        (real ? portraits : portraits.dryRun()).offerAll(added, now);
        long tPortraits = System.nanoTime();
        changes.record(revision, Kind.FACE, personOf.keySet(), now);
        changes.record(revision, Kind.PERSON, joined.keySet(), now);
        if (revision % 1000 == 0) {
            changes.prune(now.minus(CHANGE_LOG_KEPT));
        }
        if (!real) {
            return new Applied(plan, newIds, revision, Result.NONE);
        }
        long tEnd = System.nanoTime();
        lastPhases = new Phases(
                (tRead - t0) / 1e6,
                (tDecide - tRead) / 1e6,
                (tWrite - tDecide) / 1e6,
                (tPortraits - tWrite) / 1e6,
                0,
                0,
                tEnd);
        int placedFromPool = plan.poolFacesPlaced(
                new HashSet<>(batch.stream().map(IncrementalClustering.Face::id).toList()));
        int clustered = personOf.size() - plan.matches().size();
        Result r = new Result(
                batch.size(),
                plan.matches().size(),
                newIds.size(),
                clustered,
                plan.unassigned().size(),
                rowsRead[0]);
        count(r);
        log.info(
                "clustering {}: {} face(s), {} joined known persons, {} new person(s) with {} face(s), {} pool face(s) "
                        + "placed, {} left unassigned (pool {}, persons {}) in {} ms ({})",
                model,
                batch.size(),
                plan.matches().size(),
                newIds.size(),
                clustered,
                placedFromPool,
                plan.unassigned().size(),
                clustering.poolSize(),
                clustering.persons().size(),
                (System.nanoTime() - t0) / 1_000_000,
                lastPhases.inTransaction());
        return new Applied(plan, newIds, revision, r);
    }

    /** Reads everything a model's clustering holds: the persons' centroids and the unassigned pool. */
    private void load(String model, ModelState state, long revision, int[] rowsRead) {
        long t0 = System.nanoTime();
        IncrementalClustering c = state.clustering;
        c.clear();
        bulkLoad(model, c, rowsRead);
        state.revision = revision;
        long tLoaded = System.nanoTime();
        int warm = c.warmUp(WARM_UP_BATCHES, WARM_UP_BATCH, slots -> faces.personsOfSlots(items(slots)));
        log.info(
                "clustering {}: loaded {} person centroid(s) and {} unassigned face(s) in {} ms, warmed up on {} "
                        + "batch(es) in {} ms",
                model,
                c.persons().size(),
                c.poolSize(),
                (tLoaded - t0) / 1_000_000,
                warm,
                (System.nanoTime() - tLoaded) / 1_000_000);
    }

    private void bulkLoad(String model, IncrementalClustering c, int[] rowsRead) {
        Map<Long, PersonCentroidRepository.Centroid> stored = centroids.findAll(model);
        List<Long> missing = centroids.personsWithoutCentroid(model);
        if (!missing.isEmpty()) { // a database from before centroids, or written by another tool
            log.info("clustering {}: computing the centroids of {} person(s) from their faces", model, missing.size());
            for (PersonCentroidRepository.Centroid m : centroids.recompute(model, missing, clock.instant())) {
                if (m.faceCount() > 0) {
                    stored.put(m.personId(), m);
                }
            }
        }
        Map<Long, PersonCentroids.Centroid> all = new HashMap<>();
        stored.forEach((p, v) -> all.put(p, new PersonCentroids.Centroid(v.sum(), v.faceCount())));
        c.persons().putAll(all);
        List<IncrementalClustering.Face> chunk = new ArrayList<>();
        int[] pool = {0};
        faces.forEachInPool(model, r -> {
            chunk.add(new IncrementalClustering.Face(r.id(), r.slot(), r.embedding()));
            if (chunk.size() == 20_000) {
                c.addToPool(chunk);
                pool[0] += chunk.size();
                chunk.clear();
            }
        });
        c.addToPool(chunk);
        pool[0] += chunk.size();
        c.setRejected(PersonClustering.rejectedPairs(faces.findRejections()));
        rowsRead[0] += stored.size() + pool[0];
    }

    /** Applies what other writers changed between our revisions: only the faces and persons they name. */
    private void follow(String model, ModelState state, long after, long before, int[] rowsRead) {
        List<Change> log = changes.between(after, before);
        rowsRead[0] += log.size();
        Set<Long> faceIds = new LinkedHashSet<>();
        Set<Long> personIds = new LinkedHashSet<>();
        boolean rejections = false;
        for (Change ch : log) {
            switch (ch.kind()) {
                case ALL -> {
                    load(model, state, before - 1, rowsRead);
                    return;
                }
                case FACE -> faceIds.add(ch.subjectId());
                case PERSON -> personIds.add(ch.subjectId());
                case REJECTIONS -> rejections = true;
                default -> throw new IllegalStateException(ch.kind().name());
            }
        }
        IncrementalClustering c = state.clustering;
        if (!personIds.isEmpty()) {
            Map<Long, PersonCentroidRepository.Centroid> found = centroids.find(model, personIds);
            rowsRead[0] += found.size();
            for (Long p : personIds) {
                PersonCentroidRepository.Centroid v = found.get(p);
                c.persons().put(p, v == null ? null : new PersonCentroids.Centroid(v.sum(), v.faceCount()));
            }
        }
        if (!faceIds.isEmpty()) {
            List<ClusterRow> rows = faces.findForClustering(faceIds);
            rowsRead[0] += rows.size();
            Set<Long> present = new HashSet<>();
            List<IncrementalClustering.Face> enter = new ArrayList<>();
            for (ClusterRow r : rows) {
                present.add(r.id());
                if (r.personId() == null && !r.userVerified() && r.embedding() != null && model.equals(r.model())) {
                    enter.add(new IncrementalClustering.Face(r.id(), r.slot(), r.embedding()));
                } else {
                    c.removeFromPool(List.of(r.id()));
                }
            }
            c.addToPool(enter);
            List<Long> gone = new ArrayList<>(faceIds);
            gone.removeAll(present);
            c.removeFromPool(gone);
        }
        if (rejections) {
            c.setRejected(PersonClustering.rejectedPairs(faces.findRejections()));
        }
        ClusterFacesHandler.log.debug("clustering {}: followed {} change(s) of other writers", model, log.size());
    }

    private static Set<Long> items(Collection<String> slots) {
        Set<Long> out = new TreeSet<>();
        for (String s : slots) {
            out.add(Long.parseLong(s.substring(0, s.indexOf(':'))));
        }
        return out;
    }

    private void count(Result r) {
        if (meters != null) {
            meters.counter(PipelineMeters.CLUSTERER_FACES, "result", "matched").increment(r.matched());
            meters.counter(PipelineMeters.CLUSTERER_FACES, "result", "new_person")
                    .increment(r.clustered());
            meters.counter(PipelineMeters.CLUSTERER_FACES, "result", "unassigned")
                    .increment(r.unassigned());
            meters.counter(PipelineMeters.CLUSTERER_PERSONS_CREATED).increment(r.newPersons());
        }
    }

    /** Sizes of what the clusterer holds for a model (0 when not loaded): pool faces and persons. */
    public int[] held(String model) {
        ModelState s = states.get(model);
        return s == null
                ? new int[2]
                : new int[] {s.clustering.poolSize(), s.clustering.persons().size()};
    }

    /** Native memory the indexes of every model take (the vectors of the pool and the persons' directions). */
    public long nativeBytes() {
        long b = 0;
        for (ModelState s : states.values()) {
            b += s.clustering.nativeBytes();
        }
        return b;
    }

    /** Closes what the clusterer holds (native memory of the indexes). */
    public void close() {
        states.values().forEach(s -> s.clustering.clear());
        states.clear();
    }
}
