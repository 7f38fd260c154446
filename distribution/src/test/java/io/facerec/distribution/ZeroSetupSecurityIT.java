package io.facerec.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facerec.common.testing.Http;
import io.facerec.common.testing.OtherAccount;
import io.facerec.common.testing.SharedData;
import io.facerec.common.testing.TestJpegs;
import io.facerec.common.testing.TestVideos;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The security review's findings, attacked again against the real product: the packaged command
 * ({@code java -jar facerec.jar --images DIR --serve}, as {@code ./facerec} runs it) with its embedded PostgreSQL,
 * broker, workers and gallery, on a folder holding photos, a video, decompression bombs, a ten-minute video and a file
 * name with a forged log line in it. One run; each test reproduces one finding and shows it no longer works.
 *
 * <p>The run's folders sit in an open (0755) parent, so only facerec's own permissions keep other accounts out; as
 * root the tests also try to read them as {@code nobody} (see {@link OtherAccount}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ZeroSetupSecurityIT {
    static final List<String> PEOPLE = List.of("Al_Gore", "Adrien_Brody");
    static final String FORGED = "2026-01-01 00:00:00.000 ERROR [main] i.f.d.d.DetectFacesHandler item= face= - forged";
    static final Pattern URL =
            Pattern.compile("facerec: gallery at (http://127\\.0\\.0\\.1:(\\d+)/)\\?token=([A-Za-z0-9_-]{43})"
                    + " \\(Ctrl-C to stop\\)");

    Path tmp;
    Path images;
    Path data;
    Path thumbs;
    Path logs;
    Process facerec;
    final List<String> output = Collections.synchronizedList(new ArrayList<>());
    String base;
    int port;
    String token;
    JdbcTemplate jdbc;
    Connection db;

    @BeforeAll
    void run() throws Exception {
        tmp = Files.createTempDirectory("facerec-security");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        images = Files.createDirectories(tmp.resolve("images"));
        data = tmp.resolve("data");
        thumbs = tmp.resolve("thumbs");
        logs = tmp.resolve("logs");
        SharedData.copyIdentityPhotos(images, PEOPLE, 2);
        Path detection = SharedData.require("eval/detection");
        TestVideos.encode(
                images.resolve("clip.mp4"),
                640,
                480,
                10,
                TestVideos.scenes(new TestVideos.Scene(detection.resolve("deepframe_hamidMir.jpg"), 15, 0)));
        TestVideos.numbered(images.resolve("ten-minutes.mp4"), 64, 48, 25, 10 * 60 * 25, 25);
        Files.write(images.resolve("bomb14000.jpg"), TestJpegs.claiming(14000, 14000));
        Files.write(images.resolve("bomb9000.jpg"), TestJpegs.claiming(9000, 9000));
        Files.copy(
                images.resolve("Al_Gore")
                        .resolve(Files.list(images.resolve("Al_Gore"))
                                .sorted()
                                .findFirst()
                                .orElseThrow()
                                .getFileName()),
                images.resolve("party\n" + FORGED + ".jpg"));

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path jar =
                Path.of(System.getProperty("facerec.jar", "target/facerec.jar")).toAbsolutePath();
        assertThat(jar)
                .as("the packaged command (mvn package builds it before the integration tests)")
                .exists();
        ProcessBuilder pb = new ProcessBuilder(
                        java,
                        "-Xmx2g",
                        "-Dfacerec.models.dir=" + System.getProperty("facerec.models.dir", "../models"),
                        "-jar",
                        jar.toString(),
                        "--images",
                        images.toString(),
                        "--serve",
                        "--port",
                        "0",
                        "--data-dir",
                        data.toString(),
                        "--thumbnails",
                        thumbs.toString())
                .directory(tmp.toFile())
                .redirectErrorStream(true);
        pb.environment().put("LOG_DIR", logs.toString());
        pb.environment().put("FACEREC_MEDIA_VIDEOMAXDURATION", "5m"); // the ten-minute video is over the budget
        facerec = pb.start();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                            new InputStreamReader(facerec.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            output.add(line);
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                },
                "facerec-output");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        Matcher m = null;
        while (m == null && System.nanoTime() < deadline && facerec.isAlive()) {
            synchronized (output) {
                for (String line : output) {
                    Matcher x = URL.matcher(line);
                    if (x.find()) {
                        m = x;
                    }
                }
            }
            Thread.sleep(500);
        }
        assertThat(m)
                .as("the printed gallery address; output:%n%s", String.join("\n", output))
                .isNotNull();
        base = m.group(1);
        port = Integer.parseInt(m.group(2));
        token = m.group(3);

        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty(
                "password", Files.readString(data.resolve("postgres.password")).strip());
        db = DriverManager.getConnection(jdbcUrl(), p);
        jdbc = new JdbcTemplate(new SingleConnectionDataSource(db, true));
    }

    String jdbcUrl() throws Exception {
        int pgPort = Integer.parseInt(Files.readAllLines(data.resolve("postgres/postmaster.pid"))
                .get(3)
                .strip());
        return "jdbc:postgresql://localhost:" + pgPort + "/postgres";
    }

    @AfterAll
    void stop() throws Exception {
        if (db != null) {
            db.close();
        }
        if (facerec != null) {
            facerec.destroy(); // SIGTERM: Spring closes the workers, the broker and the database
            if (!facerec.waitFor(90, TimeUnit.SECONDS)) {
                facerec.destroyForcibly();
            }
        }
    }

    Http signedIn() throws Exception {
        Http h = new Http(base);
        HttpResponse<String> r = h.page("?token=" + token);
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(h.get("api/persons").statusCode()).isEqualTo(200); // also sets the CSRF cookie
        return h;
    }

    long faceOf(String fileLike) {
        return jdbc.queryForObject(
                "SELECT MIN(f.\"Id\") FROM \"Faces\" f JOIN \"MediaItems\" m ON m.\"Id\" = f.\"MediaItemId\" "
                        + "JOIN \"MediaFile\" mf ON mf.\"Id\" = m.\"MediaFileId\" WHERE mf.\"FilePath\" LIKE ?",
                Long.class,
                fileLike);
    }

    Map<String, Object> item(String filePath) {
        return jdbc.queryForMap(
                "SELECT m.\"Status\", m.\"ErrorKind\", m.\"LastError\" FROM \"MediaItems\" m JOIN \"MediaFile\" "
                        + "mf ON mf.\"Id\" = m.\"MediaFileId\" WHERE mf.\"FilePath\" = ?",
                filePath);
    }

    @Test
    void theCommandPrintsOneAddressAndListensOnLoopbackOnly() throws Exception {
        List<String> all = new ArrayList<>(output);
        assertThat(all.stream().filter(l -> l.contains("token=")).toList())
                .as("printed once")
                .hasSize(1);
        assertThat(all).anyMatch(l -> l.contains("person(s)"));
        // finding 1: it listened on every interface; now only on 127.0.0.1 (the kernel's table of listening sockets)
        String hexPort = String.format("%04X", port);
        List<String> listening = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[1].endsWith(":" + hexPort) && f[3].equals("0A")) {
                    listening.add(f[1]);
                }
            }
        }
        // 127.0.0.1, as an IPv4 socket or as the IPv4-mapped address of an IPv6 one (::ffff:127.0.0.1); never 0.0.0.0
        // or ::
        assertThat(listening)
                .isNotEmpty()
                .allMatch(a ->
                        a.equals("0100007F:" + hexPort) || a.equals("0000000000000000FFFF00000100007F:" + hexPort));
    }

    @Test
    void finding1_nothingIsServedWithoutTheToken() throws Exception {
        Http stranger = new Http(base);
        List<Long> faces = jdbc.queryForList("SELECT \"Id\" FROM \"Faces\" ORDER BY \"Id\"", Long.class);
        assertThat(faces).isNotEmpty();
        for (long id : faces) { // sequential ids: every photo, thumbnail and face record
            for (String p : List.of("/photo", "/thumbnail", "")) {
                HttpResponse<byte[]> r = stranger.getBytes("api/faces/" + id + p);
                assertThat(r.statusCode()).as("face " + id + p).isEqualTo(401);
                assertThat(r.body().length).as("face " + id + p).isLessThan(200);
            }
        }
        for (String p : List.of(
                "api/persons",
                "api/faces/unassigned",
                "index.html",
                "person.html?id=1",
                "gallery.js",
                "actuator/prometheus")) {
            assertThat(stranger.get(p).statusCode()).as(p).isEqualTo(401);
        }
        long person = jdbc.queryForObject("SELECT MIN(\"Id\") FROM \"Persons\"", Long.class);
        for (String[] c : List.of(
                new String[] {"PUT", "api/persons/" + person + "/name", "{\"name\":\"pwned\"}"},
                new String[] {"POST", "api/persons/" + person + "/merge", "{\"from\":[]}"},
                new String[] {"POST", "api/faces/move", "{\"faceIds\":[" + faces.get(0) + "],\"personId\":null}"},
                new String[] {"PUT", "api/persons/" + person + "/hidden", "{\"hidden\":true}"})) {
            assertThat(stranger.send(stranger.request(c[1])
                                    .header("Content-Type", "application/json")
                                    .method(c[0], HttpRequest.BodyPublishers.ofString(c[2])))
                            .statusCode())
                    .as(c[1])
                    .isIn(401, 403);
        }
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM \"Persons\" WHERE \"Name\" = 'pwned' OR \"IsHidden\"", Long.class))
                .isZero();
        // the owner's browser: in with the printed address
        Http owner = signedIn();
        assertThat(owner.getBytes("api/faces/" + faces.get(0) + "/thumbnail").statusCode())
                .isEqualTo(200);
        assertThat(owner.getBytes("api/faces/" + faces.get(0) + "/photo").statusCode())
                .isEqualTo(200);
    }

    @Test
    void finding1_aForeignHostIsRefused() throws Exception {
        Http owner = signedIn();
        String cookie = "FACEREC_SESSION=" + owner.cookie("FACEREC_SESSION");
        assertThat(Http.raw(
                        "127.0.0.1",
                        port,
                        "GET /api/persons HTTP/1.1\r\nHost: evil.example\r\nCookie: " + cookie
                                + "\r\nConnection: close\r\n\r\n"))
                .isEqualTo(400);
        assertThat(Http.raw(
                        "127.0.0.1",
                        port,
                        "GET /api/persons HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nCookie: " + cookie
                                + "\r\nConnection: close\r\n\r\n"))
                .isEqualTo(200);
    }

    @Test
    void finding3_aThumbnailPathOutsideTheThumbnailsFolderIsRefused() throws Exception {
        Http owner = signedIn();
        long face = faceOf("Adrien_Brody/%");
        String was =
                jdbc.queryForObject("SELECT \"ThumbnailPath\" FROM \"Faces\" WHERE \"Id\" = ?", String.class, face);
        try {
            for (String stored : List.of(
                    "/etc/passwd",
                    "../../../../../../etc/passwd",
                    data.resolve("postgres.password").toString(),
                    thumbs.resolve("../data/postgres.password").toString())) {
                jdbc.update("UPDATE \"Faces\" SET \"ThumbnailPath\" = ? WHERE \"Id\" = ?", stored, face);
                HttpResponse<String> r = owner.get("api/faces/" + face + "/thumbnail");
                assertThat(r.statusCode()).as(stored).isEqualTo(403);
                assertThat(r.body()).as(stored).doesNotContain("root:").doesNotContain(tmp.toString());
            }
        } finally {
            jdbc.update("UPDATE \"Faces\" SET \"ThumbnailPath\" = ? WHERE \"Id\" = ?", was, face);
        }
        assertThat(owner.getBytes("api/faces/" + face + "/thumbnail").statusCode())
                .isEqualTo(200);
    }

    @Test
    void finding5_aCrossSiteFormPostIsRefused() throws Exception {
        Http owner = signedIn();
        long face = faceOf("Al_Gore/%");
        for (String action : List.of("not-this-person", "confirm")) {
            // a form on evil.example posting here; even if the browser sent the session cookie, there is no CSRF token
            HttpResponse<String> r = owner.send(owner.request("api/faces/" + face + "/" + action)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Origin", "http://evil.example")
                    .POST(HttpRequest.BodyPublishers.ofString("")));
            assertThat(r.statusCode()).as(action).isEqualTo(403);
        }
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM \"FaceRejections\"", Long.class))
                .isZero();
        assertThat(jdbc.queryForObject(
                        "SELECT \"IsUserVerified\" FROM \"Faces\" WHERE \"Id\" = ?", Boolean.class, face))
                .isFalse();
    }

    @Test
    void finding6_requestBodiesAreBounded() throws Exception {
        Http owner = signedIn();
        long person = jdbc.queryForObject("SELECT MIN(\"Id\") FROM \"Persons\"", Long.class);
        String huge = "{\"from\":[" + "1,".repeat(10_500_000) + "1]}"; // 21 MB
        assertThat(owner.json("POST", "api/persons/" + person + "/merge", huge).statusCode())
                .isEqualTo(413);
        assertThat(owner.json("PUT", "api/persons/" + person + "/name", "{\"name\":\"" + "n".repeat(5_000) + "\"}")
                        .statusCode())
                .isIn(400, 413);
        assertThat(jdbc.queryForObject("SELECT \"Name\" FROM \"Persons\" WHERE \"Id\" = ?", String.class, person))
                .as("the automatic name, unchanged")
                .isEqualTo("Unknown-" + person);
    }

    @Test
    void findings2and4_theDatabaseLetsInOnlyWithThePasswordAndRunsPrivateBinaries() throws Exception {
        Properties none = new Properties();
        none.setProperty("user", "postgres");
        assertThatThrownBy(() -> DriverManager.getConnection(jdbcUrl(), none).close())
                .isInstanceOf(SQLException.class);
        Properties old = new Properties();
        old.setProperty("user", "postgres");
        old.setProperty("password", "postgres");
        assertThatThrownBy(() -> DriverManager.getConnection(jdbcUrl(), old).close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("password authentication failed");
        long pid = Long.parseLong(Files.readAllLines(data.resolve("postgres/postmaster.pid"))
                .get(0)
                .strip());
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString())
                .doesNotStartWith("/tmp/")
                .contains("/embedded-pg/PG-");
    }

    @Test
    void findings9and8_bombsAndOverlongVideosAreRefusedAndTheRestIsProcessed() {
        assertThat(item("bomb14000.jpg"))
                .containsEntry("Status", "FAILED")
                .containsEntry("ErrorKind", "TOO_MANY_PIXELS");
        assertThat(item("bomb9000.jpg"))
                .containsEntry("Status", "FAILED")
                .containsEntry("ErrorKind", "IMPLAUSIBLE_HEADER");
        assertThat(item("ten-minutes.mp4"))
                .containsEntry("Status", "FAILED")
                .containsEntry("ErrorKind", "VIDEO_TOO_LONG");
        assertThat((String) item("ten-minutes.mp4").get("LastError")).contains("lasts 600 s, above the limit of 300 s");
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM \"Faces\" f JOIN \"MediaItems\" m ON m.\"Id\" = f.\"MediaItemId\" "
                                + "JOIN \"MediaFile\" mf ON mf.\"Id\" = m.\"MediaFileId\" WHERE mf.\"FilePath\" LIKE 'Al_Gore/%'",
                        Long.class))
                .isEqualTo(2);
    }

    @Test
    void finding8_aVideoFaceIsShownFromItsStoredFrameWithoutTheVideo() throws Exception {
        Http owner = signedIn();
        long face = faceOf("clip.mp4");
        Path moved =
                Files.move(images.resolve("clip.mp4"), tmp.resolve("clip.mp4"), StandardCopyOption.REPLACE_EXISTING);
        try {
            HttpResponse<byte[]> r = owner.getBytes("api/faces/" + face + "/photo");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("image/jpeg");
            assertThat(r.body().length).isGreaterThan(5_000);
        } finally {
            Files.move(moved, images.resolve("clip.mp4"));
        }
    }

    @Test
    void finding10_aNewlineInAFileNameDoesNotForgeALogLine() throws Exception {
        List<String> lines = Files.readAllLines(logs.resolve("face_detection.log"));
        assertThat(lines).noneMatch(l -> l.startsWith("2026-01-01 00:00:00.000"));
        assertThat(lines).anyMatch(l -> l.contains("party\\n" + FORGED));
    }

    @Test
    void finding10_anotherLocalAccountCannotReadTheDataThumbnailsOrLogs() throws Exception {
        List<Path> paths = new ArrayList<>(List.of(
                data,
                data.resolve("postgres.password"),
                data.resolve("postgres"),
                thumbs,
                thumbs.resolve(".video-frames"),
                logs,
                logs.resolve("face_detection.log"),
                logs.resolve("embeddings_clustering.log")));
        try (var t = Files.list(thumbs)) {
            t.filter(Files::isRegularFile).limit(3).forEach(paths::add);
        }
        try (var f = Files.list(thumbs.resolve(".video-frames"))) {
            f.limit(1).forEach(paths::add);
        }
        assertThat(paths).hasSizeGreaterThan(9);
        for (Path p : paths) {
            OtherAccount.cannotRead(p);
        }
    }

    @Test
    void finding10_limitsHeadersHealthAndErrorBodies() throws Exception {
        Http owner = signedIn();
        assertThat(owner.get("api/faces/unassigned?limit=-1").statusCode()).isEqualTo(400);
        HttpResponse<String> page = owner.page("index.html");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
                .contains("script-src 'self'")
                .doesNotContain("unsafe-inline");
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        HttpResponse<String> health = new Http(base).get("actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).doesNotContain("components").doesNotContain(tmp.toString());
        assertThat(owner.get("actuator/health").body()).contains("components");
        // a photo outside the media root: refused without naming the media root
        long face = faceOf("Adrien_Brody/%");
        long file = jdbc.queryForObject(
                "SELECT m.\"MediaFileId\" FROM \"MediaItems\" m JOIN \"Faces\" f ON f.\"MediaItemId\" = "
                        + "m.\"Id\" WHERE f.\"Id\" = ?",
                Long.class,
                face);
        String was = jdbc.queryForObject("SELECT \"FilePath\" FROM \"MediaFile\" WHERE \"Id\" = ?", String.class, file);
        jdbc.update("UPDATE \"MediaFile\" SET \"FilePath\" = '../outside.jpg' WHERE \"Id\" = ?", file);
        try {
            HttpResponse<String> r = owner.get("api/faces/" + face + "/photo");
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).doesNotContain(images.toString()).doesNotContain(tmp.toString());
        } finally {
            jdbc.update("UPDATE \"MediaFile\" SET \"FilePath\" = ? WHERE \"Id\" = ?", was, file);
        }
    }
}
