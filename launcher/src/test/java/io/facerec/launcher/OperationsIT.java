package io.facerec.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.facerec.common.FacerecVersion;
import io.facerec.common.model.ModelFile;
import io.facerec.common.testing.Http;
import io.facerec.common.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What an operator sees of a running pipeline, on the real chain (the zero-setup run: embedded PostgreSQL, Debezium,
 * the in-process broker, the three workers and the gallery's actuator): every query of the Grafana dashboard returns
 * a series from a real scrape of {@code /actuator/prometheus} after some photos (one of them broken) went through;
 * health has the capture, broker and model components; {@code /actuator/info} has the version and the models with
 * their SHA-256; and when capture keeps losing its database connection (the server kills it, again and again) its
 * health goes DOWN once Debezium gave up, and UP again once the engine has been restarted, after which new rows are
 * captured again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperationsIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    Path tmp;
    Path media;
    EmbeddedPipeline pipeline;
    Http http;
    final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    void runPipeline() throws Exception {
        tmp = Files.createTempDirectory("facerec-ops");
        media = tmp.resolve("media");
        SharedData.copyIdentityPhotos(media, List.of("Al_Gore", "Adrien_Brody"), 4);
        Files.writeString(media.resolve("broken.jpg"), "not a photo"); // a dead letter: facerec_errors_total
        pipeline = EmbeddedPipeline.start(
                tmp.resolve("data"),
                media,
                Map.of("facerec.thumbnails-dir", tmp.resolve("thumbs").toString()),
                s -> {},
                false,
                0); // the slot is kept, as in production
        ZeroSetupRun run = new ZeroSetupRun(pipeline, System.out, System.err);
        assertThat(run.importImages(media)).isEqualTo(9);
        assertThat(run.awaitCompletion(Duration.ofMinutes(4), false)).isTrue();
        http = new Http(pipeline.galleryUrl());
        assertThat(http.get("?token=" + pipeline.gallerySignInUrl().replaceAll(".*token=", ""))
                        .statusCode())
                .as("the run's token signs in (EDITOR and METRICS)")
                .isIn(200, 302);
    }

    @AfterAll
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    JsonNode get(String path) throws Exception {
        var r = http.get(path);
        return json.readTree(r.body());
    }

    @Test
    @Order(1)
    void everyDashboardQueryReturnsASeriesFromARealScrape() throws Exception {
        var r = http.get("actuator/prometheus");
        assertThat(r.statusCode()).isEqualTo(200);
        List<Series> scrape = Series.parse(r.body());
        JsonNode dashboard = json.readTree(
                ROOT.resolve("deploy/grafana/dashboards/facerec.json").toFile());
        int queries = 0;
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                String expr = target.get("expr").asText();
                Query q = Query.parse(expr);
                assertThat(q.selectors()).as(expr).isNotEmpty();
                for (Selector s : q.selectors()) {
                    List<Series> matched = scrape.stream().filter(s::matches).toList();
                    assertThat(matched)
                            .as("panel \"" + panel.get("title").asText() + "\": " + s + " in " + expr)
                            .isNotEmpty();
                    for (String label : q.groupBy()) {
                        if (!Query.ADDED_BY_PROMETHEUS.contains(label)) {
                            assertThat(matched)
                                    .as(expr + ": by " + label)
                                    .anyMatch(m -> m.labels().containsKey(label));
                        }
                    }
                }
                queries++;
            }
        }
        assertThat(queries).isGreaterThanOrEqualTo(10);
        // the metric the dashboard used to ask for, and which the scrape never had
        assertThat(scrape).noneMatch(s -> s.name().equals("facerec_clusterer_persons_created_total"));
        assertThat(scrape)
                .anyMatch(s -> s.name().equals("facerec_errors_total")
                        && "NOT_AN_IMAGE".equals(s.labels().get("kind")));
    }

    @Test
    @Order(2)
    void healthHasCaptureBrokerAndModelsAndInfoHasTheVersionAndModels() throws Exception {
        JsonNode h = get("actuator/health");
        assertThat(h.get("status").asText()).as(h.toPrettyString()).isEqualTo("UP");
        JsonNode c = h.get("components");
        assertThat(c.get("capture").get("status").asText()).isEqualTo("UP");
        assertThat(c.get("capture").get("details").get("state").asText()).isEqualTo("RUNNING");
        assertThat(c.get("capture").get("details").get("published").asLong()).isEqualTo(9);
        assertThat(c.get("capture")
                        .get("details")
                        .get("streaming")
                        .get("Connected")
                        .asBoolean())
                .isTrue();
        assertThat(c.get("broker").get("status").asText()).isEqualTo("UP");
        JsonNode lag = c.get("broker").get("details").get("consumerLag");
        assertThat(lag.fieldNames()).toIterable().contains("facerec-detector", "facerec-embedder", "facerec-clusterer");
        assertThat(lag.get("facerec-detector").get("total").asLong()).isZero();
        JsonNode sessions = c.get("models").get("details").get("sessions");
        assertThat(c.get("models").get("status").asText()).isEqualTo("UP");
        assertThat(sessions.get("mnet.25_v2.onnx").get("sha256").asText())
                .isEqualTo(ModelFile.RETINAFACE_MNET25_V2.sha256());
        assertThat(sessions.get("fr_feature.onnx").get("sha256").asText()).isEqualTo(ModelFile.FR_FEATURE.sha256());

        JsonNode info = get("actuator/info");
        assertThat(FacerecVersion.get()).isNotEqualTo("unknown");
        assertThat(info.get("build").get("version").asText()).isEqualTo(FacerecVersion.get());
        assertThat(info.get("facerec").get("version").asText()).isEqualTo(FacerecVersion.get());
        List<String> models = new ArrayList<>();
        for (JsonNode m : info.get("facerec").get("models")) {
            models.add(m.get("file").asText() + " " + m.get("sha256").asText() + " "
                    + m.get("pinned").asBoolean());
        }
        assertThat(models)
                .containsExactlyInAnyOrder(
                        "mnet.25_v2.onnx " + ModelFile.RETINAFACE_MNET25_V2.sha256() + " true",
                        "fr_feature.onnx " + ModelFile.FR_FEATURE.sha256() + " true");
    }

    @Test
    @Order(3)
    void captureHealthGoesDownWhenItLosesTheDatabaseAndUpAfterItsRestart() throws Exception {
        JdbcTemplate jdbc = pipeline.bean(JdbcTemplate.class);
        // the database kills the capture's replication connection, again and again, as a failing server or a
        // network dropping it would: Debezium retries (six times), then the engine stops
        AtomicBoolean killing = new AtomicBoolean(true);
        AtomicInteger killed = new AtomicInteger();
        Thread killer = new Thread(
                () -> {
                    while (killing.get()) {
                        try {
                            killed.addAndGet(jdbc.queryForList(
                                            "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots "
                                                    + "WHERE active_pid IS NOT NULL",
                                            Boolean.class)
                                    .size());
                            Thread.sleep(200);
                        } catch (InterruptedException e) {
                            return;
                        } catch (RuntimeException e) {
                            // the database is busy: next round
                        }
                    }
                },
                "replication-killer");
        killer.start();
        JsonNode down;
        try {
            down = awaitCapture("DOWN", Duration.ofSeconds(240));
        } finally {
            killing.set(false);
            killer.join();
        }
        assertThat(killed.get()).as("replication connections killed").isPositive();
        assertThat(down.get("details").get("state").asText()).isEqualTo("FAILED");
        assertThat(down.get("details").has("lastError")).isTrue();

        // the connection is left alone again: the engine is restarted from its offsets
        JsonNode up = awaitCapture("UP", Duration.ofSeconds(180));
        assertThat(up.get("details").get("state").asText()).isEqualTo("RUNNING");
        assertThat(up.get("details").get("restarts").asLong()).isGreaterThanOrEqualTo(1);

        // and it captures again: a row inserted now is detected
        Path late = media.resolve("late/late.jpg");
        Files.createDirectories(late.getParent());
        Files.copy(SharedData.require("eval/identity").resolve("Al_Gore/lfwg_Al_Gore_0006.jpg"), late);
        ZeroSetupRun run = new ZeroSetupRun(pipeline, System.out, System.err);
        assertThat(run.importImages(media)).isEqualTo(1);
        assertThat(run.awaitCompletion(Duration.ofMinutes(3), false)).isTrue();
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM \"MediaItems\" WHERE \"Name\" = 'late.jpg' AND "
                                + "\"IsFacesExtracted\" = TRUE",
                        Long.class))
                .isEqualTo(1);
    }

    private JsonNode awaitCapture(String status, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode capture = null;
        while (System.nanoTime() < deadline) {
            capture = get("actuator/health").get("components").get("capture");
            if (capture.get("status").asText().equals(status)) {
                return capture;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("capture health did not become " + status + " within " + timeout + ": " + capture);
    }

    /** One series of a Prometheus text scrape. */
    record Series(String name, Map<String, String> labels) {
        private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+\\S+.*$");
        private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

        static List<Series> parse(String text) {
            List<Series> out = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                Matcher m = LINE.matcher(line);
                if (m.matches()) {
                    Map<String, String> labels = new LinkedHashMap<>();
                    if (m.group(3) != null) {
                        Matcher l = LABEL.matcher(m.group(3));
                        while (l.find()) {
                            labels.put(l.group(1), l.group(2));
                        }
                    }
                    out.add(new Series(m.group(1), labels));
                }
            }
            return out;
        }
    }

    /** A vector selector of a PromQL query: a metric name and label matchers. */
    record Selector(String name, List<String[]> matchers) {
        boolean matches(Series s) {
            if (!s.name().equals(name)) {
                return false;
            }
            for (String[] m : matchers) {
                String v = s.labels().getOrDefault(m[0], "");
                boolean ok = switch (m[1]) {
                    case "=" -> v.equals(m[2]);
                    case "!=" -> !v.equals(m[2]);
                    case "=~" -> v.matches(m[2]);
                    case "!~" -> !v.matches(m[2]);
                    default -> throw new IllegalArgumentException(m[1]);
                };
                if (!ok) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return name
                    + matchers.stream()
                            .map(m -> m[0] + m[1] + "\"" + m[2] + "\"")
                            .toList();
        }
    }

    /**
     * The parts of a PromQL expression that decide whether it returns a series: its vector selectors and the labels it
     * groups by. (Functions, aggregations, ranges and numbers need a series to act on; {@code instance} and
     * {@code job} are the labels Prometheus adds to every scraped series.)
     */
    record Query(List<Selector> selectors, List<String> groupBy) {
        static final Set<String> ADDED_BY_PROMETHEUS = Set.of("instance", "job");
        private static final Set<String> KEYWORDS = Set.of(
                "by",
                "without",
                "on",
                "ignoring",
                "group_left",
                "group_right",
                "bool",
                "and",
                "or",
                "unless",
                "offset");
        /** Aggregation operators: {@code sum by (x) (...)} puts the grouping between the name and its parenthesis. */
        private static final Set<String> AGGREGATIONS = Set.of(
                "sum",
                "min",
                "max",
                "avg",
                "group",
                "stddev",
                "stdvar",
                "count",
                "count_values",
                "bottomk",
                "topk",
                "quantile",
                "limitk",
                "limit_ratio");

        private static final Pattern MATCHER =
                Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

        static Query parse(String expr) {
            List<Selector> selectors = new ArrayList<>();
            List<String> by = new ArrayList<>();
            int i = 0;
            while (i < expr.length()) {
                char c = expr.charAt(i);
                if (c == '"') {
                    i = expr.indexOf('"', i + 1) + 1;
                } else if (c == '[') {
                    i = expr.indexOf(']', i) + 1;
                } else if (Character.isLetter(c) || c == '_' || c == ':') {
                    int start = i;
                    while (i < expr.length()
                            && (Character.isLetterOrDigit(expr.charAt(i)) || "_:".indexOf(expr.charAt(i)) >= 0)) {
                        i++;
                    }
                    String word = expr.substring(start, i);
                    int next = skipSpaces(expr, i);
                    if (word.equals("by") || word.equals("without")) {
                        int close = expr.indexOf(')', next);
                        for (String l : expr.substring(next + 1, close).split(",")) {
                            if (!l.isBlank()) {
                                by.add(l.strip());
                            }
                        }
                        i = close + 1;
                    } else if (next < expr.length() && expr.charAt(next) == '(' || AGGREGATIONS.contains(word)) {
                        i = next; // a function or an aggregation
                    } else if (!KEYWORDS.contains(word)) {
                        List<String[]> matchers = new ArrayList<>();
                        if (next < expr.length() && expr.charAt(next) == '{') {
                            int close = expr.indexOf('}', next);
                            Matcher m = MATCHER.matcher(expr.substring(next + 1, close));
                            while (m.find()) {
                                matchers.add(new String[] {m.group(1), m.group(2), m.group(3)});
                            }
                            i = close + 1;
                        }
                        selectors.add(new Selector(word, matchers));
                    }
                } else if (Character.isDigit(c)) {
                    while (i < expr.length() && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '.')) {
                        i++;
                    }
                } else {
                    i++;
                }
            }
            return new Query(selectors, by);
        }

        private static int skipSpaces(String s, int i) {
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
            return i;
        }
    }
}
