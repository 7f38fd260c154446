package io.facerec.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.clusterer.cluster.ReclusterHandler;
import io.facerec.clusterer.replay.EmbeddingsReplay;
import io.facerec.common.config.FacerecProperties;
import io.facerec.common.testing.SharedData;
import io.facerec.common.testing.TestVideos;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The real chain, no mocks: embedded PostgreSQL (logical WAL) → Debezium engine → in-process KRaft broker →
 * detector (RetinaFace ONNX) → embedder (fr_feature ONNX) → clusterer → Persons + Faces.PersonId.
 * Photos of four people from the shared identity set, a 2-second video the test encodes from another photo of one of
 * them (its face must join that person), plus two broken files that must fail cleanly without stopping the rest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineEndToEndIT {
    private static final List<String> PEOPLE = List.of("Al_Gore", "Adrien_Brody", "Abdullah_Gul", "Ai_Sugiyama");
    private static final int PHOTOS_EACH = 5;
    private static final String VIDEO_PERSON = "Al_Gore";
    private static final String VIDEO_PHOTO = "lfwg_Al_Gore_0006.jpg"; // not among the 5 photos copied

    Path tmp;
    EmbeddedPipeline pipeline;
    JdbcTemplate jdbc;
    Map<String, String> personOfFile = new HashMap<>();
    boolean completed;

    @BeforeAll
    void runPipeline() throws Exception {
        tmp = Files.createTempDirectory("facerec-e2e");
        Path media = tmp.resolve("media");
        SharedData.copyIdentityPhotos(media, PEOPLE, PHOTOS_EACH);
        for (String person : PEOPLE) {
            try (var s = Files.list(media.resolve(person))) {
                s.forEach(p -> personOfFile.put(person + "/" + p.getFileName(), person));
            }
        }
        Path other = SharedData.require("eval/identity").resolve(VIDEO_PERSON).resolve(VIDEO_PHOTO);
        TestVideos.encode(
                media.resolve(VIDEO_PERSON).resolve("clip.mp4"),
                640,
                480,
                10,
                TestVideos.scenes(new TestVideos.Scene(other, 20, 3)));
        personOfFile.put(VIDEO_PERSON + "/clip.mp4", VIDEO_PERSON);
        Files.createDirectories(media.resolve("broken"));
        Files.write(media.resolve("broken/empty.jpg"), new byte[0]);
        Files.writeString(media.resolve("broken/notes.jpg"), "this is a text file, not a photo");

        pipeline = EmbeddedPipeline.start(
                tmp.resolve("data"),
                media,
                Map.of(
                        "facerec.thumbnails-dir",
                        tmp.resolve("thumbs").toString(),
                        "facerec.capture.drop-slot-on-stop",
                        "true"),
                s -> {});
        jdbc = pipeline.bean(JdbcTemplate.class);
        ZeroSetupRun run = new ZeroSetupRun(pipeline, System.out, System.err);
        assertThat(run.importImages(media)).isEqualTo(PEOPLE.size() * PHOTOS_EACH + 1 + 2);
        completed = run.awaitCompletion(Duration.ofMinutes(4), false);
    }

    @AfterAll
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void everyItemIsProcessedInBoundedTime() {
        assertThat(completed).as("pipeline finished within 4 minutes").isTrue();
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM \"MediaItems\" m JOIN \"MediaFile\" f ON f.\"Id\" = m.\"MediaFileId\" "
                                + "WHERE f.\"FilePath\" NOT LIKE 'broken/%' AND (m.\"IsFacesExtracted\" = FALSE OR m.\"FacesExtractedOn\" IS NULL)",
                        Long.class))
                .isZero();
    }

    @Test
    void everyFaceHasA512FloatEmbedding() {
        List<Integer> lengths = jdbc.queryForList("SELECT octet_length(\"Embedding\") FROM \"Faces\"", Integer.class);
        assertThat(lengths).hasSizeGreaterThanOrEqualTo(PEOPLE.size() * PHOTOS_EACH);
        assertThat(lengths).allMatch(l -> l != null && l == 512 * 4);
        assertThat(jdbc.queryForList("SELECT DISTINCT \"EmbeddingModel\" FROM \"Faces\"", String.class))
                .containsExactly("fr_feature");
    }

    @Test
    void photosOfOnePersonShareOnePersonIdAndDifferentPeopleNever() {
        // the largest face of each photo is the subject
        List<Map<String, Object>> rows =
                jdbc.queryForList("SELECT mf.\"FilePath\" AS path, f.\"PersonId\" AS person FROM \"Faces\" f "
                        + "JOIN \"MediaItems\" m ON m.\"Id\" = f.\"MediaItemId\" JOIN \"MediaFile\" mf ON mf.\"Id\" = m.\"MediaFileId\" "
                        + "WHERE f.\"FaceIndex\" = 0");
        Map<String, Set<Object>> personsOfPeople = new HashMap<>();
        for (Map<String, Object> r : rows) {
            String who = personOfFile.get((String) r.get("path"));
            assertThat(r.get("person")).as("PersonId of " + r.get("path")).isNotNull();
            personsOfPeople.computeIfAbsent(who, k -> new HashSet<>()).add(r.get("person"));
        }
        assertThat(personsOfPeople.keySet()).containsExactlyInAnyOrderElementsOf(PEOPLE);
        Set<Object> seen = new HashSet<>();
        for (String person : PEOPLE) {
            assertThat(personsOfPeople.get(person))
                    .as(person + " is one person")
                    .hasSize(1);
            assertThat(seen.add(personsOfPeople.get(person).iterator().next()))
                    .as(person + " has a person of their own")
                    .isTrue();
        }
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM \"Persons\" WHERE \"CreatedAt\" IS NOT NULL AND \"ModifiedAt\" >= \"CreatedAt\"",
                        Long.class))
                .isGreaterThanOrEqualTo(PEOPLE.size());
    }

    @Test
    void theVideoFaceIsSampledEmbeddedAndJoinsItsPerson() {
        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT f.\"FrameNumber\" AS frame, f.\"PersonId\" AS person, "
                        + "octet_length(f.\"Embedding\") AS len FROM \"Faces\" f JOIN \"MediaItems\" m ON m.\"Id\" = f.\"MediaItemId\" "
                        + "JOIN \"MediaFile\" mf ON mf.\"Id\" = m.\"MediaFileId\" WHERE mf.\"FilePath\" = ?",
                VIDEO_PERSON + "/clip.mp4");
        assertThat(rows)
                .as("frames 0 and 10 sampled (1 s at 10 fps), one track -> one face row")
                .hasSize(1);
        assertThat(((Number) rows.get(0).get("frame")).intValue()).isIn(0, 10);
        assertThat(((Number) rows.get(0).get("len")).intValue()).isEqualTo(512 * 4);
        Object photoPerson = jdbc.queryForObject(
                "SELECT f.\"PersonId\" FROM \"Faces\" f JOIN \"MediaItems\" m ON m.\"Id\" = "
                        + "f.\"MediaItemId\" JOIN \"MediaFile\" mf ON mf.\"Id\" = m.\"MediaFileId\" WHERE mf.\"FilePath\" LIKE ? "
                        + "AND f.\"FaceIndex\" = 0 ORDER BY mf.\"FilePath\" LIMIT 1",
                Object.class,
                VIDEO_PERSON + "/%.jpg");
        assertThat(rows.get(0).get("person"))
                .as("the video face joins the person of the photos")
                .isEqualTo(photoPerson);
    }

    @Test
    void brokenFilesFailWithAClearErrorAndTheRestGoesOn() {
        List<Map<String, Object>> failed = jdbc.queryForList("SELECT mf.\"FilePath\" AS path, m.\"ErrorKind\" AS kind, "
                + "m.\"LastError\" AS msg FROM \"MediaItems\" m JOIN \"MediaFile\" mf ON mf.\"Id\" = m.\"MediaFileId\" "
                + "WHERE m.\"Status\" = 'FAILED' ORDER BY mf.\"FilePath\"");
        assertThat(failed).hasSize(2);
        assertThat(failed.get(0).get("path")).isEqualTo("broken/empty.jpg");
        assertThat(failed.get(0).get("kind")).isEqualTo("EMPTY_FILE");
        assertThat(failed.get(1).get("path")).isEqualTo("broken/notes.jpg");
        assertThat(failed.get(1).get("kind")).isEqualTo("NOT_AN_IMAGE");
        assertThat((String) failed.get(1).get("msg")).contains("notes.jpg");
    }

    @Test
    void thumbnailsAreWrittenForEveryFace() throws Exception {
        List<String> thumbs =
                jdbc.queryForList("SELECT \"ThumbnailPath\" FROM \"Faces\" WHERE \"FaceIndex\" = 0", String.class);
        assertThat(thumbs)
                .isNotEmpty()
                .allSatisfy(t -> assertThat(Path.of(t)).exists().isRegularFile());
    }

    /** The embedder read the photo faces from the detector's crops (no second photo decode) and deleted them after. */
    @Test
    void photoFacesAreEmbeddedFromTheDetectorsCropsWhichAreDeletedAfterwards() throws Exception {
        var meters = pipeline.bean(MeterRegistry.class);
        double fromCrops =
                meters.counter("facerec.embedder.faces", "source", "crop").count();
        double fromPhotos =
                meters.counter("facerec.embedder.faces", "source", "photo").count();
        long photoFaces = jdbc.queryForObject(
                "SELECT COUNT(*) FROM \"Faces\" f JOIN \"MediaItems\" m ON m.\"Id\" = "
                        + "f.\"MediaItemId\" JOIN \"MediaFile\" mf ON mf.\"Id\" = m.\"MediaFileId\" WHERE mf.\"FilePath\" NOT LIKE '%.mp4'",
                Long.class);
        assertThat(fromCrops + fromPhotos)
                .as("every photo face went through the embedder")
                .isGreaterThanOrEqualTo(photoFaces);
        assertThat(fromCrops).as("photo faces read from crops").isGreaterThanOrEqualTo(PEOPLE.size() * PHOTOS_EACH);
        Path crops = pipeline.bean(FacerecProperties.class).faceCropsDir();
        assertThat(crops).as("crops went next to the thumbnails").startsWith(tmp.resolve("thumbs"));
        try (var left = Files.list(crops)) {
            assertThat(left.toList())
                    .as("no crop is left once its face is embedded")
                    .isEmpty();
        }
    }

    /** Runs last: it wipes the persons and some embeddings, then rebuilds them from the compacted topic. */
    @Test
    @Order(Integer.MAX_VALUE)
    void reclusterFromAReplayOfTheEmbeddingsTopicRebuildsTheSamePersons() {
        var recluster = pipeline.bean(ReclusterHandler.class);
        recluster.recluster("fr_feature", false); // the database-based recluster is the expected grouping
        Set<Set<Long>> expected = grouping();
        Map<Long, byte[]> embeddings = new HashMap<>();
        jdbc.query("SELECT \"Id\", \"Embedding\" FROM \"Faces\"", rs -> {
            embeddings.put(rs.getLong(1), rs.getBytes(2));
        });
        assertThat(expected).isNotEmpty();

        // lose every assignment, every person, and three embeddings
        jdbc.update("UPDATE \"Persons\" SET \"PortraitFaceId\" = NULL");
        jdbc.update("UPDATE \"Faces\" SET \"PersonId\" = NULL, \"ClusteredAt\" = NULL");
        jdbc.update("DELETE FROM \"Persons\"");
        List<Long> lost = jdbc.queryForList("SELECT \"Id\" FROM \"Faces\" ORDER BY \"Id\" LIMIT 3", Long.class);
        for (Long id : lost) {
            jdbc.update("UPDATE \"Faces\" SET \"Embedding\" = NULL, \"EmbeddingModel\" = NULL WHERE \"Id\" = ?", id);
        }

        var replay = pipeline.bean(EmbeddingsReplay.class).readAll();
        assertThat(replay.embeddings("fr_feature"))
                .containsKeys(embeddings.keySet().toArray(Long[]::new));
        var r = recluster.reclusterFromReplay("fr_feature", replay.embeddings("fr_feature"), false);
        assertThat(r.faces()).isEqualTo(embeddings.size());

        assertThat(grouping())
                .as("persons rebuilt from the topic group the faces as before")
                .isEqualTo(expected);
        for (Long id : lost) {
            assertThat(jdbc.queryForObject("SELECT \"Embedding\" FROM \"Faces\" WHERE \"Id\" = ?", byte[].class, id))
                    .as("embedding of face " + id + " restored from the topic")
                    .isEqualTo(embeddings.get(id));
        }
    }

    /** Faces grouped by person (unassigned faces left out). */
    private Set<Set<Long>> grouping() {
        Map<Long, Set<Long>> byPerson = new HashMap<>();
        jdbc.query("SELECT \"Id\", \"PersonId\" FROM \"Faces\" WHERE \"PersonId\" IS NOT NULL", rs -> {
            byPerson.computeIfAbsent(rs.getLong(2), k -> new HashSet<>()).add(rs.getLong(1));
        });
        return new HashSet<>(byPerson.values());
    }
}
