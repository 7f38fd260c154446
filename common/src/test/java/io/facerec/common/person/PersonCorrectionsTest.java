package io.facerec.common.person;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.geometry.Landmarks;
import io.facerec.common.id.FaceId;
import io.facerec.common.id.PersonId;
import io.facerec.common.persistence.ClusteringChangeRepository;
import io.facerec.common.persistence.ClusteringChangeRepository.Kind;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.common.persistence.PersonCentroidRepository;
import io.facerec.common.persistence.PersonRepository;
import io.facerec.common.portrait.Portraits;
import io.facerec.common.testing.TestDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A user's corrections keep what follows them exact without reading whole persons: face counts, centroids (the sum of
 * the faces' embeddings, checked against a recount from the faces) and the change log a running clusterer follows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PersonCorrectionsTest {
    static final String MODEL = "m";
    TestDatabase db;
    JdbcTemplate jdbc;
    FaceRepository faces;
    PersonRepository persons;
    PersonCentroidRepository centroids;
    ClusteringChangeRepository changes;
    PersonCorrections corrections;
    int files;

    @BeforeAll
    void start() throws Exception {
        db = TestDatabase.start();
        jdbc = db.jdbc();
        faces = new FaceRepository(jdbc);
        persons = new PersonRepository(jdbc);
        centroids = new PersonCentroidRepository(jdbc);
        changes = new ClusteringChangeRepository(jdbc);
        corrections = new PersonCorrections(
                faces, persons, centroids, changes, new Portraits(faces, persons, null, Portraits.Locations.NONE));
    }

    @AfterAll
    void stop() throws Exception {
        db.close();
    }

    /** A person of faces with these embeddings (as a clusterer leaves it: counts and centroid written). */
    PersonId person(float[]... vectors) {
        PersonId p = persons.create(Instant.now());
        List<Long> ids = new ArrayList<>();
        for (float[] v : vectors) {
            ids.add(face(v).value());
        }
        faces.assignPersons(ids.stream().collect(Collectors.toMap(i -> i, i -> p.value())), Instant.now());
        persons.addFaceCounts(Map.of(p.value(), vectors.length), Instant.now());
        centroids.recompute(MODEL, List.of(p.value()), Instant.now());
        return p;
    }

    FaceId face(float[] v) {
        String n = "c" + (files++) + ".jpg";
        var item = new MediaItemRepository(jdbc).insert(new MediaFileRepository(jdbc).insert(n, n, ".jpg"), n);
        FaceId id = faces.replaceFaces(
                        item,
                        List.of(new FaceRepository.NewFace(
                                0,
                                0,
                                new DetectedFace(0.9, new BoundingBox(0, 0, 10, 10), new Landmarks(new double[][] {
                                    {1, 1}, {2, 1}, {1, 2}, {1, 3}, {2, 3}
                                })),
                                null,
                                100.0)),
                        Instant.now())
                .get(0);
        faces.saveEmbedding(id, v, MODEL, Instant.now());
        return id;
    }

    void assertCentroidMatchesItsFaces(PersonId p) {
        var kept = centroids.find(MODEL, List.of(p.value())).get(p.value());
        var truth =
                centroids.recompute(MODEL, List.of(p.value()), Instant.now()).get(0); // rewrites the same value
        assertThat(kept.faceCount()).isEqualTo(truth.faceCount());
        for (int k = 0; k < truth.sum().length; k++) {
            assertThat(kept.sum()[k]).isCloseTo(truth.sum()[k], within(1e-4f));
        }
        assertThat(jdbc.queryForObject(
                        "SELECT \"FaceCount\" FROM \"Persons\" WHERE \"Id\" = ?", Integer.class, p.value()))
                .isEqualTo(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM \"Faces\" WHERE \"PersonId\" = ?", Integer.class, p.value()));
    }

    @Test
    void aMergeAddsTheCentroidsAndTheCountsAndNamesBothPersonsInTheChangeLog() {
        PersonId a = person(new float[] {1, 0, 0}, new float[] {0.9f, 0.1f, 0});
        PersonId b = person(new float[] {0, 1, 0});
        long before = changes.current();
        db.tx().executeWithoutResult(s -> corrections.merge(a, List.of(b), Instant.now()));
        assertThat(persons.exists(b)).isFalse();
        assertCentroidMatchesItsFaces(a);
        assertThat(centroids.find(MODEL, List.of(b.value()))).isEmpty();
        assertThat(changes.between(before, Long.MAX_VALUE))
                .extracting(ClusteringChangeRepository.Change::subjectId)
                .contains(a.value(), b.value());
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM \"Faces\" WHERE \"PersonId\" = ? AND \"IsUserVerified\"",
                        Integer.class,
                        a.value()))
                .as("merged faces are the user's now")
                .isEqualTo(1);
    }

    @Test
    void aMoveTakesTheFacesOutOfOnePersonsCentroidAndIntoAnothers() {
        PersonId a = person(new float[] {1, 0, 0}, new float[] {0, 0, 1}, new float[] {0.8f, 0.2f, 0});
        PersonId b = person(new float[] {0, 1, 0});
        FaceId odd = FaceId.of(jdbc.queryForObject(
                "SELECT MIN(\"Id\") + 1 FROM \"Faces\" WHERE \"PersonId\" = ?", Long.class, a.value()));
        long before = changes.current();
        PersonId to = db.tx().execute(s -> corrections.move(List.of(odd), b, Instant.now()));
        assertThat(to).isEqualTo(b);
        assertCentroidMatchesItsFaces(a);
        assertCentroidMatchesItsFaces(b);
        assertThat(changes.between(before, Long.MAX_VALUE)).anySatisfy(c -> {
            assertThat(c.kind()).isEqualTo(Kind.FACE);
            assertThat(c.subjectId()).isEqualTo(odd.value());
        });
        // to a new person
        PersonId fresh = db.tx().execute(s -> corrections.move(List.of(odd), null, Instant.now()));
        assertThat(fresh).isNotEqualTo(b);
        assertCentroidMatchesItsFaces(b);
        assertCentroidMatchesItsFaces(fresh);
    }

    @Test
    void notThisPersonSendsTheFaceToThePoolAndSaysSo() {
        PersonId a = person(new float[] {1, 0, 0}, new float[] {0.9f, 0.1f, 0}, new float[] {0.7f, 0.3f, 0});
        FaceId f = FaceId.of(
                jdbc.queryForObject("SELECT MAX(\"Id\") FROM \"Faces\" WHERE \"PersonId\" = ?", Long.class, a.value()));
        long before = changes.current();
        db.tx().executeWithoutResult(s -> corrections.reject(f, Instant.now()));
        assertThat(jdbc.queryForObject("SELECT \"PersonId\" FROM \"Faces\" WHERE \"Id\" = ?", Long.class, f.value()))
                .isNull();
        assertCentroidMatchesItsFaces(a);
        assertThat(changes.between(before, Long.MAX_VALUE))
                .extracting(ClusteringChangeRepository.Change::kind)
                .contains(Kind.FACE, Kind.PERSON, Kind.REJECTIONS);
        assertThat(faces.findRejections()).anySatisfy(r -> assertThat(r).containsExactly(f.value(), a.value()));
    }
}
