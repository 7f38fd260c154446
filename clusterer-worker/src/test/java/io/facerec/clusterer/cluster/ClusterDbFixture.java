package io.facerec.clusterer.cluster;

import io.facerec.clusterer.config.ClustererProperties;
import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.geometry.Landmarks;
import io.facerec.common.id.FaceId;
import io.facerec.common.id.MediaItemId;
import io.facerec.common.persistence.ClusteringChangeRepository;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.common.persistence.PersonCentroidRepository;
import io.facerec.common.persistence.PersonRepository;
import io.facerec.common.portrait.Portraits;
import io.facerec.common.testing.TestDatabase;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A real PostgreSQL with the schema, one per test class (each test starts from empty tables), and helpers to create
 * embedded faces.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClusterDbFixture {
    static final String MODEL = "m";
    TestDatabase db;
    JdbcTemplate jdbc;
    FaceRepository faces;
    PersonRepository persons;
    PersonCentroidRepository centroids;
    ClusteringChangeRepository changes;
    ClustererProperties props;
    ClusterFacesHandler handler;
    int fileNo;

    @BeforeAll
    void startDatabase() throws Exception {
        db = TestDatabase.start();
    }

    @AfterAll
    void stopDatabase() throws Exception {
        db.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        jdbc = db.jdbc();
        jdbc.execute("TRUNCATE \"FaceRejections\", \"PersonCentroids\", \"ClusteringChanges\", \"Faces\", \"Persons\", "
                + "\"MediaItems\", \"MediaFile\" RESTART IDENTITY CASCADE");
        jdbc.update("UPDATE \"ClusteringRevision\" SET \"Revision\" = 0");
        faces = new FaceRepository(jdbc);
        persons = new PersonRepository(jdbc);
        centroids = new PersonCentroidRepository(jdbc);
        changes = new ClusteringChangeRepository(jdbc);
        props = new ClustererProperties(
                Map.of(MODEL, new ClustererProperties.ModelThresholds(0.6, 0.3, 2)),
                PersonClustering.Algorithm.AVERAGE_LINKAGE,
                ClustererProperties.UMAP_EPS,
                500,
                8,
                16,
                1);
        handler = newHandler();
    }

    ClusterFacesHandler newHandler() {
        return new ClusterFacesHandler(
                faces, persons, centroids, changes, portraits(), props, db.tx(), Clock.systemUTC(), null);
    }

    Portraits portraits() {
        return new Portraits(faces, persons, null, Portraits.Locations.NONE);
    }

    /** What the clusterer worker does for the faces embedded since its last run. */
    ClusterFacesHandler.Result run() {
        return handler.start(MODEL);
    }

    /** A change another writer (the gallery, a recluster) made, noted in the change log as those writers do. */
    void noteChange(ClusteringChangeRepository.Kind kind, Long... subjects) {
        db.tx()
                .executeWithoutResult(
                        s -> changes.record(changes.nextRevision(), kind, Arrays.asList(subjects), Instant.now()));
    }

    @AfterEach
    void tearDown() {
        handler.close();
    }

    MediaItemId item() {
        String n = "f" + (fileNo++) + ".jpg";
        return new MediaItemRepository(jdbc).insert(new MediaFileRepository(jdbc).insert(n, n, ".jpg"), n);
    }

    /** Faces of one item, each with the given direction (normalised). */
    List<FaceId> faces(MediaItemId item, float[]... dirs) {
        List<FaceRepository.NewFace> nf = new ArrayList<>();
        for (int i = 0; i < dirs.length; i++) {
            nf.add(new FaceRepository.NewFace(
                    0,
                    i,
                    new DetectedFace(0.9, new BoundingBox(0, 0, 10, 10), new Landmarks(new double[][] {
                        {1, 1}, {2, 1}, {1, 2}, {1, 3}, {2, 3}
                    })),
                    null));
        }
        List<FaceId> ids = faces.replaceFaces(item, nf, Instant.now());
        for (int i = 0; i < dirs.length; i++) {
            faces.saveEmbedding(ids.get(i), norm(dirs[i]), MODEL, Instant.now());
        }
        return ids;
    }

    static float[] norm(float[] v) {
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        float[] o = v.clone();
        for (int i = 0; i < o.length; i++) {
            o[i] /= (float) Math.sqrt(n);
        }
        return o;
    }

    Long personOf(FaceId f) {
        return jdbc.queryForObject("SELECT \"PersonId\" FROM \"Faces\" WHERE \"Id\" = ?", Long.class, f.value());
    }

    static final float[] A = {1, 0, 0};
    static final float[] A2 = {1, 0.05f, 0};
    static final float[] B = {0, 1, 0};
    static final float[] B2 = {0, 1, 0.05f};
}
