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
class ClusterFacesHandlerTest extends ClusterDbFixture {

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
        // the portrait is one of the person's faces, with its media file
        var portrait = jdbc.queryForMap("SELECT p.\"PortraitFaceId\" AS face, p.\"PortraitMediaFileId\" AS file, "
                + "m.\"MediaFileId\" AS expected FROM \"Persons\" p JOIN \"Faces\" f ON f.\"Id\" = p.\"PortraitFaceId\" "
                + "JOIN \"MediaItems\" m ON m.\"Id\" = f.\"MediaItemId\"");
        assertThat(((Number) portrait.get("face")).longValue()).isIn(a1.value(), a2.value(), a3.value());
        assertThat(portrait.get("file")).isEqualTo(portrait.get("expected"));
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

    @Test
    void aPersistedIndexCatchesUpWithChangesMadeWhileTheClustererWasDown(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        var props = new ClustererProperties(Map.of(MODEL, new ClustererProperties.ModelThresholds(0.6, 0.3, 2)),
                PersonClustering.Algorithm.DBSCAN, ClustererProperties.UMAP_EPS, 500, dir, ClustererProperties.IndexType.HNSW, 8);
        ClusterFacesHandler first = new ClusterFacesHandler(faces, persons, props, db.tx(), Clock.systemUTC());
        FaceId a1 = faces(item(), A).get(0);
        FaceId a2 = faces(item(), A2).get(0);
        FaceId b1 = faces(item(), B).get(0);
        faces(item(), B2);
        first.run(MODEL);
        long pa = personOf(a1);
        long pb = personOf(b1);
        assertThat(pa).isNotEqualTo(pb);
        first.close();
        assertThat(dir.resolve(MODEL)).isDirectoryContaining(f -> f.getFileName().toString().startsWith("segments_"));

        // while it is down, a user merges A into B in the gallery
        jdbc.update("UPDATE \"Faces\" SET \"PersonId\" = ?, \"IsUserVerified\" = TRUE, \"ModifiedAt\" = now() "
                + "WHERE \"Id\" IN (?, ?)", pb, a1.value(), a2.value());
        ClusterFacesHandler second = new ClusterFacesHandler(faces, persons, props, db.tx(), Clock.systemUTC());
        FaceId a3 = faces(item(), A).get(0);
        second.run(MODEL);
        // the reopened index knows a1 and a2 are B's now: a stale one would have put a3 in A
        assertThat(personOf(a3)).isEqualTo(pb);
        second.close();
    }

    @Test
    void theIvfIndexGivesTheSameAssignments() {
        var props = new ClustererProperties(Map.of(MODEL, new ClustererProperties.ModelThresholds(0.6, 0.3, 2)),
                PersonClustering.Algorithm.DBSCAN, ClustererProperties.UMAP_EPS, 500, null,
                ClustererProperties.IndexType.IVF, 8);
        ClusterFacesHandler ivf = new ClusterFacesHandler(faces, persons, props, db.tx(), Clock.systemUTC());
        FaceId a1 = faces(item(), A).get(0);
        FaceId a2 = faces(item(), A2).get(0);
        FaceId b1 = faces(item(), B).get(0);
        FaceId b2 = faces(item(), B2).get(0);
        ivf.run(MODEL);
        FaceId a3 = faces(item(), A).get(0);
        FaceId b3 = faces(item(), B).get(0);
        ivf.run(MODEL);
        assertThat(personOf(a3)).isNotNull().isEqualTo(personOf(a1)).isEqualTo(personOf(a2));
        assertThat(personOf(b3)).isNotNull().isEqualTo(personOf(b1)).isEqualTo(personOf(b2));
        assertThat(personOf(a1)).isNotEqualTo(personOf(b1));
        ivf.close();
    }
}
