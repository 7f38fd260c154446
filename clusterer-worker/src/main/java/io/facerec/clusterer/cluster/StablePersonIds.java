package io.facerec.clusterer.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps the groups of a new clustering run onto the persons that already exist, so person ids stay stable across runs:
 * the (group, person) pairs are taken greedily by descending member overlap, each person and each group at most once;
 * a group without overlap (or whose best person was taken) gets a new person.
 */
public final class StablePersonIds {
    private StablePersonIds() {}

    /**
     * @param groups face ids of each new group
     * @param currentPerson face id to its person before the run (faces without one absent)
     * @param reusable persons that may receive a group (e.g. not named by a user)
     * @return for each group, the existing person id it maps to, or null for a new person
     */
    public static List<Long> map(List<List<Long>> groups, Map<Long, Long> currentPerson, Set<Long> reusable) {
        record Overlap(int group, long person, int count) {}
        List<Overlap> overlaps = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            Map<Long, Integer> counts = new HashMap<>();
            for (Long f : groups.get(g)) {
                Long p = currentPerson.get(f);
                if (p != null && reusable.contains(p)) {
                    counts.merge(p, 1, Integer::sum);
                }
            }
            for (var e : counts.entrySet()) {
                overlaps.add(new Overlap(g, e.getKey(), e.getValue()));
            }
        }
        overlaps.sort((a, b) -> a.count != b.count
                ? Integer.compare(b.count, a.count)
                : a.group != b.group ? Integer.compare(a.group, b.group) : Long.compare(a.person, b.person));
        List<Long> out = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            out.add(null);
        }
        Set<Long> taken = new HashSet<>();
        for (Overlap o : overlaps) {
            if (out.get(o.group) == null && !taken.contains(o.person)) {
                out.set(o.group, o.person);
                taken.add(o.person);
            }
        }
        return out;
    }
}
