package io.facerec.gallery;

import io.facerec.common.persistence.ClusteringChangeRepository;
import io.facerec.common.persistence.ClusteringChangeRepository.Change;
import io.facerec.common.persistence.ClusteringChangeRepository.Kind;
import io.facerec.common.persistence.PersonCentroidRepository;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * "Looks like" suggestions from the persons' centroids the clusterer keeps ({@code PersonCentroids}): each person's
 * mean embedding per model, held in memory and kept current by reading only the persons the change log names since
 * the last request (a recluster reloads them all). A suggestion costs one dot product per person of the model; no
 * face is read.
 */
final class LookAlikes {
    /** A person's unit mean direction and how many faces it has. */
    private record Direction(float[] unit, int faces) {}

    /** Another person and the cosine similarity of the two mean directions. */
    record Match(long personId, double similarity) {}

    private final PersonCentroidRepository centroids;
    private final ClusteringChangeRepository changes;
    private final Map<String, Map<Long, Direction>> byModel = new HashMap<>();
    private long revision = -1;
    private long loadedAt;
    private static final long FULL_RELOAD_NANOS = 3_600_000_000_000L;

    LookAlikes(PersonCentroidRepository centroids, ClusteringChangeRepository changes) {
        this.centroids = centroids;
        this.changes = changes;
    }

    /** The persons most like this one (its largest model), best first; excluded ids are skipped. */
    synchronized List<Match> of(long person, int limit, Set<Long> exclude) {
        refresh();
        String model = null;
        Direction mine = null;
        for (var m : byModel.entrySet()) {
            Direction d = m.getValue().get(person);
            if (d != null && (mine == null || d.faces() > mine.faces())) {
                mine = d;
                model = m.getKey();
            }
        }
        if (mine == null) {
            return List.of();
        }
        List<Match> best = new ArrayList<>();
        for (var e : byModel.get(model).entrySet()) {
            if (e.getKey() == person || exclude.contains(e.getKey())) {
                continue;
            }
            double s = dot(mine.unit(), e.getValue().unit());
            if (best.size() < limit || s > best.get(best.size() - 1).similarity()) {
                best.add(new Match(e.getKey(), s));
                best.sort((a, b) -> Double.compare(b.similarity(), a.similarity()));
                if (best.size() > limit) {
                    best.remove(best.size() - 1);
                }
            }
        }
        return best;
    }

    private void refresh() {
        long now = changes.current();
        if (revision >= 0 && now == revision) {
            return;
        }
        // the log keeps two days: reload in full well before a quiet gallery could miss pruned entries
        boolean all = revision < 0 || System.nanoTime() - loadedAt > FULL_RELOAD_NANOS;
        List<Change> log = all ? List.of() : changes.between(revision, now + 1);
        all |= log.stream().anyMatch(c -> c.kind() == Kind.ALL);
        if (all) {
            loadedAt = System.nanoTime();
            byModel.clear();
            for (String model : centroids.models()) {
                Map<Long, Direction> dirs = new HashMap<>();
                centroids.findAll(model).forEach((p, c) -> dirs.put(p, direction(c)));
                byModel.put(model, dirs);
            }
        } else {
            Set<Long> persons = new LinkedHashSet<>();
            for (Change c : log) {
                if (c.kind() == Kind.PERSON && c.subjectId() != null) {
                    persons.add(c.subjectId());
                }
            }
            if (!persons.isEmpty()) {
                for (String model : centroids.models()) {
                    Map<Long, Direction> dirs = byModel.computeIfAbsent(model, k -> new HashMap<>());
                    var found = centroids.find(model, persons);
                    for (Long p : persons) {
                        var c = found.get(p);
                        if (c == null) {
                            dirs.remove(p);
                        } else {
                            dirs.put(p, direction(c));
                        }
                    }
                }
            }
        }
        revision = now;
    }

    private static Direction direction(PersonCentroidRepository.Centroid c) {
        float[] u = c.sum().clone();
        double n = 0;
        for (float x : u) {
            n += x * x;
        }
        float inv = n == 0 ? 0 : (float) (1 / Math.sqrt(n));
        for (int k = 0; k < u.length; k++) {
            u[k] *= inv;
        }
        return new Direction(u, c.faceCount());
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int k = 0; k < a.length && k < b.length; k++) {
            s += a[k] * b[k];
        }
        return s;
    }
}
