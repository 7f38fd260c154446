package io.facerec.common.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.geometry.Landmarks;
import io.facerec.common.id.FaceId;
import io.facerec.common.id.MediaFileId;
import io.facerec.common.id.MediaItemId;
import io.facerec.common.id.PersonId;
import io.facerec.common.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.function.Function;
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
        return new DetectedFace(0.99, new BoundingBox(x, 10, x + 50, 70), new Landmarks(new double[][] {
            {x + 10, 30}, {x + 40, 30}, {x + 25, 45}, {x + 12, 60}, {x + 38, 60}
        }));
    }

    @Test
    void storesTheOriginsBoundingBoxTextAndReDetectionReplacesFaces() {
        MediaFileRepository files = new MediaFileRepository(jdbc);
        MediaItemRepository items = new MediaItemRepository(jdbc);
        FaceRepository faces = new FaceRepository(jdbc);
        MediaFileId f = files.insert("a/b.jpg", "b.jpg", ".jpg");
        MediaItemId item = items.insert(f, "b.jpg");
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        List<FaceId> first = faces.replaceFaces(
                item,
                List.of(
                        new FaceRepository.NewFace(0, 0, face(1), null),
                        new FaceRepository.NewFace(0, 1, face(100), null)),
                now);
        assertThat(first).hasSize(2);
        assertThat(jdbc.queryForObject(
                        "SELECT \"BoundingBox\" FROM \"Faces\" WHERE \"Id\" = ?",
                        String.class,
                        first.get(0).value()))
                .isEqualTo("[1.00, 10.00, 51.00, 70.00]");
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
        MediaItemId item = new MediaItemRepository(jdbc)
                .insert(new MediaFileRepository(jdbc).insert("c.jpg", "c.jpg", ".jpg"), "c");
        FaceRepository faces = new FaceRepository(jdbc);
        FaceId id = faces.replaceFaces(item, List.of(new FaceRepository.NewFace(0, 0, face(1), null)), Instant.now())
                .get(0);
        float[] v = {0.6f, 0.8f};
        faces.saveEmbedding(id, v, "m1", Instant.now());
        assertThat(jdbc.queryForObject(
                        "SELECT \"Embedding\" FROM \"Faces\" WHERE \"Id\" = ?", byte[].class, id.value()))
                .isEqualTo(EmbeddingCodec.toBytes(v));
        assertThat(faces.findEmbedded("m1"))
                .singleElement()
                .satisfies(e -> assertThat(e.embedding()).containsExactly(v));
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

    @Test
    void newPersonsAreNamedAsTheOriginDidAndOnlyFacerecsOwnEmptyOnesAreRemoved() {
        PersonRepository persons = new PersonRepository(jdbc);
        Instant now = Instant.now();
        var created = persons.create(now);
        assertThat(jdbc.queryForMap(
                        "SELECT \"Name\", \"Type\", \"Rank\" FROM \"Persons\" WHERE \"Id\" = ?", created.value()))
                .containsEntry("Name", "Unknown-" + created.value())
                .containsEntry("Type", 0)
                .containsEntry("Rank", null);
        // an origin person (its Unknown-<cluster label> never equals its own id) and a user's name
        Long origin = jdbc.queryForObject(
                "INSERT INTO \"Persons\" (\"Name\", \"Type\") VALUES ('Unknown-0', 0) RETURNING \"Id\"", Long.class);
        Long named = jdbc.queryForObject(
                "INSERT INTO \"Persons\" (\"Name\") VALUES ('Unknown-7b') RETURNING \"Id\"", Long.class);
        assertThat(PersonRepository.isUserName("Unknown-12")).isFalse();
        assertThat(PersonRepository.isUserName(" ")).isFalse();
        assertThat(PersonRepository.isUserName("Unknown-7b")).isTrue();
        assertThat(PersonRepository.isUserName("Hamid Mir")).isTrue();
        assertThat(persons.findAll())
                .filteredOn(p -> p.id().value() == origin)
                .singleElement()
                .satisfies(p -> assertThat(p.userNamed()).isFalse());

        assertThat(persons.deleteEmpty()).isOne();
        assertThat(persons.exists(created)).as("facerec's own, empty: removed").isFalse();
        assertThat(persons.exists(PersonId.of(origin)))
                .as("the origin's, empty: kept")
                .isTrue();
        assertThat(persons.exists(PersonId.of(named))).isTrue();
        new PersonRepository(jdbc, DatabaseTime.system(), false).create(now);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM \"Persons\" WHERE \"Name\" IS NULL", Integer.class))
                .as("automatic names off")
                .isOne();
    }

    @Test
    void timesAreTheLocalTimeOfTheConfiguredZone() {
        DatabaseTime karachi = DatabaseTime.of("Asia/Karachi"); // UTC+5, no daylight saving
        MediaItemRepository items = new MediaItemRepository(jdbc, karachi, RetryPolicy.DEFAULT);
        MediaItemId item = items.insert(new MediaFileRepository(jdbc).insert("t.jpg", "t.jpg", ".jpg"), "t.jpg");
        items.markExtracted(item, 0, Instant.parse("2026-03-01T10:00:00Z"));
        assertThat(jdbc.queryForObject(
                        "SELECT \"FacesExtractedOn\" FROM \"MediaItems\" WHERE \"Id\" = ?",
                        LocalDateTime.class,
                        item.value()))
                .isEqualTo(LocalDateTime.parse("2026-03-01T15:00:00"));
        assertThat(karachi.toInstant(LocalDateTime.parse("2026-03-01T15:00:00")))
                .isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
        assertThat(DatabaseTime.of("").zone()).isEqualTo(ZoneId.systemDefault());
    }

    @Test
    void failedItemsAreTriedAgainWithBackOffUntilTheirAttemptsAreUsedUp() {
        RetryPolicy policy = new RetryPolicy(3, Duration.ofMinutes(1), Duration.ofMinutes(3));
        assertThat(policy.delayAfter(1)).isEqualTo(Duration.ofMinutes(1));
        assertThat(policy.delayAfter(2)).isEqualTo(Duration.ofMinutes(2));
        assertThat(policy.delayAfter(3)).isEqualTo(Duration.ofMinutes(3));
        assertThat(policy.delayAfter(30)).isEqualTo(Duration.ofMinutes(3));
        MediaItemRepository items = new MediaItemRepository(jdbc, DatabaseTime.system(), policy);
        MediaItemId item = items.insert(new MediaFileRepository(jdbc).insert("r.jpg", "r.jpg", ".jpg"), "r.jpg");
        Instant t0 = Instant.parse("2026-05-01T08:00:00Z");
        Function<Instant, Boolean> due =
                t -> items.findToDetect(t, 1000).stream().anyMatch(i -> i.id().equals(item));
        assertThat(due.apply(t0)).isTrue();
        items.markFailed(item, "FILE_MISSING", "gone", t0);
        assertThat(due.apply(t0.plusSeconds(59))).isFalse();
        assertThat(due.apply(t0.plusSeconds(60))).isTrue();
        assertThat(items.findPending(1000)).noneMatch(i -> i.id().equals(item));
        items.markFailed(item, "FILE_MISSING", "gone", t0.plusSeconds(60));
        assertThat(due.apply(t0.plusSeconds(60 + 119))).isFalse();
        assertThat(due.apply(t0.plusSeconds(60 + 120))).isTrue();
        items.markFailed(item, "FILE_MISSING", "gone", t0.plusSeconds(180));
        var row = items.find(item).orElseThrow();
        assertThat(row.attempts()).isEqualTo(3);
        assertThat(row.nextAttemptAt()).isNull();
        assertThat(due.apply(t0.plusSeconds(100_000))).as("attempts used up").isFalse();
        assertThat(items.retryDue(row, t0.plusSeconds(100_000))).isFalse();
    }
}
