package io.facerec.gallery.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.facerec.common.testing.Http;
import io.facerec.common.testing.TestDatabase;
import io.facerec.common.testing.TestJpegs;
import io.facerec.gallery.GalleryApplication;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * The separate gallery ({@code GalleryApplication}, server mode) over real HTTP against a real PostgreSQL: configured
 * users with hashed passwords and roles, and every protection of the security review's findings that lives in the
 * gallery (1: nothing without signing in, DNS rebinding; 3: thumbnail paths confined; 5: CSRF; 6: request limits;
 * 10: health details, error bodies, {@code limit=-1}, security headers), plus the refusal to start without a way to
 * sign in, the zero-setup token sign-in and OIDC sign-in being offered when configured.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GallerySecurityTest {
    static final String VIEWER_PW = "viewer-password-1";
    static final String EDITOR_PW = "editor-password-1";
    static final String METRICS_PW = "metrics-password-1";

    @TempDir
    static Path tmp;

    TestDatabase db;
    ConfigurableApplicationContext app;
    JdbcTemplate jdbc;
    int port;
    Path media;
    Path thumbs;
    long person;
    long goodFace;
    Map<String, Long> badFaces = new HashMap<>();
    long outsidePhotoFace;
    List<Long> manyFaces = new ArrayList<>();
    String signInCookies = "";

    static String hash(String pw) {
        return "{bcrypt}" + new BCryptPasswordEncoder(4).encode(pw);
    }

    Map<String, Object> baseProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put("spring.kafka.admin.auto-create", "false");
        p.put("spring.datasource.url", db.jdbcUrl());
        p.put("spring.datasource.username", "postgres");
        p.put("spring.datasource.password", "postgres");
        p.put("server.port", "0");
        p.put("facerec.media-root", media.toString());
        p.put("facerec.thumbnails-dir", thumbs.toString());
        p.put("logging.level.root", "WARN");
        return p;
    }

    ConfigurableApplicationContext start(Map<String, Object> props) {
        SpringApplication a = new SpringApplication(GalleryApplication.class);
        return a.run(props.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new));
    }

    @BeforeAll
    void start() throws Exception {
        db = TestDatabase.start();
        media = Files.createDirectories(tmp.resolve("media"));
        thumbs = Files.createDirectories(tmp.resolve("thumbs"));
        Files.write(media.resolve("a.jpg"), TestJpegs.claiming(16, 16));
        Files.writeString(tmp.resolve("secret.txt"), "secret outside the thumbnails folder");
        Path good = Files.write(thumbs.resolve("item1_a_0.jpg"), TestJpegs.claiming(16, 16));

        Map<String, Object> props = baseProperties();
        String[][] users = {
            {"vera", VIEWER_PW, "VIEWER"}, {"ed", EDITOR_PW, "EDITOR"}, {"prometheus", METRICS_PW, "METRICS"}
        };
        for (int i = 0; i < users.length; i++) {
            props.put("facerec.gallery.security.users[" + i + "].name", users[i][0]);
            props.put("facerec.gallery.security.users[" + i + "].password", hash(users[i][1]));
            props.put("facerec.gallery.security.users[" + i + "].roles", users[i][2]);
        }
        app = start(props);
        port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
        jdbc = app.getBean(JdbcTemplate.class);

        var files = app.getBean(MediaFileRepository.class);
        var items = app.getBean(MediaItemRepository.class);
        var faces = app.getBean(FaceRepository.class);
        var persons = app.getBean(PersonRepository.class);
        Instant now = Instant.now();
        person = persons.create(now).value();
        MediaItemId item = items.insert(files.insert("a.jpg", "a.jpg", ".jpg"), "a.jpg");
        List<FaceRepository.NewFace> rows = new ArrayList<>();
        String[] stored = {
            good.toString(),
            "/etc/passwd",
            tmp.resolve("thumbs/../secret.txt").toString(),
            "../secret.txt",
            "../../../../../../../../etc/passwd"
        };
        for (int i = 0; i < stored.length; i++) {
            rows.add(new FaceRepository.NewFace(0, i, face(i), stored[i]));
        }
        for (int i = stored.length; i < stored.length + 1100; i++) {
            rows.add(new FaceRepository.NewFace(0, i, face(i), null));
        }
        List<FaceId> ids = faces.replaceFaces(item, rows, now);
        for (FaceId id : ids) {
            faces.assignPerson(id, PersonId.of(person), now);
        }
        goodFace = ids.get(0).value();
        for (int i = 1; i < stored.length; i++) {
            badFaces.put(stored[i], ids.get(i).value());
        }
        ids.subList(stored.length, ids.size()).forEach(f -> manyFaces.add(f.value()));
        MediaItemId outside = items.insert(files.insert("../outside.jpg", "outside.jpg", ".jpg"), "outside.jpg");
        outsidePhotoFace = faces.replaceFaces(outside, List.of(new FaceRepository.NewFace(0, 0, face(0), null)), now)
                .get(0)
                .value();
    }

    static DetectedFace face(int i) {
        BoundingBox b = new BoundingBox(1 + i % 10, 1, 10 + i % 10, 10);
        return new DetectedFace(0.99, b, new Landmarks(new double[5][2]), b);
    }

    @AfterAll
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (db != null) {
            db.close();
        }
    }

    Http anonymous() {
        return new Http("http://127.0.0.1:" + port + "/");
    }

    /** Signed in through the form, as a browser does: the login page's CSRF token, then the post. */
    Http signedIn(String user, String password) throws Exception {
        Http h = anonymous();
        HttpResponse<String> login = h.page("login");
        assertThat(login.statusCode()).isEqualTo(200);
        String csrf = login.body().replaceAll("(?s).*name=\"_csrf\"[^>]*value=\"([^\"]+)\".*", "$1");
        HttpResponse<String> r = h.send(h.request("login")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "username=" + user + "&password=" + password + "&_csrf=" + csrf)));
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location").orElse("")).doesNotContain("error");
        signInCookies = String.join("\n", r.headers().allValues("Set-Cookie"));
        h.get("api/persons"); // any request sets the CSRF cookie
        return h;
    }

    @Test
    void nothingIsServedWithoutSigningIn() throws Exception {
        Http h = anonymous();
        for (String p : List.of(
                "api/persons",
                "api/faces/" + goodFace,
                "api/faces/" + goodFace + "/thumbnail",
                "api/faces/" + goodFace + "/photo",
                "api/faces/unassigned",
                "gallery.js",
                "openapi.yaml",
                "actuator/prometheus")) {
            HttpResponse<String> r = h.get(p);
            assertThat(r.statusCode()).as(p).isEqualTo(401);
            assertThat(r.body()).as(p).doesNotContain("a.jpg").doesNotContain("item1_a_0");
        }
        HttpResponse<String> page = h.page("person.html?id=" + person);
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location").orElseThrow()).endsWith("/login");
        // the corrections as well, with or without a CSRF token
        assertThat(h.json("PUT", "api/persons/" + person + "/name", "{\"name\":\"x\"}")
                        .statusCode())
                .isIn(401, 403);
        assertThat(jdbc.queryForObject("SELECT \"Name\" FROM \"Persons\" WHERE \"Id\" = ?", String.class, person))
                .as("the automatic name, unchanged")
                .isEqualTo("Unknown-" + person);
        // a wrong password does not get in
        assertThat(h.send(h.request("api/persons").header("Authorization", Http.basic("ed", "wrong")))
                        .statusCode())
                .isEqualTo(401);
    }

    @Test
    void viewersReadEditorsCorrect() throws Exception {
        Http viewer = signedIn("vera", VIEWER_PW);
        assertThat(viewer.get("api/persons").statusCode()).isEqualTo(200);
        assertThat(viewer.getBytes("api/faces/" + goodFace + "/thumbnail").statusCode())
                .isEqualTo(200);
        assertThat(viewer.page("index.html").statusCode()).isEqualTo(200);
        assertThat(viewer.json("PUT", "api/persons/" + person + "/hidden", "{\"hidden\":true}")
                        .statusCode())
                .isEqualTo(403);
        assertThat(viewer.get("actuator/prometheus").statusCode()).isEqualTo(403);

        Http editor = signedIn("ed", EDITOR_PW);
        HttpResponse<String> hide = editor.json("PUT", "api/persons/" + person + "/hidden", "{\"hidden\":false}");
        assertThat(hide.statusCode()).as(hide.body()).isEqualTo(200);
        // HTTP Basic for scripts and the Prometheus scraper
        assertThat(viewer.send(anonymous()
                                .request("actuator/prometheus")
                                .header("Authorization", Http.basic("prometheus", METRICS_PW)))
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void aCrossSiteFormPostIsRefused() throws Exception {
        // finding 5: a page on another site posts a form to the gallery; the browser would send the session cookie
        Http editor = signedIn("ed", EDITOR_PW);
        long face = manyFaces.get(0);
        for (String action : List.of("not-this-person", "confirm")) {
            HttpResponse<String> r = editor.send(editor.request("api/faces/" + face + "/" + action)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Origin", "http://evil.example")
                    .POST(HttpRequest.BodyPublishers.ofString("x=1")));
            assertThat(r.statusCode()).as(action).isEqualTo(403);
        }
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM \"FaceRejections\"", Long.class))
                .isZero();
        assertThat(jdbc.queryForObject(
                        "SELECT \"IsUserVerified\" FROM \"Faces\" WHERE \"Id\" = ?", Boolean.class, face))
                .isFalse();
        // the same request from the gallery's own page (with the CSRF header) goes through
        assertThat(editor.json("POST", "api/faces/" + face + "/confirm", "{}").statusCode())
                .isEqualTo(200);
    }

    @Test
    void aForeignHostIsRefused() throws Exception {
        // finding 1, DNS rebinding: a page of evil.example whose name now points here
        Http editor = signedIn("ed", EDITOR_PW);
        String session = "FACEREC_SESSION=" + editor.cookie("FACEREC_SESSION");
        int status = Http.raw(
                "127.0.0.1",
                port,
                "GET /api/persons HTTP/1.1\r\nHost: evil.example:" + port + "\r\nCookie: " + session
                        + "\r\nConnection: close\r\n\r\n");
        assertThat(status).isEqualTo(400);
        assertThat(Http.raw(
                        "127.0.0.1",
                        port,
                        "GET /api/persons HTTP/1.1\r\nHost: localhost:" + port + "\r\nCookie: " + session
                                + "\r\nConnection: close\r\n\r\n"))
                .isEqualTo(200);
    }

    @Test
    void thumbnailsAreConfinedToTheThumbnailsFolder() throws Exception {
        // finding 3: whatever Faces.ThumbnailPath holds, nothing outside the thumbnails folder is served
        Http viewer = signedIn("vera", VIEWER_PW);
        assertThat(viewer.getBytes("api/faces/" + goodFace + "/thumbnail").statusCode())
                .isEqualTo(200);
        for (var e : badFaces.entrySet()) {
            HttpResponse<String> r = viewer.get("api/faces/" + e.getValue() + "/thumbnail");
            assertThat(r.statusCode()).as(e.getKey()).isEqualTo(403);
            assertThat(r.body())
                    .as(e.getKey())
                    .contains("PATH_OUTSIDE_ROOT")
                    .doesNotContain("root:")
                    .doesNotContain("secret outside")
                    .doesNotContain(tmp.toString());
        }
    }

    @Test
    void errorBodiesDoNotNameFolders() throws Exception {
        Http viewer = signedIn("vera", VIEWER_PW);
        HttpResponse<String> r = viewer.get("api/faces/" + outsidePhotoFace + "/photo");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body())
                .contains("PATH_OUTSIDE_ROOT")
                .doesNotContain(media.toString())
                .doesNotContain(tmp.toString());
    }

    @Test
    void requestsAreBounded() throws Exception {
        Http editor = signedIn("ed", EDITOR_PW);
        // finding 6: a 21 MB merge body, declared and chunked
        String huge = "{\"from\":[" + "1,".repeat(7_000_000) + "1]}";
        HttpResponse<String> declared = editor.json("POST", "api/persons/" + person + "/merge", huge);
        assertThat(declared.statusCode()).isEqualTo(413);
        String chunk = Integer.toHexString(70_000) + "\r\n" + "1,".repeat(35_000) + "\r\n";
        String chunked = Http.rawResponse(
                "127.0.0.1",
                port,
                "POST /api/persons/" + person + "/merge HTTP/1.1\r\nHost: "
                        + "localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nCookie: FACEREC_SESSION="
                        + editor.cookie("FACEREC_SESSION") + "; XSRF-TOKEN=" + editor.csrf() + "\r\nX-XSRF-TOKEN: "
                        + editor.csrf()
                        + "\r\nConnection: close\r\n\r\n" + "b\r\n{\"from\":[1,\r\n" + chunk + chunk + "0\r\n\r\n");
        assertThat(chunked).startsWith("HTTP/1.1 413");
        // too many ids, too long a name
        String ids = manyFaces.stream().map(String::valueOf).collect(Collectors.joining(","));
        HttpResponse<String> move =
                editor.json("POST", "api/faces/move", "{\"faceIds\":[" + ids + "],\"personId\":null}");
        assertThat(move.statusCode()).isEqualTo(400);
        assertThat(move.body()).contains("at most 1000 faces to move");
        String merge = LongStream.range(0, 1001).mapToObj(String::valueOf).collect(Collectors.joining(","));
        assertThat(editor.json("POST", "api/persons/" + person + "/merge", "{\"from\":[" + merge + "]}")
                        .statusCode())
                .isEqualTo(400);
        HttpResponse<String> name =
                editor.json("PUT", "api/persons/" + person + "/name", "{\"name\":\"" + "x".repeat(201) + "\"}");
        assertThat(name.statusCode()).isEqualTo(400);
        assertThat(jdbc.queryForObject("SELECT \"Name\" FROM \"Persons\" WHERE \"Id\" = ?", String.class, person))
                .as("the automatic name, unchanged")
                .isEqualTo("Unknown-" + person);
        assertThat(editor.json("POST", "api/faces/move", "{\"personId\":null}").statusCode())
                .as("no ids")
                .isEqualTo(400);
        assertThat(editor.json("POST", "api/faces/move", "{\"faceIds\":[null]}").statusCode())
                .isEqualTo(400);
        // finding 10: limit=-1 was a 500
        assertThat(editor.get("api/faces/unassigned?limit=-1").statusCode()).isEqualTo(400);
        assertThat(editor.get("api/persons/" + person + "/suggestions?limit=-1").statusCode())
                .isEqualTo(400);
        assertThat(editor.get("api/faces/unassigned?limit=5").statusCode()).isEqualTo(200);
        // a move at the limit goes through, in one transaction, quickly (each source person is handled once)
        long t0 = System.nanoTime();
        String thousand =
                manyFaces.subList(0, 1000).stream().map(String::valueOf).collect(Collectors.joining(","));
        HttpResponse<String> ok =
                editor.json("POST", "api/faces/move", "{\"faceIds\":[" + thousand + "],\"personId\":null}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat((System.nanoTime() - t0) / 1e9)
                .as("seconds for a 1,000-face move")
                .isLessThan(30);
    }

    @Test
    void healthShowsDetailsOnlyToOperators() throws Exception {
        HttpResponse<String> open = anonymous().get("actuator/health");
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.body())
                .contains("\"status\"")
                .doesNotContain("components")
                .doesNotContain("diskSpace");
        HttpResponse<String> ops = anonymous()
                .send(anonymous()
                        .request("actuator/health")
                        .header("Authorization", Http.basic("prometheus", METRICS_PW)));
        assertThat(ops.body()).contains("components");
    }

    @Test
    void pagesCarryTheSecurityHeaders() throws Exception {
        Http viewer = signedIn("vera", VIEWER_PW);
        for (String p : List.of("index.html", "api/persons", "login")) {
            HttpResponse<String> r = p.equals("login") ? anonymous().page(p) : viewer.page(p);
            var h = r.headers();
            assertThat(h.firstValue("Content-Security-Policy").orElse(""))
                    .as(p)
                    .contains("script-src 'self'")
                    .contains("frame-ancestors 'none'")
                    .doesNotContain("unsafe-inline");
            assertThat(h.firstValue("X-Frame-Options")).as(p).hasValue("DENY");
            assertThat(h.firstValue("X-Content-Type-Options")).as(p).hasValue("nosniff");
            assertThat(h.firstValue("Referrer-Policy")).as(p).hasValue("no-referrer");
        }
        // the pages themselves need no inline script or style
        for (String p : List.of("index.html", "person.html", "photo.html")) {
            String html = viewer.page(p).body();
            assertThat(html)
                    .as(p)
                    .doesNotContainPattern("<script>|<script [^>]*>[^<]+</script>|<style|style=\"|onclick=");
        }
        // the session cookie the sign-in sets: not readable by scripts, never sent along from another site
        assertThat(signInCookies)
                .contains("FACEREC_SESSION")
                .contains("HttpOnly")
                .contains("SameSite=Strict");
    }

    @Test
    void withoutUsersOrAnIdentityProviderTheGalleryDoesNotStart() {
        assertThatThrownBy(() -> start(baseProperties()).close()).hasStackTraceContaining("nobody could sign in");
        Map<String, Object> plain = baseProperties();
        plain.put("facerec.gallery.security.users[0].name", "ann");
        plain.put("facerec.gallery.security.users[0].password", "a-plain-password");
        assertThatThrownBy(() -> start(plain).close()).hasStackTraceContaining("must be a password hash");
        Map<String, Object> noop = baseProperties();
        noop.put("facerec.gallery.security.users[0].name", "ann");
        noop.put("facerec.gallery.security.users[0].password", "{noop}a-plain-password");
        assertThatThrownBy(() -> start(noop).close()).hasStackTraceContaining("must be a password hash");
    }

    @Test
    void anIdentityProviderIsOfferedWhenConfigured() throws Exception {
        Map<String, Object> p = baseProperties();
        String r = "spring.security.oauth2.client.registration.corp.";
        p.put(r + "client-id", "facerec");
        p.put(r + "client-secret", "s3cret");
        p.put(r + "authorization-grant-type", "authorization_code");
        p.put(r + "redirect-uri", "{baseUrl}/login/oauth2/code/{registrationId}");
        p.put(r + "scope", "openid,profile");
        String pr = "spring.security.oauth2.client.provider.corp.";
        p.put(pr + "authorization-uri", "https://idp.example/authorize");
        p.put(pr + "token-uri", "https://idp.example/token");
        p.put(pr + "jwk-set-uri", "https://idp.example/jwks");
        p.put(pr + "user-info-uri", "https://idp.example/userinfo");
        p.put(pr + "user-name-attribute", "sub");
        try (ConfigurableApplicationContext oidc = start(p)) {
            Http h = new Http("http://127.0.0.1:" + oidc.getEnvironment().getProperty("local.server.port") + "/");
            HttpResponse<String> page = h.page("index.html");
            assertThat(page.statusCode()).isEqualTo(302);
            assertThat(page.headers().firstValue("Location").orElseThrow()).endsWith("/oauth2/authorization/corp");
            HttpResponse<String> go = h.page("oauth2/authorization/corp");
            assertThat(go.statusCode()).isEqualTo(302);
            assertThat(go.headers().firstValue("Location").orElseThrow())
                    .startsWith("https://idp.example/authorize?")
                    .contains("client_id=facerec")
                    .contains("scope=openid%20profile")
                    .contains("state=");
            // the provider brings the browser back with a cross-site redirect: the session cookie must come along
            assertThat(String.join("\n", page.headers().allValues("Set-Cookie")))
                    .contains("FACEREC_SESSION")
                    .contains("SameSite=Lax");
            assertThat(h.get("api/persons").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void oidcGroupsBecomeRoles() {
        var s = new GallerySecurityProperties.Oidc(
                "groups", List.of("facerec-editors"), List.of("facerec-viewers"), null);
        assertThat(OidcRoles.roles(Map.of("groups", List.of("staff", "facerec-editors")), s))
                .containsExactly(GallerySecurityProperties.Role.EDITOR);
        assertThat(OidcRoles.roles(Map.of("groups", "staff facerec-viewers"), s))
                .containsExactly(GallerySecurityProperties.Role.VIEWER);
        assertThat(OidcRoles.roles(Map.of("groups", List.of("staff")), s)).isEmpty();
        assertThat(OidcRoles.roles(
                        Map.of(),
                        new GallerySecurityProperties.Oidc(
                                "roles", List.of("e"), List.of("v"), GallerySecurityProperties.Role.VIEWER)))
                .containsExactly(GallerySecurityProperties.Role.VIEWER);
    }

    @Test
    void theZeroSetupTokenSignsABrowserIn() throws Exception {
        Map<String, Object> p = baseProperties();
        p.put("facerec.gallery.security.mode", "TOKEN");
        p.put("server.address", "127.0.0.1");
        try (ConfigurableApplicationContext tokenApp = start(p)) {
            String token = tokenApp.getBean(AccessToken.class).value();
            assertThat(token).matches("[A-Za-z0-9_-]{43}");
            Http h = new Http("http://127.0.0.1:" + tokenApp.getEnvironment().getProperty("local.server.port") + "/");
            HttpResponse<String> without = h.page("index.html");
            assertThat(without.statusCode()).isEqualTo(401);
            assertThat(without.body()).contains("Open the address").doesNotContain(token);
            assertThat(h.get("api/persons").statusCode()).isEqualTo(401);
            assertThat(h.page("?token=" + token.substring(1) + "x").statusCode())
                    .isEqualTo(401);
            HttpResponse<String> in = h.page("person.html?id=" + person + "&token=" + token);
            assertThat(in.statusCode()).isEqualTo(302);
            assertThat(in.headers().firstValue("Location").orElseThrow())
                    .endsWith("/person.html?id=" + person)
                    .doesNotContain(token);
            String setCookie = String.join("\n", in.headers().allValues("Set-Cookie"));
            assertThat(setCookie)
                    .contains("FACEREC_SESSION=")
                    .contains("HttpOnly")
                    .contains("SameSite=Strict");
            assertThat(h.page("person.html?id=" + person).statusCode()).isEqualTo(200);
            assertThat(h.get("api/persons").statusCode()).isEqualTo(200);
            assertThat(h.json("PUT", "api/persons/" + person + "/hidden", "{\"hidden\":false}")
                            .statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void theOperationsPortIsProtectedAsWell() throws Exception {
        // compose runs the actuator on its own port (MANAGEMENT_SERVER_PORT), scraped by Prometheus as gallery:8081
        Map<String, Object> p = baseProperties();
        p.put("management.server.port", "0");
        p.put("facerec.gallery.security.users[0].name", "prometheus");
        p.put("facerec.gallery.security.users[0].password", hash(METRICS_PW));
        p.put("facerec.gallery.security.users[0].roles", "METRICS");
        p.put("facerec.gallery.security.allowed-hosts", "gallery");
        try (ConfigurableApplicationContext ops = start(p)) {
            int mgmt = Integer.parseInt(ops.getEnvironment().getProperty("local.management.port"));
            assertThat(mgmt).isNotEqualTo(Integer.parseInt(ops.getEnvironment().getProperty("local.server.port")));
            String auth = "Authorization: " + Http.basic("prometheus", METRICS_PW) + "\r\n";
            String get = "GET /actuator/prometheus HTTP/1.1\r\nConnection: close\r\n";
            assertThat(Http.raw("127.0.0.1", mgmt, get + "Host: gallery:" + mgmt + "\r\n\r\n"))
                    .isEqualTo(401);
            assertThat(Http.raw("127.0.0.1", mgmt, get + "Host: gallery:" + mgmt + "\r\n" + auth + "\r\n"))
                    .isEqualTo(200);
            assertThat(Http.raw("127.0.0.1", mgmt, get + "Host: evil.example\r\n" + auth + "\r\n"))
                    .isEqualTo(400);
            String health = Http.rawResponse(
                    "127.0.0.1",
                    mgmt,
                    "GET /actuator/health HTTP/1.1\r\nHost: localhost\r\n" + "Connection: close\r\n\r\n");
            assertThat(health).startsWith("HTTP/1.1 200").doesNotContain("components");
        }
    }
}
