package io.facerec.bench;

import io.facerec.common.id.MediaFileId;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.model.ModelStore;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.detector.DetectorApplication;
import io.facerec.launcher.EmbeddedPipeline;
import io.facerec.launcher.MediaImporter;
import io.facerec.launcher.ZeroSetupRun;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Whole-pipeline throughput on the real chain: {@code MediaItems} INSERT → Debezium → Kafka → detector(s) → embedder →
 * clusterer → {@code Faces.PersonId}, with one and with two detector instances (the second one its own Spring
 * context in the {@code facerec-detector} consumer group, as a second replica), in one run on the same machine.
 * Each configuration starts a fresh embedded stack, warms up on a few items, then inserts {@code N} items at once
 * (the photos of DIR repeated: one {@code MediaFile} per photo, one {@code MediaItems} row per item) and stops the clock
 * when every item is extracted and every face has a person or was left unassigned by the clusterer.
 *
 * <pre>java -cp bench/target/facerec-bench.jar -Dloader.main=io.facerec.bench.PipelineThroughputBench \
 *   org.springframework.boot.loader.launch.PropertiesLauncher DIR [N=500]</pre>
 */
public final class PipelineThroughputBench {
    private static final int WARMUP_ITEMS = 12;

    private PipelineThroughputBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: PipelineThroughputBench DIR [N]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]).toAbsolutePath();
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        List<Path> photos = MediaImporter.scan(dir);
        if (photos.isEmpty()) {
            throw new IllegalArgumentException("no photos under " + dir);
        }
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "pipeline throughput: %d items (%d distinct photos from %s), %d cores%n", n, photos.size(),
                dir.getFileName(), Runtime.getRuntime().availableProcessors());
        double[] rate = new double[3];
        for (int detectors = 1; detectors <= 2; detectors++) {
            rate[detectors] = run(dir, photos, n, detectors, out);
        }
        out.printf(Locale.ROOT, "%nRESULT detectors=1 %.2f items/s, detectors=2 %.2f items/s, ratio 2/1 = %.2f%n",
                rate[1], rate[2], rate[2] / rate[1]);
        System.exit(0);
    }

    static double run(Path dir, List<Path> photos, int n, int detectors, PrintStream out) throws Exception {
        Path tmp = Files.createTempDirectory("facerec-bench-pipeline");
        try (EmbeddedPipeline p = EmbeddedPipeline.start(tmp.resolve("data"), dir, Map.of(
                "facerec.thumbnails-dir", tmp.resolve("thumbs").toString(), "facerec.capture.drop-slot-on-stop", "true"),
                s -> { })) {
            ConfigurableApplicationContext second = null;
            try {
                if (detectors == 2) {
                    second = new SpringApplicationBuilder(DetectorApplication.class).web(WebApplicationType.NONE)
                            .logStartupInfo(false)
                            .run("--spring.datasource.url=" + p.jdbcUrl(), "--spring.datasource.username=" + p.jdbcUser(),
                                    "--spring.datasource.password=" + p.jdbcPassword(),
                                    "--spring.kafka.bootstrap-servers=" + p.bootstrapServers(),
                                    "--facerec.capture.enabled=false", "--facerec.media-root=" + dir,
                                    "--facerec.thumbnails-dir=" + tmp.resolve("thumbs"),
                                    "--facerec.models-dir=" + ModelStore.fromEnvironment().dir(),
                                    "--management.server.port=-1");
                    Thread.sleep(5000); // let the group rebalance onto both members
                }
                MediaFileRepository files = p.bean(MediaFileRepository.class);
                MediaItemRepository items = p.bean(MediaItemRepository.class);
                MediaPathResolver paths = p.bean(MediaPathResolver.class);
                List<MediaFileId> fileIds = new ArrayList<>();
                for (Path photo : photos) {
                    String rel = paths.relativize(photo);
                    fileIds.add(files.insert(rel, photo.getFileName().toString(), null));
                }
                ZeroSetupRun run = new ZeroSetupRun(p, out, out);
                for (int i = 0; i < WARMUP_ITEMS; i++) {
                    items.insert(fileIds.get(i % fileIds.size()), "warmup-" + i);
                }
                if (!run.awaitCompletion(Duration.ofMinutes(5), false)) {
                    throw new IllegalStateException("warm-up did not finish");
                }
                long t0 = System.nanoTime();
                JdbcTemplate jdbc = p.bean(JdbcTemplate.class);
                jdbc.execute((java.sql.Connection c) -> {
                    // one transaction, like a library import: the capture sees N rows at once
                    c.setAutoCommit(false);
                    try (var ps = c.prepareStatement("INSERT INTO \"MediaItems\" (\"MediaFileId\", \"Name\") VALUES (?, ?)")) {
                        for (int i = 0; i < n; i++) {
                            ps.setLong(1, fileIds.get(i % fileIds.size()).value());
                            ps.setString(2, "item-" + i);
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                    c.commit();
                    c.setAutoCommit(true);
                    return null;
                });
                if (!run.awaitCompletion(Duration.ofMinutes(30), false)) {
                    throw new IllegalStateException("the pipeline did not finish " + n + " items in 30 minutes");
                }
                double s = (System.nanoTime() - t0) / 1e9;
                long faces = jdbc.queryForObject("SELECT COUNT(*) FROM \"Faces\"", Long.class);
                long persons = jdbc.queryForObject("SELECT COUNT(*) FROM \"Persons\"", Long.class);
                String split = detectors == 1 ? "" : String.format(Locale.ROOT,
                        " (items detected by instance 1: %.0f, by instance 2: %.0f, warm-up included)",
                        detected(p.bean(MeterRegistry.class)), detected(second.getBean(MeterRegistry.class)));
                out.printf(Locale.ROOT, "detectors=%d: %d items in %.1f s = %.2f items/s; %d faces, %d persons%s%n", detectors,
                        n, s, n / s, faces, persons, split);
                return n / s;
            } finally {
                if (second != null) {
                    second.close();
                }
            }
        }
    }

    private static double detected(MeterRegistry registry) {
        var c = registry.find("facerec.detector.items").tag("outcome", "detected").counter();
        return c == null ? 0 : c.count();
    }
}
