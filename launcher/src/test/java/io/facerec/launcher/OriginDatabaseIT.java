package io.facerec.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.facerec.common.persistence.EmbeddingCodec;
import io.facerec.common.testing.OriginFixture;
import io.facerec.common.testing.OriginQueries;
import io.facerec.common.testing.SharedData;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Drop-in for a database the origin (the Python system) filled, on a real PostgreSQL with the origin fixture
 * ({@code db/origin/postgresql/origin_database.sql}), the origin's own photos under the paths of its machine
 * ({@code C:/Users/...}, mapped by the origin's {@code DB_PREFIX}/{@code CONTAINER_IMAGES_ROOT} from a {@code .env}),
 * its thumbnails in {@code ROOT_PATH/Thumbnails}, and the real models, through the command line:
 * {@code --migrate}, {@code --dry-run}, {@code --all}, {@code --recognize}, {@code --recluster}, {@code --test} each
 * exit 0 and keep what the origin wrote; a second database without a declared origin model is embedded again, and a
 * missing photo makes {@code --db} exit 1 and is retried with back-off up to the maximum number of attempts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OriginDatabaseIT {
    static final List<String> PHOTOS = List.of(
            "hamidMir.jpg",
            "Hamid_MIR.jpg",
            "IK.png",
            "IK_image.png",
            "Imran-Khan.jpg",
            "Shaista-Lodhi.jpg",
            "shaista.jpg",
            "lodhi.jpg",
            "lunch.jpg",
            "marriage.jpg",
            "Imran_Khan.jpg",
            "SLK.jpg",
            "imran_khan_img.jpg",
            "conference_hamid.png",
            "Hamid_Mir_at_Studio.png",
            "wedding.jpg");
    /** Faces 1-13 and persons 1-4 are the origin's. */
    static final int ORIGIN_FACES = 13;

    static final Pattern ORIGIN_BOX = Pattern.compile("\\[(\\d+)\\.0, (\\d+)\\.0, (\\d+)\\.0, (\\d+)\\.0\\]");

    EmbeddedPostgres pg;
    Path work;
    Path thumbs;
    Path portraits;
    DataSource ds;
    JdbcTemplate jdbc;
    String url;
    Map<String, List<List<String>>> originReadsBefore;
    Map<Long, List<String>> originFacesBefore;
    List<List<String>> originPersonsBefore;
    final Map<String, String> props = new HashMap<>();

    @BeforeAll
    void start() throws Exception {
        pg = EmbeddedPostgres.builder().start();
        work = Files.createTempDirectory("facerec-origin");
        Path images = work.resolve("Images");
        thumbs = work.resolve("Thumbnails");
        portraits = work.resolve("individuals_portraits");
        Files.createDirectories(images);
        Files.createDirectories(thumbs);
        Path shared = SharedData.require("eval/detection");
        for (String p : PHOTOS) {
            Files.copy(shared.resolve("deepframe_" + p), images.resolve(p));
        }
        // the origin's .env: its machine's prefix, where the photos are now, its thumbnails
        Path env = work.resolve(".env");
        Files.writeString(
                env,
                "SQL_CONNECTION_STRING=\"Driver={ODBC Driver 17 for SQL Server};Server={(localdb)\\MSSQLLocalDB};"
                        + "Database=FaceRecognitionSystem;Encrypt=no;TrustServerCertificate=no;\"\n"
                        + "THUMBNAIL_SAVE_PATH=\"" + thumbs + "\"\n"
                        + "DB_PREFIX=\"" + OriginFixture.DB_PREFIX + "\"  \n"
                        + "CONTAINER_IMAGES_ROOT=\"" + images + "\"\n"
                        + "ROOT_PATH=\"" + work + "/\"\n");
        props.put("facerec.dotenv", env.toString());
        props.put("facerec.portraits-dir", portraits.toString());
        props.put("facerec.origin.embedding-model", "fr_feature");
        props.forEach(System::setProperty);

        url = database("origin");
        ds = pg.getDatabase("postgres", "origin");
        jdbc = new JdbcTemplate(ds);
        OriginFixture.load(ds);
        writeOriginThumbnails(jdbc, images, thumbs, "lodhi_TN1.jpg");
        originReadsBefore = OriginQueries.run(jdbc);
        originFacesBefore = originFaces(jdbc);
        originPersonsBefore = OriginQueries.rows(jdbc, OriginQueries.READS.get("show_tables.Persons"));
    }

    @AfterAll
    void stop() throws Exception {
        props.keySet().forEach(System::clearProperty);
        System.clearProperty("facerec.retry.max-attempts");
        pg.close();
    }

    String database(String name) {
        new JdbcTemplate(pg.getPostgresDatabase()).execute("CREATE DATABASE " + name);
        return pg.getJdbcUrl("postgres", name);
    }

    /** The thumbnails the origin wrote for its faces (crop of the stored box, 112 x 112), one left out. */
    static void writeOriginThumbnails(JdbcTemplate jdbc, Path images, Path thumbs, String missing) {
        jdbc.query(
                "SELECT f.\"BoundingBox\", f.\"Name\", mf.\"FileName\" FROM \"Faces\" f JOIN \"MediaItems\" mi "
                        + "ON mi.\"Id\" = f.\"MediaItemId\" JOIN \"MediaFile\" mf ON mf.\"Id\" = mi.\"MediaFileId\"",
                rs -> {
                    if (rs.getString(2).equals(missing)) {
                        return;
                    }
                    int[] b = OriginQueries.parseBox(rs.getString(1));
                    try (Mat img = imread(images.resolve(rs.getString(3)).toString());
                            Rect r = new Rect(b[0], b[1], b[2] - b[0], b[3] - b[1]);
                            Mat crop = new Mat(img, r);
                            Mat t = new Mat();
                            Size s = new Size(112, 112)) {
                        resize(crop, t, s, 0, 0, INTER_AREA);
                        imwrite(thumbs.resolve(rs.getString(2)).toString(), t);
                    }
                });
    }

    /** The origin's columns of its faces, by id. */
    static Map<Long, List<String>> originFaces(JdbcTemplate jdbc) {
        Map<Long, List<String>> m = new TreeMap<>();
        for (List<String> row : OriginQueries.rows(jdbc, OriginQueries.READS.get("show_tables.Faces"))) {
            if (Long.parseLong(row.get(0)) <= ORIGIN_FACES) {
                m.put(Long.parseLong(row.get(0)), row);
            }
        }
        return m;
    }

    record Run(int exit, String out, String err) {}

    /** Runs the command line in this JVM against a database; stdout and stderr captured (and echoed). */
    Run facerecOn(String dbUrl, String... args) {
        List<String> all = new ArrayList<>(List.of("--database", dbUrl));
        all.addAll(List.of(args));
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            rc = FacerecCommand.commandLine().execute(all.toArray(String[]::new));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        Run r = new Run(rc, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        out.println("facerec " + String.join(" ", args) + " -> " + rc + "\n" + r.out + r.err);
        return r;
    }

    Run facerec(String... args) {
        return facerecOn(url, args);
    }

    /** Every table, every column, as text: what a dry run must leave exactly as it was. */
    Map<String, List<List<String>>> dump(JdbcTemplate j) {
        Map<String, List<List<String>>> d = new TreeMap<>();
        for (String t :
                List.of("MediaFile", "MediaItems", "Faces", "Persons", "FaceRejections", "flyway_schema_history")) {
            d.put(t, OriginQueries.rows(j, "SELECT * FROM \"" + t + "\" ORDER BY 1, 2"));
        }
        return d;
    }

    static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .map(p -> dir.relativize(p) + ":" + p.toFile().length())
                    .sorted()
                    .toList();
        }
    }

    long count(String sql, Object... args) {
        return jdbc.queryForObject(sql, Long.class, args);
    }

    Long personOf(long face) {
        return jdbc.queryForObject("SELECT \"PersonId\" FROM \"Faces\" WHERE \"Id\" = ?", Long.class, face);
    }

    /** The face of a photo's item (its only one, or its first). */
    long faceOf(String photo) {
        return count(
                "SELECT MIN(f.\"Id\") FROM \"Faces\" f JOIN \"MediaItems\" m ON m.\"Id\" = f.\"MediaItemId\" "
                        + "WHERE m.\"Name\" = ?",
                photo);
    }

    @Test
    @Order(1)
    void aDryRunNeedsTheMigrationsFirstAndSaysSo() {
        Run r = facerec("--dry-run");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--migrate");
        assertThat(count("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'flyway_schema_history'"))
                .isZero();
    }

    @Test
    @Order(2)
    void migrateAdoptsTheDatabaseWithoutChangingWhatTheOriginWrote() {
        assertThat(facerec("--migrate").exit()).isZero();
        assertThat(OriginQueries.run(jdbc)).isEqualTo(originReadsBefore);
        assertThat(count("SELECT COUNT(*) FROM flyway_schema_history WHERE version = '2' AND type = 'BASELINE'"))
                .isOne();
    }

    @Test
    @Order(3)
    void aDryRunPrintsTheWholePlanAndWritesNothing() throws Exception {
        Map<String, List<List<String>>> before = dump(jdbc);
        List<String> filesBefore = files(work);
        Run r = facerec("--dry-run");
        assertThat(r.exit()).isZero();
        assertThat(dump(jdbc)).as("the database is exactly as before").isEqualTo(before);
        assertThat(files(work)).as("no thumbnail, crop or portrait written").isEqualTo(filesBefore);
        assertThat(r.err()).contains("Persons has rows: true");
        assertThat(r.out())
                .contains("repair: media item 12 (" + OriginFixture.DB_PREFIX + "/SLK.jpg)")
                .contains("thumbnail: face 8 -> " + thumbs.resolve("lodhi_TN1.jpg"))
                .contains("detect: media item 13 (" + OriginFixture.DB_PREFIX + "/imran_khan_img.jpg): 1 face(s)")
                .contains("imran_khan_img_TN1.jpg")
                .contains("complete: face 13 (media item 11, the origin's): landmarks found")
                .contains("adopt: face 5: the origin's embedding is taken as fr_feature")
                .contains("embed: face 13 (media item 11)")
                .contains("leave unassigned: face 9 (media item 9)");
        Matcher m = Pattern.compile("assign: face 13 -> person (\\d+)").matcher(r.out());
        assertThat(m.find())
                .as("the face the origin detected last joins Imran Khan's person")
                .isTrue();
        assertThat(m.group(1)).isEqualTo("1");
        assertThat(r.out())
                .containsPattern("dry run \\(all\\): 5 media item\\(s\\) detected with \\d+ new face\\(s\\), 0 failed");
    }

    @Test
    @Order(4)
    void allTakesOverTheLibraryInTheOriginsConventions() throws Exception {
        LocalDateTime before = LocalDateTime.now().withNano(0);
        Run r = facerec("--all");
        assertThat(r.exit()).isZero();
        LocalDateTime after = LocalDateTime.now().plusSeconds(1);

        assertEveryOriginFaceAssignedOrExplicitlyUnassigned();
        assertOriginPersonsAndUserTruthKept();
        // the origin's rows: nothing it wrote changed, except where facerec did what the origin would have done
        // (an embedding and a person for the faces it had left without, with their ModifiedAt)
        Map<Long, List<String>> now = originFaces(jdbc);
        for (var e : originFacesBefore.entrySet()) {
            List<String> was = e.getValue();
            List<String> is = now.get(e.getKey());
            for (int c = 0; c < was.size(); c++) {
                boolean filledIn = was.get(c) == null && (c == 2 || c == 4 || c == 8);
                boolean modifiedWithIt = c == 8 && (was.get(2) == null && is.get(2) != null || was.get(4) == null);
                if (!filledIn && !modifiedWithIt) {
                    assertThat(is.get(c)).as("face %d column %d", e.getKey(), c).isEqualTo(was.get(c));
                }
            }
        }
        assertThat(count("SELECT COUNT(*) FROM \"Faces\" WHERE \"Id\" <= 13 AND \"Embedding\" IS NOT NULL AND "
                        + "\"OriginEmbedding\" IS NULL AND \"EmbeddingModel\" = 'fr_feature'"))
                .as("declared compatible: used as they are")
                .isEqualTo(ORIGIN_FACES);

        // the origin's faces found again: landmarks for the two it never embedded, joined to their persons
        assertThat(personOf(13))
                .as("Imran_Khan.jpg, detected by the origin after its last recognition")
                .isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT \"Landmarks\" FROM \"Faces\" WHERE \"Id\" = 13", String.class))
                .startsWith("[[");

        // new photos, detected and grouped with the origin's persons
        assertThat(personOf(faceOf("imran_khan_img.jpg"))).isEqualTo(1);
        assertThat(personOf(faceOf("SLK.jpg")))
                .as("the item the origin marked extracted without faces")
                .isEqualTo(2);
        assertThat(personOf(faceOf("conference_hamid.png")))
                .as("a named person gains new faces")
                .isEqualTo(3);
        assertThat(personOf(faceOf("Hamid_Mir_at_Studio.png"))).isEqualTo(3);

        // new rows in the origin's conventions
        List<Map<String, Object>> fresh = jdbc.queryForList("SELECT f.*, m.\"Name\" AS photo FROM \"Faces\" f "
                + "JOIN \"MediaItems\" m ON m.\"Id\" = f.\"MediaItemId\" WHERE f.\"Id\" > 13 ORDER BY f.\"Id\"");
        assertThat(fresh).hasSizeGreaterThanOrEqualTo(5);
        for (Map<String, Object> f : fresh) {
            String photo = (String) f.get("photo");
            String stem = photo.substring(0, photo.lastIndexOf('.'));
            String ext = photo.substring(photo.lastIndexOf('.')).toLowerCase();
            assertThat((String) f.get("Name")).matches(Pattern.quote(stem) + "_TN\\d+" + Pattern.quote(ext));
            Matcher box = ORIGIN_BOX.matcher((String) f.get("BoundingBox"));
            assertThat(box.matches())
                    .as("the origin's box text: %s", f.get("BoundingBox"))
                    .isTrue();
            int w = Integer.parseInt(box.group(3)) - Integer.parseInt(box.group(1));
            int h = Integer.parseInt(box.group(4)) - Integer.parseInt(box.group(2));
            assertThat(w).as("a square crop box").isEqualTo(h);
            assertThat((String) f.get("DetectorBox")).isNotBlank();
            Path thumb = thumbs.resolve((String) f.get("Name"));
            assertThat(thumb).exists();
            try (Mat t = imread(thumb.toString())) {
                assertThat(t.cols()).isEqualTo(112);
                assertThat(t.rows()).isEqualTo(112);
            }
            LocalDateTime created = ((Timestamp) f.get("CreatedAt")).toLocalDateTime();
            assertThat(created).as("local time, as the origin's datetime.now()").isBetween(before, after);
            assertThat(f.get("IsUserVerified")).isEqualTo(false);
        }
        assertThat(jdbc.queryForObject(
                                "SELECT \"FacesExtractedOn\" FROM \"MediaItems\" WHERE \"Id\" = 13", Timestamp.class)
                        .toLocalDateTime())
                .isBetween(before, after);
        for (Map<String, Object> p : jdbc.queryForList("SELECT * FROM \"Persons\" WHERE \"Id\" > 4")) {
            assertThat(p.get("Name")).isEqualTo("Unknown-" + p.get("Id"));
            assertThat(p.get("Type")).isEqualTo(0);
            assertThat(p.get("Rank")).isNull();
        }

        // the origin's missing thumbnail recreated under its name; its existing ones linked, not rewritten
        assertThat(thumbs.resolve("lodhi_TN1.jpg")).exists();
        assertThat(jdbc.queryForObject("SELECT \"ThumbnailPath\" FROM \"Faces\" WHERE \"Id\" = 1", String.class))
                .isEqualTo(thumbs.resolve("hamidMir_TN1.jpg").toString());

        // portraits: the origin's rule and files, MediaFile.ModifiedAt of the photo that became one
        for (long person : List.of(1L, 2L, 3L)) {
            Long face = jdbc.queryForObject(
                    "SELECT \"PortraitFaceId\" FROM \"Persons\" WHERE \"Id\" = ?", Long.class, person);
            assertThat(personOf(face)).isEqualTo(person);
            assertThat(portraits.resolve("Person_" + person + "_portrait.jpg")).exists();
            double best = jdbc.queryForObject(
                    "SELECT MAX(\"Sharpness\") FROM \"Faces\" WHERE \"PersonId\" = ?", Double.class, person);
            assertThat(jdbc.queryForObject("SELECT \"Sharpness\" FROM \"Faces\" WHERE \"Id\" = ?", Double.class, face))
                    .as("the sharpest face of the person")
                    .isEqualTo(best);
        }
        assertThat(count(
                        "SELECT COUNT(*) FROM \"MediaFile\" mf JOIN \"Persons\" p ON p.\"PortraitMediaFileId\" = mf.\"Id\" "
                                + "WHERE mf.\"ModifiedAt\" >= ?",
                        before))
                .isPositive();

        // the origin's queries still run, and what they return the origin can read back
        assertOriginReadsStillAnswer();
        // a line per face in the origin's two log files
        String detection = Files.readString(Path.of("logs", "face_detection.log"));
        assertThat(detection)
                .contains("saved square (112x112) thumbnail " + thumbs.resolve("imran_khan_img_TN1.jpg"))
                .containsPattern("face \\d+ of media item 13: thumbnail imran_khan_img_TN1.jpg")
                .contains("face 13 of media item 11: matched a detection again");
        String clustering = Files.readString(Path.of("logs", "embeddings_clustering.log"));
        assertThat(clustering)
                .contains("embedding stored for face 13 of media item 11")
                .containsPattern("face 13 (assigned to person \\d+|left unassigned)")
                .contains("portrait of person 1: face");
    }

    void assertEveryOriginFaceAssignedOrExplicitlyUnassigned() {
        assertThat(count("SELECT COUNT(*) FROM \"Faces\" WHERE \"PersonId\" IS NULL AND \"ClusteredAt\" IS NULL"))
                .isZero();
        assertThat(count("SELECT COUNT(*) FROM \"Faces\" WHERE \"Embedding\" IS NULL"))
                .isZero();
    }

    void assertOriginPersonsAndUserTruthKept() {
        List<List<String>> persons = OriginQueries.rows(jdbc, OriginQueries.READS.get("show_tables.Persons"));
        assertThat(persons.stream().map(p -> p.get(0)).toList()).contains("1", "2", "3", "4");
        List<String> named =
                persons.stream().filter(p -> p.get(0).equals("3")).findFirst().orElseThrow();
        List<String> namedBefore = originPersonsBefore.stream()
                .filter(p -> p.get(0).equals("3"))
                .findFirst()
                .orElseThrow();
        // Name, Rank, Appointment, CreatedAt, Type: the user's; the portrait and its ModifiedAt follow new faces
        for (int c : new int[] {2, 3, 4, 5, 7}) {
            assertThat(named.get(c)).isEqualTo(namedBefore.get(c));
        }
        assertThat(count("SELECT COUNT(*) FROM \"Persons\" WHERE \"Id\" = 4 AND \"Name\" = 'Unknown-2'"))
                .as("the origin's empty person is kept")
                .isOne();
        assertThat(jdbc.queryForList(
                        "SELECT \"Id\" || ':' || \"PersonId\" FROM \"Faces\" WHERE \"IsUserVerified\" ORDER BY \"Id\"",
                        String.class))
                .as("the faces users verified")
                .containsExactly("1:3", "3:1");
        // every face the origin had assigned is where it was
        for (var e : originFacesBefore.entrySet()) {
            if (e.getValue().get(2) != null) {
                assertThat(personOf(e.getKey()))
                        .isEqualTo(Long.parseLong(e.getValue().get(2)));
            }
        }
    }

    void assertOriginReadsStillAnswer() {
        Map<String, List<List<String>>> now = OriginQueries.run(jdbc);
        // the rows that describe the origin's faces are what they were (persons and embeddings aside, see above)
        List<List<String>> thumbsBefore = originReadsBefore.get("check_thumbnails");
        assertThat(now.get("check_thumbnails")).containsAll(thumbsBefore);
        assertThat(now.get("update_portrait_with_existing_mediafile"))
                .containsAll(originReadsBefore.get("update_portrait_with_existing_mediafile"));
        assertThat(now.get("get_faces_with_paths")).containsAll(originReadsBefore.get("get_faces_with_paths"));
        assertThat(now.get("clusters_display")).containsAll(originReadsBefore.get("clusters_display"));
        assertThat(now.get("get_unassigned_faces(labelled)"))
                .containsAll(originReadsBefore.get("get_unassigned_faces(labelled)"));
        assertThat(now.get("show_tables.MediaFile").stream()
                        .map(r -> r.subList(0, 4))
                        .toList())
                .isEqualTo(originReadsBefore.get("show_tables.MediaFile").stream()
                        .map(r -> r.subList(0, 4))
                        .toList());
        assertThat(now.get("get_unprocessed_files")).as("everything processed").isEmpty();
        assertThat(now.get("reprocess_media_missing_faces")).isEmpty();
        assertThat(now.get("get_faces_with_bboxes"))
                .as("every face has an embedding")
                .isEmpty();
        // what they return reads back as the origin reads it: float32 bytes (or JSON text) and box text
        jdbc.query("SELECT \"Embedding\", \"BoundingBox\" FROM \"Faces\"", rs -> {
            byte[] e = rs.getBytes(1);
            if (!OriginQueries.isJsonText(e)) {
                assertThat(OriginQueries.parseEmbedding(e)).hasSize(512);
            }
            assertThat(OriginQueries.parseBox(rs.getString(2))).hasSize(4);
        });
    }

    @Test
    @Order(5)
    void recognizeEmbedsWhatIsMissingAgain() {
        long face = faceOf("imran_khan_img.jpg");
        jdbc.update("UPDATE \"Faces\" SET \"Embedding\" = NULL, \"EmbeddingModel\" = NULL WHERE \"Id\" = ?", face);
        Run r = facerec("--recognize");
        assertThat(r.exit()).isZero();
        assertThat(r.err()).contains("1 face(s) embedded");
        assertThat(personOf(face)).isEqualTo(1);
        assertEveryOriginFaceAssignedOrExplicitlyUnassigned();
    }

    @Test
    @Order(6)
    void reclusterKeepsTheOriginsPersonIds() {
        Map<Long, Long> before = new TreeMap<>();
        jdbc.query("SELECT \"Id\", \"PersonId\" FROM \"Faces\" WHERE \"PersonId\" IS NOT NULL", rs -> {
            before.put(rs.getLong(1), rs.getLong(2));
        });
        Run r = facerec("--recluster");
        assertThat(r.exit()).isZero();
        Map<Long, Long> after = new TreeMap<>();
        jdbc.query("SELECT \"Id\", \"PersonId\" FROM \"Faces\" WHERE \"PersonId\" IS NOT NULL", rs -> {
            after.put(rs.getLong(1), rs.getLong(2));
        });
        assertThat(after).isEqualTo(before);
        assertOriginPersonsAndUserTruthKept();
        assertEveryOriginFaceAssignedOrExplicitlyUnassigned();
        assertOriginReadsStillAnswer();
    }

    @Test
    @Order(7)
    void testModeWritesTheOriginsThumbnailsAndLogsEachFace() throws Exception {
        Path out = work.resolve("test-thumbs");
        Path photo = work.resolve("Images").resolve("lunch.jpg");
        Run dry = facerec("--test", photo.toString(), "--thumbnails", out.toString(), "--dry-run");
        assertThat(dry.exit()).isZero();
        assertThat(dry.out()).contains("would write " + out.resolve("lunch_TN1.jpg"));
        assertThat(out).doesNotExist();
        Run r = facerec("--test", photo.toString(), "--thumbnails", out.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("lunch.jpg: 2 face(s)");
        for (String name : List.of("lunch_TN1.jpg", "lunch_TN2.jpg")) {
            try (Mat t = imread(out.resolve(name).toString())) {
                assertThat(t.cols()).isEqualTo(112);
                assertThat(t.rows()).isEqualTo(112);
            }
        }
        assertThat(Files.readString(Path.of("logs", "face_detection.log")))
                .contains("test " + photo + ": face 2 score")
                .contains("test " + photo + ": 2 face(s)");
    }

    @Test
    @Order(8)
    void withoutADeclaredModelTheOriginsEmbeddingsAreEmbeddedAgainAndKept() throws Exception {
        System.clearProperty("facerec.origin.embedding-model");
        String urlB = database("origin_b");
        DataSource dsB = pg.getDatabase("postgres", "origin_b");
        JdbcTemplate b = new JdbcTemplate(dsB);
        OriginFixture.load(dsB);
        Map<Long, byte[]> originBytes = new TreeMap<>();
        b.query("SELECT \"Id\", \"Embedding\" FROM \"Faces\" WHERE \"Embedding\" IS NOT NULL", rs -> {
            originBytes.put(rs.getLong(1), rs.getBytes(2));
        });
        Run r = facerecOn(urlB, "--all");
        assertThat(r.exit()).isZero();
        // every origin embedding replaced by one of the configured model, the old bytes kept for a way back
        b.query(
                "SELECT \"Id\", \"Embedding\", \"OriginEmbedding\", \"EmbeddingModel\" FROM \"Faces\" WHERE \"Id\" <= 13",
                rs -> {
                    long id = rs.getLong(1);
                    assertThat(rs.getString(4)).isEqualTo("fr_feature");
                    assertThat(EmbeddingCodec.fromBytes(rs.getBytes(2))).hasSize(512);
                    assertThat(rs.getBytes(3)).isEqualTo(originBytes.get(id));
                });
        // faces the origin assigned keep their persons (the new embeddings join them: the same people)
        for (var e : originFacesBefore.entrySet()) {
            if (e.getValue().get(2) != null) {
                assertThat(b.queryForObject(
                                "SELECT \"PersonId\" FROM \"Faces\" WHERE \"Id\" = ?", Long.class, e.getKey()))
                        .isEqualTo(Long.parseLong(e.getValue().get(2)));
            }
        }
        assertThat(b.queryForObject(
                        "SELECT COUNT(*) FROM \"Faces\" WHERE \"PersonId\" IS NULL AND \"ClusteredAt\" IS NULL",
                        Long.class))
                .isZero();
        System.setProperty("facerec.origin.embedding-model", "fr_feature");

        // a photo that is not there: --db fails it (exit 1), tries it again only when due, at most twice
        System.setProperty("facerec.retry.max-attempts", "2");
        b.update(
                "INSERT INTO \"MediaFile\" (\"Id\", \"FilePath\", \"FileName\", \"Extensions\", \"Extension\") VALUES "
                        + "(100, ?, 'gone.jpg', '.jpg', '.jpg')",
                OriginFixture.DB_PREFIX + "/gone.jpg");
        b.update(
                "INSERT INTO \"MediaItems\" (\"Id\", \"MediaFileId\", \"Name\", \"IsFacesExtracted\") VALUES (100, 100, 'gone.jpg', FALSE)");
        Run first = facerecOn(urlB, "--db");
        assertThat(first.exit()).isEqualTo(1);
        assertThat(first.err())
                .contains("media item 100")
                .contains("FILE_MISSING")
                .contains("attempt 1 of 2");
        Map<String, Object> item = b.queryForMap(
                "SELECT \"Status\", \"Attempts\", \"NextAttemptAt\" FROM \"MediaItems\" WHERE \"Id\" = 100");
        assertThat(item.get("Status")).isEqualTo("FAILED");
        assertThat(item.get("Attempts")).isEqualTo(1);
        LocalDateTime next = ((Timestamp) item.get("NextAttemptAt")).toLocalDateTime();
        assertThat(Duration.between(LocalDateTime.now(), next))
                .isBetween(Duration.ofSeconds(30), Duration.ofSeconds(61));
        assertThat(facerecOn(urlB, "--db").exit())
                .as("not due yet: not tried, nothing failed")
                .isZero();
        b.update(
                "UPDATE \"MediaItems\" SET \"NextAttemptAt\" = LOCALTIMESTAMP - INTERVAL '1 second' WHERE \"Id\" = 100");
        Run second = facerecOn(urlB, "--db");
        assertThat(second.exit()).isEqualTo(1);
        assertThat(second.err()).contains("attempt 2 of 2, not tried again");
        assertThat(b.queryForObject("SELECT \"NextAttemptAt\" FROM \"MediaItems\" WHERE \"Id\" = 100", Object.class))
                .isNull();
        assertThat(facerecOn(urlB, "--db").exit())
                .as("its attempts are used up")
                .isZero();
        assertThat(b.queryForObject("SELECT \"Attempts\" FROM \"MediaItems\" WHERE \"Id\" = 100", Integer.class))
                .isEqualTo(2);

        // --automate starts in the origin's recluster mode when Persons has rows; --watch keeps checking
        Run auto = facerecOn(urlB, "--automate", "--max-passes", "1");
        assertThat(auto.exit()).isZero();
        assertThat(auto.err()).contains("Persons table entries found: true. Setting recluster=true");
        Run watch = facerecOn(urlB, "--watch", "--max-passes", "2", "--interval", "1s");
        assertThat(watch.exit()).isZero();
        assertThat(watch.err())
                .contains("no unprocessed media items (check 1 of 5); next check in 1 s")
                .contains("(check 2 of 5)");
    }
}
