package io.facerec.clusterer.cluster;

import io.facerec.clusterer.config.ClustererProperties;
import io.facerec.common.id.FaceId;
import io.facerec.common.persistence.ClusteringChangeRepository;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.FaceRepository.EmbeddedFace;
import io.facerec.common.persistence.PersonCentroidRepository;
import io.facerec.common.persistence.PersonRepository;
import io.facerec.common.portrait.Portraits;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Recluster mode: rebuilds every automatic assignment of a model from scratch, then maps the new groups onto the
 * existing persons by member overlap so ids stay stable. User truth is fixed: user-verified faces and the faces of
 * persons with a name keep their person and act as the labelled set new faces are matched to; "not this person" pairs
 * and the one-face-per-photo rule hold. Memory and time grow with the number of faces, not its square
 * ({@link PersonClustering}): a million faces recluster in minutes. Writes only what changed, then rebuilds the
 * persons' centroids, face counts and portraits from the faces in memory, and notes a full change in the change log
 * so that a running clusterer reloads. With {@code dryRun} nothing is written; the changes are logged.
 */
public class ReclusterHandler {
    private static final Logger log = LoggerFactory.getLogger(ReclusterHandler.class);

    private final FaceRepository faces;
    private final PersonRepository persons;
    private final PersonCentroidRepository centroids;
    private final ClusteringChangeRepository changes;
    private final Portraits portraits;
    private final ClustererProperties props;
    private final TransactionTemplate tx;
    private final Clock clock;

    public ReclusterHandler(
            FaceRepository faces,
            PersonRepository persons,
            PersonCentroidRepository centroids,
            ClusteringChangeRepository changes,
            Portraits portraits,
            ClustererProperties props,
            TransactionTemplate tx,
            Clock clock) {
        this.faces = faces;
        this.persons = persons;
        this.centroids = centroids;
        this.changes = changes;
        this.portraits = portraits;
        this.props = props;
        this.tx = tx;
        this.clock = clock;
    }

    /** What a recluster changed (or would change), and how long its parts took. */
    public record Result(
            int faces,
            int fixed,
            int moved,
            int unassigned,
            int personsKept,
            int personsCreated,
            int personsDeleted,
            long readMillis,
            long clusterMillis,
            long writeMillis) {}

    public Result recluster(String model, boolean dryRun) {
        return tx.execute(s -> {
            long t0 = System.nanoTime();
            changes.nextRevision(); // no other writer of assignments until this commits
            List<EmbeddedFace> all = faces.findEmbedded(model);
            Result r = apply(model, all, dryRun, (System.nanoTime() - t0) / 1_000_000);
            if (dryRun) {
                s.setRollbackOnly();
            }
            return r;
        });
    }

    /**
     * Recluster from a replay of the embeddings topic: the replayed embedding of every face still in the database is
     * used (a face row whose embedding is missing gets it back, unless {@code dryRun}); faces the replay does not
     * know keep their stored embedding; replayed faces no longer in the database (replaced by a re-detection) are
     * ignored. Everything else is as {@link #recluster(String, boolean)}.
     */
    public Result reclusterFromReplay(String model, Map<Long, float[]> replayed, boolean dryRun) {
        return tx.execute(s -> {
            long t0 = System.nanoTime();
            changes.nextRevision();
            Instant now = clock.instant();
            List<EmbeddedFace> all = new ArrayList<>();
            List<FaceRepository.FaceSlot> storedOnly = new ArrayList<>();
            int fromReplay = 0;
            int restored = 0;
            for (FaceRepository.FaceSlot f : faces.findSlots()) {
                float[] v = replayed.get(f.id());
                if (v != null) {
                    fromReplay++;
                    if (!f.embedded() || !model.equals(f.model())) {
                        restored++;
                        if (!dryRun) {
                            faces.saveEmbedding(FaceId.of(f.id()), v, model, now);
                        }
                    }
                    all.add(f.withEmbedding(v));
                } else if (f.embedded() && model.equals(f.model())) {
                    storedOnly.add(f);
                }
            }
            Map<Long, float[]> stored = faces.findEmbeddings(
                    model, storedOnly.stream().map(FaceRepository.FaceSlot::id).toList());
            for (FaceRepository.FaceSlot f : storedOnly) {
                if (stored.containsKey(f.id())) {
                    all.add(f.withEmbedding(stored.get(f.id())));
                }
            }
            log.info(
                    "recluster {} from the embeddings topic: {} face(s) from the replay ({} embedding(s) {}), {} from the "
                            + "database only, {} replayed face(s) no longer in the database",
                    model,
                    fromReplay,
                    restored,
                    dryRun ? "would be restored" : "restored",
                    all.size() - fromReplay,
                    replayed.size() - fromReplay);
            Result r = apply(model, all, dryRun, (System.nanoTime() - t0) / 1_000_000);
            if (dryRun) {
                s.setRollbackOnly();
            }
            return r;
        });
    }

    /** Reclusters the given embedded faces (from the database, or a replay of the embeddings topic). */
    Result apply(String model, List<EmbeddedFace> all, boolean dryRun, long readMillis) {
        long t0 = System.nanoTime();
        ClustererProperties.ModelThresholds t = props.thresholds(model);
        Instant now = clock.instant();
        Set<Long> named = new HashSet<>();
        for (PersonRepository.Person p : persons.findAll()) {
            if (p.userNamed()) { // a user's name, not an automatic Unknown-N
                named.add(p.id().value());
            }
        }
        Map<Long, Long> before = new HashMap<>();
        List<PersonClustering.Face> input = new ArrayList<>(all.size());
        Map<Long, float[]> vectors = new HashMap<>(all.size() * 2);
        int fixed = 0;
        for (EmbeddedFace f : all) {
            Long p = f.personId() == null ? null : f.personId().value();
            if (p != null) {
                before.put(f.id().value(), p);
            }
            boolean keep = p != null && (f.userVerified() || named.contains(p));
            fixed += keep ? 1 : 0;
            input.add(new PersonClustering.Face(
                    f.id().value(),
                    f.mediaItemId().value() + ":" + f.frameNumber(),
                    keep ? p : null,
                    f.userVerified(),
                    f.embedding()));
            vectors.put(f.id().value(), f.embedding());
        }
        Set<Long> rejected = PersonClustering.rejectedPairs(faces.findRejections());
        PersonClustering.Plan plan = PersonClustering.plan(
                input,
                rejected,
                new PersonClustering.Settings(
                        props.algorithm(),
                        t.matchThreshold(),
                        props.eps(t, true),
                        t.minSamples(),
                        t.singleFaceThreshold()));
        Set<Long> reusable = new HashSet<>(before.values());
        reusable.removeAll(named);
        List<Long> mapped = StablePersonIds.map(plan.newPersons(), before, reusable);
        long clusterMillis = (System.nanoTime() - t0) / 1_000_000;
        long t1 = System.nanoTime();

        Map<Long, Long> after = new HashMap<>(plan.matches());
        int created = 0;
        Set<Long> kept = new HashSet<>();
        List<Integer> fresh = new ArrayList<>();
        for (int g = 0; g < plan.newPersons().size(); g++) {
            if (mapped.get(g) == null) {
                fresh.add(g);
            }
        }
        List<Long> freshIds = dryRun ? new ArrayList<>() : persons.createAll(fresh.size(), now);
        for (int i = 0; i < fresh.size(); i++) {
            mapped.set(fresh.get(i), dryRun ? -(fresh.get(i) + 1L) : freshIds.get(i));
            created++;
        }
        for (int g = 0; g < plan.newPersons().size(); g++) {
            Long person = mapped.get(g);
            if (freshIds.isEmpty() || !freshIds.contains(person)) {
                kept.add(person);
            }
            for (Long f : plan.newPersons().get(g)) {
                if (!rejected.contains(PersonClustering.pair(f, person))) {
                    after.put(f, person); // a face the user took out of this person stays out
                }
            }
        }
        int moved = 0;
        int unassigned = 0;
        Map<Long, Long> assign = new LinkedHashMap<>();
        List<Long> unassign = new ArrayList<>();
        List<FaceId> stillUnassigned = new ArrayList<>();
        for (PersonClustering.Face f : input) {
            if (f.personId() != null) {
                continue; // fixed by the user
            }
            Long old = before.get(f.id());
            Long now2 = after.get(f.id());
            if (now2 == null) {
                unassigned++;
            }
            if (!Objects.equals(old, now2)) {
                moved++;
                if (dryRun) {
                    log.debug("dry run: face {} would move from person {} to {}", f.id(), old, now2);
                } else if (now2 == null) {
                    unassign.add(f.id());
                } else {
                    assign.put(f.id(), now2);
                }
            } else if (now2 == null) {
                stillUnassigned.add(FaceId.of(f.id()));
            }
        }
        int deleted = 0;
        if (!dryRun) {
            faces.assignPersons(assign, now);
            faces.unassignPersons(unassign, now);
            faces.markClustered(stillUnassigned, now);
            deleted = persons.deleteEmpty();
            persons.recountAllFaces();
            rebuildCentroidsAndPortraits(model, input, vectors, after, now);
            long revision = changes.nextRevision();
            changes.record(revision, ClusteringChangeRepository.Kind.ALL, now);
        }
        long writeMillis = (System.nanoTime() - t1) / 1_000_000;
        Result r = new Result(
                all.size(),
                fixed,
                moved,
                unassigned,
                kept.size(),
                created,
                deleted,
                readMillis,
                clusterMillis,
                writeMillis);
        log.info(
                "{}recluster {}: {} faces ({} fixed by users), {} moved, {} unassigned; persons: {} kept, {} new, {} "
                        + "removed; read {} ms, clustered {} ms, written {} ms",
                dryRun ? "dry-run " : "",
                model,
                r.faces(),
                r.fixed(),
                r.moved(),
                r.unassigned(),
                r.personsKept(),
                r.personsCreated(),
                r.personsDeleted(),
                readMillis,
                clusterMillis,
                writeMillis);
        return r;
    }

    /** Every person's centroid and portrait, from the faces in memory (no embedding is read again). */
    private void rebuildCentroidsAndPortraits(
            String model,
            List<PersonClustering.Face> input,
            Map<Long, float[]> vectors,
            Map<Long, Long> after,
            Instant now) {
        Map<Long, List<Long>> members = new LinkedHashMap<>();
        for (PersonClustering.Face f : input) {
            Long p = f.personId() != null ? f.personId() : after.get(f.id());
            if (p != null) {
                members.computeIfAbsent(p, k -> new ArrayList<>()).add(f.id());
            }
        }
        List<PersonCentroidRepository.Centroid> list = new ArrayList<>(members.size());
        for (var e : members.entrySet()) {
            float[] sum = new float[vectors.get(e.getValue().get(0)).length];
            for (Long f : e.getValue()) {
                float[] v = vectors.get(f);
                for (int k = 0; k < sum.length; k++) {
                    sum[k] += v[k];
                }
            }
            list.add(new PersonCentroidRepository.Centroid(
                    e.getKey(), e.getValue().size(), sum));
        }
        centroids.deleteAll(model);
        centroids.save(model, list, now);
        portraits.chooseAll(model, members, vectors, now);
    }
}
