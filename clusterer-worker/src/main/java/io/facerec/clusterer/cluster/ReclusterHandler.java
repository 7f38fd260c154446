package io.facerec.clusterer.cluster;

import io.facerec.clusterer.config.ClustererProperties;
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
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Recluster mode: rebuilds every automatic assignment of a model from scratch, then maps the new groups onto the
 * existing persons by member overlap so ids stay stable. User truth is fixed: user-verified faces and the faces of
 * persons with a name keep their person and act as the labelled set new faces are matched to; "not this person" pairs
 * and the one-face-per-photo rule hold. With {@code dryRun} nothing is written; the changes are logged.
 */
public class ReclusterHandler {
    private static final Logger log = LoggerFactory.getLogger(ReclusterHandler.class);

    private final FaceRepository faces;
    private final PersonRepository persons;
    private final ClustererProperties props;
    private final TransactionTemplate tx;
    private final Clock clock;

    public ReclusterHandler(FaceRepository faces, PersonRepository persons, ClustererProperties props,
            TransactionTemplate tx, Clock clock) {
        this.faces = faces;
        this.persons = persons;
        this.props = props;
        this.tx = tx;
        this.clock = clock;
        this.portraits = new io.facerec.common.portrait.Portraits(faces, persons, null,
                io.facerec.common.portrait.Portraits.Locations.NONE);
    }

    private io.facerec.common.portrait.Portraits portraits;

    /** Portraits of the persons a recluster leaves (chosen again in full). Default: the rule without portrait files. */
    public ReclusterHandler withPortraits(io.facerec.common.portrait.Portraits p) {
        this.portraits = p;
        return this;
    }

    /** What a recluster changed (or would change). */
    public record Result(int faces, int fixed, int moved, int unassigned, int personsKept, int personsCreated,
            int personsDeleted) {
    }

    public Result recluster(String model, boolean dryRun) {
        return tx.execute(s -> {
            Result r = run(model, dryRun);
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
            Instant now = clock.instant();
            Map<Long, EmbeddedFace> stored = new HashMap<>();
            for (EmbeddedFace f : faces.findEmbedded(model)) {
                stored.put(f.id().value(), f);
            }
            List<EmbeddedFace> all = new ArrayList<>();
            int fromReplay = 0;
            int restored = 0;
            for (FaceRepository.Face f : faces.findAll()) {
                float[] v = replayed.get(f.id().value());
                if (v != null) {
                    fromReplay++;
                    if (!f.embedded() || !stored.containsKey(f.id().value())) {
                        restored++;
                        if (!dryRun) {
                            faces.saveEmbedding(f.id(), v, model, now);
                        }
                    }
                    all.add(new EmbeddedFace(f.id(), f.mediaItemId(), f.frameNumber(), f.personId(), f.userVerified(), v));
                } else if (stored.containsKey(f.id().value())) {
                    all.add(stored.get(f.id().value()));
                }
            }
            log.info("recluster {} from the embeddings topic: {} face(s) from the replay ({} embedding(s) {}), {} from the "
                    + "database only, {} replayed face(s) no longer in the database", model, fromReplay, restored,
                    dryRun ? "would be restored" : "restored", all.size() - fromReplay, replayed.size() - fromReplay);
            Result r = apply(model, all, dryRun);
            if (dryRun) {
                s.setRollbackOnly();
            }
            return r;
        });
    }

    private Result run(String model, boolean dryRun) {
        List<EmbeddedFace> all = faces.findEmbedded(model);
        return apply(model, all, dryRun);
    }

    /** Reclusters the given embedded faces (from the database, or a replay of the embeddings topic). */
    Result apply(String model, List<EmbeddedFace> all, boolean dryRun) {
        ClustererProperties.ModelThresholds t = props.thresholds(model);
        Instant now = clock.instant();
        Set<Long> named = new HashSet<>();
        for (PersonRepository.Person p : persons.findAll()) {
            if (p.userNamed()) { // the automatic Unknown-<n> names are not a user's
                named.add(p.id().value());
            }
        }
        Map<Long, Long> before = new HashMap<>();
        List<PersonClustering.Face> input = new ArrayList<>();
        int fixed = 0;
        for (EmbeddedFace f : all) {
            Long p = f.personId() == null ? null : f.personId().value();
            if (p != null) {
                before.put(f.id().value(), p);
            }
            boolean keep = p != null && (f.userVerified() || named.contains(p));
            fixed += keep ? 1 : 0;
            input.add(new PersonClustering.Face(f.id().value(), f.mediaItemId().value() + ":" + f.frameNumber(),
                    keep ? p : null, f.userVerified(), f.embedding()));
        }
        Set<Long> rejected = PersonClustering.rejectedPairs(faces.findRejections());
        PersonClustering.Plan plan = PersonClustering.plan(input, rejected,
                new PersonClustering.Settings(props.algorithm(), t.matchThreshold(), props.eps(t, true),
                        t.minSamples()));
        Set<Long> reusable = new HashSet<>(before.values());
        reusable.removeAll(named);
        List<Long> mapped = StablePersonIds.map(plan.newPersons(), before, reusable);

        Map<Long, Long> after = new HashMap<>(plan.matches());
        int created = 0;
        Set<Long> kept = new HashSet<>();
        for (int g = 0; g < plan.newPersons().size(); g++) {
            Long person = mapped.get(g);
            if (person == null) {
                person = dryRun ? -(g + 1L) : persons.create(now).value();
                created++;
            } else {
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
                    log.info("dry run: face {} would move from person {} to {}", f.id(), old, now2);
                } else {
                    faces.assignPerson(FaceId.of(f.id()), now2 == null ? null : PersonId.of(now2), now);
                }
            } else if (!dryRun && now2 == null) {
                faces.markClustered(List.of(FaceId.of(f.id())), now);
            }
        }
        int deleted = 0;
        if (!dryRun) {
            for (Long p : kept) {
                persons.touch(PersonId.of(p), now);
            }
            for (Long p : new HashSet<>(after.values())) {
                portraits.update(PersonId.of(p), now);
            }
            deleted = persons.deleteEmpty();
        }
        Result r = new Result(all.size(), fixed, moved, unassigned, kept.size(), created, deleted);
        log.info("{}recluster {}: {} faces ({} fixed by users), {} moved, {} unassigned; persons: {} kept, {} new, {} removed",
                dryRun ? "dry-run " : "", model, r.faces, r.fixed, r.moved, r.unassigned, r.personsKept, r.personsCreated,
                r.personsDeleted);
        return r;
    }
}
