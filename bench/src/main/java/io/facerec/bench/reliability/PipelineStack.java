package io.facerec.bench.reliability;

import io.facerec.common.model.ModelStore;
import io.facerec.launcher.infra.EmbeddedBroker;
import io.facerec.launcher.infra.EmbeddedDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The real chain with every part in its own process where a hard kill matters: embedded PostgreSQL (in this JVM,
 * stoppable and restartable on the same data folder and port), the Kafka broker (a child JVM, restartable on the same
 * log folder and ports), and four child JVMs: capture (the detector application with its listener off and the Debezium
 * engine on), detector, embedder and clusterer. Each worker gets its own heap limit.
 */
final class PipelineStack implements AutoCloseable {
    static final String WORKER_HEAP = "-Xmx768m";

    final Path work;
    final Path media;
    private final int pgPort;
    private final int brokerPort;
    final ChildJvm broker;
    final ChildJvm capture;
    final ChildJvm detector;
    final ChildJvm embedder;
    final ChildJvm clusterer;
    private EmbeddedDatabase db;
    private DriverManagerDataSource dataSource;

    PipelineStack(Path work, Path media) throws Exception {
        this.work = work;
        this.media = media;
        this.pgPort = EmbeddedBroker.freePort();
        this.brokerPort = EmbeddedBroker.freePort();
        int controllerPort = EmbeddedBroker.freePort();
        // not "fresh": a fresh embedded database deletes its folder when it stops, and the outage restarts it there
        this.db = EmbeddedDatabase.start(work.resolve("data"), false, pgPort);
        migrate();
        broker = new ChildJvm(
                "broker",
                EmbeddedBroker.class.getName(),
                List.of("-Xmx512m"),
                List.of(
                        work.resolve("broker").toString(),
                        Integer.toString(brokerPort),
                        Integer.toString(controllerPort)),
                work.resolve("broker"),
                0);
        capture = worker(
                "capture",
                "io.facerec.detector.DetectorApplication",
                List.of(
                        "--facerec.capture.enabled=true",
                        "--spring.kafka.listener.auto-startup=false",
                        "--facerec.capture.offset-file=" + work.resolve("capture/offsets.dat"),
                        "--facerec.capture.schema-history-file=" + work.resolve("capture/history.dat")));
        detector = worker(
                "detector", "io.facerec.detector.DetectorApplication", List.of("--facerec.capture.enabled=false"));
        embedder = worker("embedder", "io.facerec.embedder.EmbedderApplication", List.of());
        clusterer = worker("clusterer", "io.facerec.clusterer.ClustererApplication", List.of());
    }

    private ChildJvm worker(String name, String main, List<String> extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--spring.datasource.url=" + jdbcUrl(),
                "--spring.datasource.username=" + db.user(),
                "--spring.datasource.password=" + db.password(),
                "--spring.kafka.bootstrap-servers=" + bootstrapServers(),
                "--facerec.media-root=" + media,
                "--facerec.thumbnails-dir=" + work.resolve("thumbs"),
                "--facerec.models-dir=" + ModelStore.fromEnvironment().dir(),
                "--management.endpoints.web.exposure.include=health,prometheus",
                "--management.endpoint.health.show-details=always"));
        int port = EmbeddedBroker.freePort();
        args.add("--server.port=" + port);
        args.addAll(extra);
        return new ChildJvm(
                name, main, List.of(WORKER_HEAP, "-XX:+ExitOnOutOfMemoryError"), args, work.resolve(name), port);
    }

    String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + pgPort + "/postgres";
    }

    String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    List<ChildJvm> workers() {
        return List.of(capture, detector, embedder, clusterer);
    }

    /** Starts the broker, then the four workers in parallel, and waits until every health endpoint says UP. */
    void start() throws Exception {
        broker.start();
        broker.awaitReady(Duration.ofMinutes(2), "BROKER READY");
        for (ChildJvm w : workers()) {
            w.start();
        }
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        for (ChildJvm w : workers()) {
            ready.add(CompletableFuture.runAsync(() -> {
                try {
                    w.awaitReady(Duration.ofMinutes(4), null);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).join();
    }

    JdbcTemplate jdbc() {
        if (dataSource == null) {
            dataSource = new DriverManagerDataSource(jdbcUrl(), db.user(), db.password());
        }
        return new JdbcTemplate(dataSource);
    }

    private void migrate() {
        Flyway.configure()
                .dataSource(jdbcUrl(), db.user(), db.password())
                .locations("classpath:db/migration/postgresql")
                .load()
                .migrate();
    }

    /** Stops PostgreSQL (every connection drops), waits, starts it again on the same data folder and port. */
    void databaseOutage(Duration down) throws Exception {
        db.close();
        Thread.sleep(down.toMillis());
        db = EmbeddedDatabase.start(work.resolve("data"), false, pgPort);
    }

    /** Stops the broker cleanly, waits, starts it again on the same log folder and ports. */
    void brokerOutage(Duration down) throws Exception {
        broker.stop();
        Thread.sleep(down.toMillis());
        broker.start();
        broker.awaitReady(Duration.ofMinutes(2), "BROKER READY");
    }

    /** Consumer lag (end offset minus committed offset, summed over partitions) of each worker's group. */
    Map<String, Long> lag(Admin admin) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String group : List.of("facerec-detector", "facerec-embedder", "facerec-clusterer")) {
            try {
                var committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get(5, TimeUnit.SECONDS);
                Map<TopicPartition, OffsetSpec> q = new HashMap<>();
                committed.keySet().forEach(tp -> q.put(tp, OffsetSpec.latest()));
                var ends = admin.listOffsets(q).all().get(5, TimeUnit.SECONDS);
                long lag = 0;
                for (var e : committed.entrySet()) {
                    if (e.getValue() != null && ends.get(e.getKey()) != null) {
                        lag += Math.max(
                                0, ends.get(e.getKey()).offset() - e.getValue().offset());
                    }
                }
                out.put(group, lag);
            } catch (Exception e) {
                out.put(group, -1L);
            }
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        for (ChildJvm w : workers()) {
            w.stop();
        }
        broker.stop();
        if (db != null) {
            db.close();
            db = null;
        }
    }
}
