package io.facerec.gallery;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.common.files.FilePermissions;
import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.geometry.Landmarks;
import io.facerec.common.id.FaceId;
import io.facerec.common.id.PersonId;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.image.VideoFrameStore;
import io.facerec.common.persistence.ClusteringChangeRepository;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.common.persistence.PersonCentroidRepository;
import io.facerec.common.persistence.PersonRepository;
import io.facerec.common.person.PersonCorrections;
import io.facerec.common.portrait.Portraits;
import io.facerec.common.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

/** The gallery's reads are pages (largest persons first), and its suggestions follow the centroids' changes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GalleryServiceTest {
    static final String MODEL = "m";
    TestDatabase db;
    JdbcTemplate jdbc;
    FaceRepository faces;
    PersonRepository persons;
    PersonCentroidRepository centroids;
    ClusteringChangeRepository changes;
    PersonCorrections corrections;
    GalleryService gallery;
    int files;

    @BeforeAll
    void start() throws Exception {
        db = TestDatabase.start();
        jdbc = db.jdbc();
        faces = new FaceRepository(jdbc);
        persons = new PersonRepository(jdbc);
        centroids = new PersonCentroidRepository(jdbc);
        changes = new ClusteringChangeRepository(jdbc);
        Portraits portraits = new Portraits(faces, persons, null, Portraits.Locations.NONE);
        corrections = new PersonCorrections(faces, persons, centroids, changes, portraits);
        gallery = new GalleryService(
                persons,
                faces,
                new MediaItemRepository(jdbc),
                new MediaFileRepository(jdbc),
                new MediaPathResolver(Path.of(".")),
                corrections,
                centroids,
                changes,
                db.tx(),
                Clock.systemUTC(),
                new GalleryFiles(Path.of("."), new VideoFrameStore(Path.of("."), FilePermissions.OWNER)));
    }

    @BeforeEach
    void empty() {
        jdbc.execute("TRUNCATE \"FaceRejections\", \"PersonCentroids\", \"ClusteringChanges\", \"Faces\", \"Persons\", "
                + "\"MediaItems\", \"MediaFile\" CASCADE");
    }

    @AfterAll
    void stop() throws Exception {
        db.close();
    }

    FaceId face(float[] v) {
        String n = "g" + (files++) + ".jpg";
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

    /** A person of n faces around a direction, with its count and centroid, and the change log told. */
    long person(int n, float[] dir) {
        PersonId p = persons.create(Instant.now());
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(face(dir).value());
        }
        db.tx().executeWithoutResult(s -> {
            long r = changes.nextRevision();
            faces.assignPersons(ids.stream().collect(Collectors.toMap(i -> i, i -> p.value())), Instant.now());
            persons.addFaceCounts(Map.of(p.value(), n), Instant.now());
            centroids.recompute(MODEL, List.of(p.value()), Instant.now());
            changes.record(r, ClusteringChangeRepository.Kind.PERSON, List.of(p.value()), Instant.now());
        });
        return p.value();
    }

    @Test
    void pagesOfPersonsLargestFirstPagesOfFacesAndNameSearch() {
        long small = person(2, new float[] {1, 0, 0});
        long big = person(7, new float[] {0, 1, 0});
        long mid = person(4, new float[] {0, 0, 1});
        persons.rename(PersonId.of(mid), "Grandma Rosa", Instant.now());
        face(new float[] {0.5f, 0.5f, 0.7f}); // unassigned
        face(new float[] {0.7f, 0.5f, 0.5f});

        var first = gallery.persons(false, null, 0, 2);
        assertThat(first.total()).isEqualTo(3);
        assertThat(first.items()).extracting(s -> s.id()).containsExactly(big, mid);
        assertThat(first.items().get(0).faces()).isEqualTo(7);
        assertThat(gallery.persons(false, null, 2, 2).items())
                .extracting(s -> s.id())
                .containsExactly(small);
        assertThat(gallery.persons(false, "rosa", 0, 10).items())
                .extracting(s -> s.id())
                .containsExactly(mid);
        assertThat(gallery.persons(false, "100%", 0, 10).total())
                .as("LIKE wildcards are literal")
                .isZero();

        var page = gallery.person(big, 5, 5);
        assertThat(page.person().faces()).isEqualTo(7);
        assertThat(page.faces()).hasSize(2);
        assertThat(page.faces().get(0).file()).endsWith(".jpg");
        var unassigned = gallery.unassigned(0, 1);
        assertThat(unassigned.total()).isEqualTo(2);
        assertThat(unassigned.items()).hasSize(1);
    }

    @Test
    void suggestionsComeFromTheCentroidsAndFollowCorrections() {
        long a = person(3, new float[] {1, 0.1f, 0});
        long b = person(2, new float[] {1, 0.2f, 0.05f});
        long c = person(2, new float[] {0, 0, 1});
        assertThat(gallery.suggestions(a, 2)).extracting(s -> s.person().id()).startsWith(b);
        // a correction through the gallery: b merged into c; a's look-alike is c now
        gallery.merge(c, List.of(b));
        var after = gallery.suggestions(a, 5);
        assertThat(after).extracting(s -> s.person().id()).doesNotContain(b).contains(c);
        // hidden persons are not suggested
        gallery.hide(c, true);
        assertThat(gallery.suggestions(a, 5)).extracting(s -> s.person().id()).doesNotContain(c);
    }
}
