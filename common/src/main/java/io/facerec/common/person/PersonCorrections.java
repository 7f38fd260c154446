package io.facerec.common.person;

import io.facerec.common.id.FaceId;
import io.facerec.common.id.PersonId;
import io.facerec.common.persistence.ClusteringChangeRepository;
import io.facerec.common.persistence.ClusteringChangeRepository.Kind;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.FaceRepository.ClusterRow;
import io.facerec.common.persistence.PersonCentroidRepository;
import io.facerec.common.persistence.PersonRepository;
import io.facerec.common.portrait.Portraits;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A user's corrections to persons (merge, move, "not this person"), written as user truth together with everything
 * that must follow them, in the caller's transaction: the faces, the persons' face counts and centroids
 * ({@code PersonCentroids}: adjusted by the moved faces' embeddings, never recomputed from a whole person), the
 * portraits, and the change log, so a running clusterer follows by reading only the faces and persons named here.
 * The change log's revision is taken first, which also orders corrections with the clusterer's batches.
 */
public class PersonCorrections {
    private final FaceRepository faces;
    private final PersonRepository persons;
    private final PersonCentroidRepository centroids;
    private final ClusteringChangeRepository changes;
    private final Portraits portraits;

    public PersonCorrections(
            FaceRepository faces,
            PersonRepository persons,
            PersonCentroidRepository centroids,
            ClusteringChangeRepository changes,
            Portraits portraits) {
        this.faces = faces;
        this.persons = persons;
        this.centroids = centroids;
        this.changes = changes;
        this.portraits = portraits;
    }

    /**
     * Moves every face of the sources into the target as user-verified faces; the sources disappear. A user's name
     * wins over an automatic {@code Unknown-N}.
     */
    public void merge(PersonId target, List<PersonId> sources, Instant now) {
        long revision = changes.nextRevision();
        String name = persons.summary(target)
                .orElseThrow(() -> new NoSuchElementException("no person " + target))
                .name();
        Set<Long> touched = new LinkedHashSet<>();
        touched.add(target.value());
        int moved = 0;
        for (PersonId source : sources) {
            if (source.equals(target)) {
                continue;
            }
            var src = persons.summary(source).orElseThrow(() -> new NoSuchElementException("no person " + source));
            // centroids add up: no face is read
            for (String model : centroids.modelsOf(source.value())) {
                var both = centroids.find(model, List.of(source.value(), target.value()));
                var s = both.get(source.value());
                var t = both.get(target.value());
                float[] sum = t == null ? s.sum().clone() : plus(t.sum(), s.sum(), 1);
                int n = (t == null ? 0 : t.faceCount()) + s.faceCount();
                centroids.save(
                        model,
                        List.of(
                                new PersonCentroidRepository.Centroid(target.value(), n, sum),
                                new PersonCentroidRepository.Centroid(source.value(), 0, sum)),
                        now);
            }
            moved += faces.moveAllByUser(source, target, now);
            if (!PersonRepository.isUserName(name) && PersonRepository.isUserName(src.name())) {
                name = src.name();
                persons.rename(target, name, now);
            }
            persons.deleteIfEmpty(source);
            touched.add(source.value());
        }
        persons.addFaceCounts(Map.of(target.value(), moved), now);
        changes.record(revision, Kind.PERSON, touched, now);
        portraits.update(target, now);
    }

    /**
     * Split: moves the faces to an existing person, or to a new one when {@code target} is null. The user looked at
     * the faces left behind and kept them, so they are confirmed too: a later recluster cannot pull them over to the
     * faces that were split off (they look alike, which is why the split was needed).
     *
     * @return the person the faces are now in
     */
    public PersonId move(List<FaceId> faceIds, PersonId target, Instant now) {
        long revision = changes.nextRevision();
        PersonId to = target == null ? persons.create(now) : target;
        List<ClusterRow> rows =
                faces.findForClustering(faceIds.stream().map(FaceId::value).toList());
        if (rows.size() != new LinkedHashSet<>(faceIds).size()) {
            Set<Long> found = new LinkedHashSet<>();
            rows.forEach(r -> found.add(r.id()));
            for (FaceId f : faceIds) {
                if (!found.contains(f.value())) {
                    throw new NoSuchElementException("no face " + f.value());
                }
            }
        }
        Deltas deltas = new Deltas();
        Set<Long> from = new LinkedHashSet<>();
        for (ClusterRow r : rows) {
            if (r.personId() != null && r.personId() == to.value()) {
                faces.assignByUser(FaceId.of(r.id()), to, now); // already there: now user-verified
                continue;
            }
            if (r.personId() != null) {
                from.add(r.personId());
                deltas.add(r, r.personId(), -1);
            }
            deltas.add(r, to.value(), 1);
            faces.assignByUser(FaceId.of(r.id()), to, now);
        }
        deltas.write(now);
        for (Long p : from) {
            faces.confirmAll(PersonId.of(p), now);
            persons.deleteIfEmpty(PersonId.of(p));
        }
        Set<Long> touched = new LinkedHashSet<>(from);
        touched.add(to.value());
        changes.record(revision, Kind.FACE, rows.stream().map(ClusterRow::id).toList(), now);
        changes.record(revision, Kind.PERSON, touched, now);
        for (Long p : touched) {
            if (persons.exists(PersonId.of(p))) {
                portraits.update(PersonId.of(p), now);
            }
        }
        return to;
    }

    /**
     * "Not this person": stores the (face, person) pair, which every later run honours, and takes the face out of the
     * person; it goes back to the unassigned pool (not verified, so clustering may place it elsewhere).
     */
    public void reject(FaceId face, Instant now) {
        long revision = changes.nextRevision();
        List<ClusterRow> rows = faces.findForClustering(List.of(face.value()));
        if (rows.isEmpty()) {
            throw new NoSuchElementException("no face " + face.value());
        }
        ClusterRow r = rows.get(0);
        if (r.personId() == null) {
            throw new IllegalArgumentException("face " + face.value() + " has no person");
        }
        PersonId person = PersonId.of(r.personId());
        faces.reject(face, person, now);
        Deltas deltas = new Deltas();
        deltas.add(r, person.value(), -1);
        deltas.write(now);
        changes.record(revision, Kind.FACE, List.of(face.value()), now);
        changes.record(revision, Kind.PERSON, List.of(person.value()), now);
        changes.record(revision, Kind.REJECTIONS, now);
        if (persons.exists(person)) {
            portraits.update(person, now);
        }
    }

    private static float[] plus(float[] a, float[] b, int sign) {
        float[] out = a.clone();
        for (int k = 0; k < out.length && k < b.length; k++) {
            out[k] += sign * b[k];
        }
        return out;
    }

    /** What moved faces change in their persons' centroids (per model) and face counts. */
    private final class Deltas {
        private final Map<String, Map<Long, float[]>> sums = new LinkedHashMap<>();
        private final Map<String, Map<Long, Integer>> counts = new LinkedHashMap<>();
        private final Map<Long, Integer> faceCounts = new HashMap<>();

        void add(ClusterRow face, long person, int sign) {
            faceCounts.merge(person, sign, Integer::sum);
            if (face.embedding() == null || face.model() == null) {
                return;
            }
            float[] s = sums.computeIfAbsent(face.model(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(person, k -> new float[face.embedding().length]);
            for (int k = 0; k < s.length && k < face.embedding().length; k++) {
                s[k] += sign * face.embedding()[k];
            }
            counts.computeIfAbsent(face.model(), k -> new LinkedHashMap<>()).merge(person, sign, Integer::sum);
        }

        void write(Instant now) {
            for (var m : sums.entrySet()) {
                var stored = centroids.find(m.getKey(), m.getValue().keySet());
                List<PersonCentroidRepository.Centroid> out = new ArrayList<>();
                for (var e : m.getValue().entrySet()) {
                    var c = stored.get(e.getKey());
                    float[] sum = c == null ? e.getValue() : plus(c.sum(), e.getValue(), 1);
                    int n = (c == null ? 0 : c.faceCount())
                            + counts.get(m.getKey()).get(e.getKey());
                    out.add(new PersonCentroidRepository.Centroid(e.getKey(), Math.max(0, n), sum));
                }
                centroids.save(m.getKey(), out, now);
            }
            persons.addFaceCounts(faceCounts, now);
        }
    }
}
