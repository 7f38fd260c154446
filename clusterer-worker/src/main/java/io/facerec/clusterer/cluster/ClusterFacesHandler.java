package io.facerec.clusterer.cluster;

import io.facerec.clusterer.config.ClustererProperties;
import io.facerec.common.event.FaceEmbedded;
import io.facerec.common.id.FaceId;
import io.facerec.common.id.PersonId;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.FaceRepository.EmbeddedFace;
import io.facerec.common.persistence.PersonRepository;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
 *   <li>the faces still unassigned (new ones and earlier noise) are clustered with DBSCAN (cosine); each cluster
 *       becomes a new person;</li>
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
            Result r = tx.execute(s -> run(model));
            total = new Result(total.considered + r.considered, total.matched + r.matched,
                    total.newPersons + r.newPersons, total.clustered + r.clustered, total.unassigned + r.unassigned);
        }
        return total;
    }

    /** One clustering run over all faces of a model. */
    public Result run(String model) {
        ClustererProperties.ModelThresholds t = props.thresholds(model);
        Instant now = clock.instant();
        List<EmbeddedFace> all = faces.findEmbedded(model);
        Set<Long> rejected = new HashSet<>();
        for (long[] r : faces.findRejections()) {
            rejected.add(key(r[0], r[1]));
        }
        List<EmbeddedFace> assigned = new ArrayList<>();
        List<EmbeddedFace> pool = new ArrayList<>();
        Map<Long, Set<String>> slotsOfPerson = new HashMap<>();
        for (EmbeddedFace f : all) {
            if (f.personId() != null) {
                assigned.add(f);
                slotsOfPerson.computeIfAbsent(f.personId().value(), k -> new HashSet<>()).add(slot(f));
            } else if (!f.userVerified()) {
                pool.add(f);
            }
        }
        // 1. match to known persons
        int matched = 0;
        List<EmbeddedFace> rest = new ArrayList<>();
        for (EmbeddedFace f : pool) {
            PersonId best = null;
            double bestSim = t.matchThreshold();
            for (EmbeddedFace a : assigned) {
                double sim = CosineDbscan.dot(f.embedding(), a.embedding());
                if (sim >= bestSim && allowed(f, a.personId(), rejected, slotsOfPerson)) {
                    bestSim = sim;
                    best = a.personId();
                }
            }
            if (best != null) {
                faces.assignPerson(f.id(), best, now);
                slotsOfPerson.computeIfAbsent(best.value(), k -> new HashSet<>()).add(slot(f));
                persons.touch(best, now);
                matched++;
            } else {
                rest.add(f);
            }
        }
        // 2. cluster the rest
        float[][] x = new float[rest.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = rest.get(i).embedding();
        }
        int[] labels = CosineDbscan.cluster(x, t.eps(), t.minSamples());
        Map<Integer, List<Integer>> clusters = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != CosineDbscan.NOISE) {
                clusters.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(i);
            }
        }
        int created = 0;
        int clustered = 0;
        Set<FaceId> leftover = new HashSet<>();
        for (EmbeddedFace f : rest) {
            leftover.add(f.id());
        }
        for (List<Integer> members : clusters.values()) {
            List<Integer> kept = onePerSlot(members, x, rest);
            if (kept.size() < Math.max(2, Math.min(t.minSamples(), 2))) {
                continue;
            }
            PersonId person = persons.create(now);
            created++;
            for (int i : kept) {
                faces.assignPerson(rest.get(i).id(), person, now);
                leftover.remove(rest.get(i).id());
                clustered++;
            }
        }
        faces.markClustered(leftover, now);
        persons.deleteEmpty();
        Result r = new Result(pool.size(), matched, created, clustered, leftover.size());
        log.info("clustering {}: {} unassigned face(s) considered, {} matched to known persons, {} new person(s) "
                + "with {} face(s), {} left unassigned", model, r.considered, r.matched, r.newPersons, r.clustered,
                r.unassigned);
        return r;
    }

    /** Keeps at most one face per (media item, frame), the ones closest to the cluster's mean first. */
    private static List<Integer> onePerSlot(List<Integer> members, float[][] x, List<EmbeddedFace> rest) {
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
            if (slots.add(slot(rest.get(i)))) {
                kept.add(i);
            }
        }
        return kept;
    }

    private static boolean allowed(EmbeddedFace f, PersonId p, Set<Long> rejected, Map<Long, Set<String>> slotsOfPerson) {
        if (rejected.contains(key(f.id().value(), p.value()))) {
            return false;
        }
        Set<String> slots = slotsOfPerson.get(p.value());
        return slots == null || !slots.contains(slot(f));
    }

    private static String slot(EmbeddedFace f) {
        return f.mediaItemId().value() + ":" + f.frameNumber();
    }

    private static long key(long face, long person) {
        return face * 1_000_003L ^ person;
    }
}
