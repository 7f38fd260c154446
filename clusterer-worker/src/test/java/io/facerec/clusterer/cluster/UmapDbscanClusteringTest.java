package io.facerec.clusterer.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.clusterer.config.ClustererProperties;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** UMAP + DBSCAN through {@link PersonClustering}: synthetic identities, the one-face-per-photo rule, user truth. */
class UmapDbscanClusteringTest {
    static final PersonClustering.Settings SETTINGS =
            new PersonClustering.Settings(PersonClustering.Algorithm.UMAP_DBSCAN, 0.9, ClustererProperties.UMAP_EPS, 2);

    /** 15 identities x 8 faces in 128-d, each face at cosine about 0.7 to its identity's direction. */
    static List<PersonClustering.Face> identities(Random r, Map<Long, Integer> truth) {
        List<PersonClustering.Face> faces = new ArrayList<>();
        long id = 0;
        for (int p = 0; p < 15; p++) {
            float[] centre = CosineDbscanTest.unit(r, new float[128], 1);
            for (int k = 0; k < 8; k++) {
                truth.put(id, p);
                faces.add(new PersonClustering.Face(
                        id, "photo" + id, null, false, CosineDbscanTest.unit(r, centre, 0.09)));
                id++;
            }
        }
        return faces;
    }

    static double pairwiseF1(Map<Long, Integer> truth, PersonClustering.Plan plan) {
        Map<Long, Integer> predicted = new HashMap<>();
        int c = 0;
        for (List<Long> g : plan.newPersons()) {
            for (long f : g) {
                predicted.put(f, c);
            }
            c++;
        }
        List<Long> ids = new ArrayList<>(truth.keySet());
        long tp = 0;
        long together = 0;
        long same = 0;
        for (int i = 0; i < ids.size(); i++) {
            for (int j = i + 1; j < ids.size(); j++) {
                boolean s = truth.get(ids.get(i)).equals(truth.get(ids.get(j)));
                Integer a = predicted.get(ids.get(i));
                boolean t = a != null && a.equals(predicted.get(ids.get(j)));
                same += s ? 1 : 0;
                together += t ? 1 : 0;
                tp += s && t ? 1 : 0;
            }
        }
        double p = together == 0 ? 0 : (double) tp / together;
        double rec = (double) tp / same;
        return p + rec == 0 ? 0 : 2 * p * rec / (p + rec);
    }

    @Test
    void recoversSyntheticIdentities() {
        Map<Long, Integer> truth = new HashMap<>();
        List<PersonClustering.Face> faces = identities(new Random(21), truth);
        PersonClustering.Plan plan = PersonClustering.plan(faces, Set.of(), SETTINGS);
        assertThat(pairwiseF1(truth, plan)).isGreaterThan(0.95);
        // no person mixes two identities (a tight identity may split in the 2-d layout, which the F1 bounds)
        for (List<Long> person : plan.newPersons()) {
            assertThat(person.stream().map(truth::get).distinct()).hasSize(1);
        }
        // every face is either in a person or reported unassigned
        assertThat(plan.newPersons().stream().mapToInt(List::size).sum()
                        + plan.unassigned().size())
                .isEqualTo(faces.size());
        // reproducible
        assertThat(PersonClustering.plan(faces, Set.of(), SETTINGS)).isEqualTo(plan);
    }

    @Test
    void neverPutsTwoFacesOfOnePhotoTogetherAndLeavesUserTruthAlone() {
        Map<Long, Integer> truth = new HashMap<>();
        List<PersonClustering.Face> faces = new ArrayList<>(identities(new Random(22), truth));
        // faces 0-3 (one identity) come from the same photo; face 8 is user-verified without a person
        for (int i = 0; i < 4; i++) {
            PersonClustering.Face f = faces.get(i);
            faces.set(i, new PersonClustering.Face(f.id(), "group-photo", null, false, f.embedding()));
        }
        PersonClustering.Face v = faces.get(8);
        faces.set(8, new PersonClustering.Face(v.id(), v.slot(), null, true, v.embedding()));
        PersonClustering.Plan plan = PersonClustering.plan(faces, Set.of(), SETTINGS);
        Map<Long, String> slot = new HashMap<>();
        faces.forEach(f -> slot.put(f.id(), f.slot()));
        for (List<Long> person : plan.newPersons()) {
            Set<String> slots = new HashSet<>();
            for (long f : person) {
                assertThat(slots.add(slot.get(f)))
                        .as("two faces of %s in one person", slot.get(f))
                        .isTrue();
            }
            assertThat(person).doesNotContain(8L);
        }
        assertThat(plan.unassigned()).doesNotContain(8L);
        assertThat(plan.newPersons().stream()
                        .filter(p -> p.contains(4L))
                        .findFirst()
                        .orElseThrow())
                .containsAnyOf(0L, 1L, 2L, 3L);
    }
}
