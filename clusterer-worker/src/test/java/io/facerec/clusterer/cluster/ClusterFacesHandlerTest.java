package io.facerec.clusterer.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.clusterer.config.ClustererProperties;
import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.geometry.Landmarks;
import io.facerec.common.id.FaceId;
import io.facerec.common.id.MediaItemId;
import io.facerec.common.id.PersonId;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.common.persistence.PersonRepository;
import io.facerec.common.testing.TestDatabase;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** The assignment rules, on a real PostgreSQL with the schema. */
class ClusterFacesHandlerTest {
    static final String MODEL = "m";
    TestDatabase db;
    JdbcTemplate jdbc;
    FaceRepository faces;
    PersonRepository persons;
    ClusterFacesHandler handler;
    int fileNo;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.start();
        jdbc = db.jdbc();
        faces = new FaceRepository(jdbc);
        persons = new PersonRepository(jdbc);
        var props = new ClustererProperties(Map.of(MODEL, new ClustererProperties.ModelThresholds(0.6, 0.3, 2)),
                PersonClustering.Algorithm.DBSCAN, 500);
        handler = new ClusterFacesHandler(faces, persons, props, db.tx(), Clock.systemUTC());
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
    }

    MediaItemId item() {
        String n = "f" + (fileNo++) + ".jpg";
        return new MediaItemRepository(jdbc).insert(new MediaFileRepository(jdbc).insert(n, n, ".jpg"), n);
    }

    /** Faces of one item, each with the given direction (normalised). */
    List<FaceId> faces(MediaItemId item, float[]... dirs) {
        List<FaceRepository.NewFace> nf = new ArrayList<>();
        for (int i = 0; i < dirs.length; i++) {
            nf.add(new FaceRepository.NewFace(0, i, new DetectedFace(0.9, new BoundingBox(0, 0, 10, 10),
                    new Landmarks(new double[][] {{1, 1}, {2, 1}, {1, 2}, {1, 3}, {2, 3}})), null));
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

    @Test
    void clustersNewFacesThenMatchesLaterOnesToKnownPersons() {
        FaceId a1 = faces(item(), A).get(0);
        FaceId a2 = faces(item(), A2).get(0);
        FaceId lone = faces(item(), new float[] {0, 0, 1}).get(0);
        handler.run(MODEL);
        assertThat(personOf(a1)).isNotNull().isEqualTo(personOf(a2));
        assertThat(personOf(lone)).isNull();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM \"Faces\" WHERE \"ClusteredAt\" IS NULL", Long.class)).isZero();

        FaceId a3 = faces(item(), A).get(0);
        handler.run(MODEL);
        assertThat(personOf(a3)).isEqualTo(personOf(a1));
        assertThat(persons.findAll()).hasSize(1);
    }

    @Test
    void twoFacesOfOnePhotoNeverLandInOnePerson() {
        List<FaceId> same = faces(item(), A, A2);
        handler.run(MODEL);
        assertThat(personOf(same.get(0))).isNull();
        assertThat(personOf(same.get(1))).isNull();
        FaceId other = faces(item(), A).get(0);
        handler.run(MODEL);
        // a person forms with one face of the group photo and the other photo, never both group faces
        assertThat(List.of(personOf(same.get(0)) != null, personOf(same.get(1)) != null)).containsOnlyOnce(true);
        assertThat(personOf(other)).isNotNull();
    }

    @Test
    void rejectionsAndVerifiedFacesAreHonoured() {
        FaceId a1 = faces(item(), A).get(0);
        FaceId a2 = faces(item(), A2).get(0);
        handler.run(MODEL);
        long p = personOf(a1);
        FaceId rejected = faces(item(), A).get(0);
        jdbc.update("INSERT INTO \"FaceRejections\" (\"FaceId\", \"PersonId\") VALUES (?, ?)", rejected.value(), p);
        FaceId verified = faces(item(), A).get(0);
        jdbc.update("UPDATE \"Faces\" SET \"IsUserVerified\" = TRUE WHERE \"Id\" = ?", verified.value());
        handler.run(MODEL);
        assertThat(java.util.Objects.equals(personOf(rejected), p)).as("rejected face not in the person").isFalse();
        assertThat(personOf(verified)).isNull();

        // a verified face keeps its person even when it looks like someone else
        FaceId b1 = faces(item(), B).get(0);
        faces(item(), B2);
        handler.run(MODEL);
        jdbc.update("UPDATE \"Faces\" SET \"PersonId\" = ?, \"IsUserVerified\" = TRUE WHERE \"Id\" = ?", p, b1.value());
        handler.run(MODEL);
        assertThat(personOf(b1)).isEqualTo(p);
        assertThat(personOf(a2)).isEqualTo(p);
        assertThat(PersonId.of(p)).isNotNull();
    }
}
