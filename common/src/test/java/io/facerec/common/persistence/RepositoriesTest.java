package io.facerec.common.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.geometry.Landmarks;
import io.facerec.common.id.FaceId;
import io.facerec.common.id.MediaFileId;
import io.facerec.common.id.MediaItemId;
import io.facerec.common.testing.TestDatabase;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** Repositories against a real PostgreSQL with the Flyway schema. */
class RepositoriesTest {
    static TestDatabase db;
    static JdbcTemplate jdbc;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.start();
        jdbc = db.jdbc();
    }

    @AfterAll
    static void stop() throws Exception {
        db.close();
    }

    static DetectedFace face(double x) {
        return new DetectedFace(0.99, new BoundingBox(x, 10, x + 50, 70),
                new Landmarks(new double[][] {{x + 10, 30}, {x + 40, 30}, {x + 25, 45}, {x + 12, 60}, {x + 38, 60}}));
    }

    @Test
    void storesTheOriginsBoundingBoxTextAndReDetectionReplacesFaces() {
        MediaFileRepository files = new MediaFileRepository(jdbc);
        MediaItemRepository items = new MediaItemRepository(jdbc);
        FaceRepository faces = new FaceRepository(jdbc);
        MediaFileId f = files.insert("a/b.jpg", "b.jpg", ".jpg");
        MediaItemId item = items.insert(f, "b.jpg");
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        List<FaceId> first = faces.replaceFaces(item, List.of(new FaceRepository.NewFace(0, 0, face(1), null),
                new FaceRepository.NewFace(0, 1, face(100), null)), now);
        assertThat(first).hasSize(2);
        assertThat(jdbc.queryForObject("SELECT \"BoundingBox\" FROM \"Faces\" WHERE \"Id\" = ?", String.class,
                first.get(0).value())).isEqualTo("[1.00, 10.00, 51.00, 70.00]");
        faces.replaceFaces(item, List.of(new FaceRepository.NewFace(0, 0, face(5), null)), now);
        List<FaceRepository.Face> stored = faces.findByMediaItem(item);
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).box().x1()).isEqualTo(5.0);
        assertThat(stored.get(0).landmarks().x(2)).isEqualTo(30.0);

        items.markExtracted(item, 1, now);
        var row = items.find(item).orElseThrow();
        assertThat(row.facesExtracted()).isTrue();
        assertThat(row.status()).isEqualTo(MediaItemStatus.DETECTED);
    }

    @Test
    void embeddingsAreStoredAsBytesWithTheirModel() {
        MediaItemId item = new MediaItemRepository(jdbc).insert(new MediaFileRepository(jdbc).insert("c.jpg", "c.jpg", ".jpg"), "c");
        FaceRepository faces = new FaceRepository(jdbc);
        FaceId id = faces.replaceFaces(item, List.of(new FaceRepository.NewFace(0, 0, face(1), null)), Instant.now()).get(0);
        float[] v = {0.6f, 0.8f};
        faces.saveEmbedding(id, v, "m1", Instant.now());
        assertThat(jdbc.queryForObject("SELECT \"Embedding\" FROM \"Faces\" WHERE \"Id\" = ?", byte[].class, id.value()))
                .isEqualTo(EmbeddingCodec.toBytes(v));
        assertThat(faces.findEmbedded("m1")).singleElement().satisfies(e -> assertThat(e.embedding()).containsExactly(v));
        assertThat(faces.findEmbedded("other")).isEmpty();
    }

    @Test
    void namesWithQuotesAndSqlAreStoredUnchanged() {
        String evil = "O'Brien\"; DROP TABLE \"Faces\"; --.jpg";
        MediaFileRepository files = new MediaFileRepository(jdbc);
        MediaFileId f = files.insert("x/" + evil, evil, ".jpg");
        assertThat(files.find(f).orElseThrow().fileName()).isEqualTo(evil);
        assertThat(files.findByPath("x/" + evil)).isPresent();
    }
}
