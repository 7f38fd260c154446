package io.facerec.launcher;

import io.facerec.clusterer.cluster.IncrementalClustering;
import io.facerec.clusterer.cluster.PersonClustering;
import io.facerec.clusterer.config.ClustererProperties;
import io.facerec.common.model.ModelStore;
import io.facerec.detector.detect.DetectionSettings;
import io.facerec.detector.thumbnail.ThumbnailWriter;
import io.facerec.launcher.infra.EmbeddedDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code facerec} command line. */
@Command(name = "facerec", mixinStandardHelpOptions = true, version = "facerec 0.1.0",
        sortOptions = false, usageHelpWidth = 110,
        description = {
            "Face recognition for media libraries: photos in a database become persons through change data capture,",
            "Kafka, RetinaFace detection, 512-d embeddings and clustering.", ""},
        footer = {"", "Examples:",
            "  facerec --images ~/Pictures/party          zero-setup run: embedded PostgreSQL + Kafka, prints persons",
            "  facerec --test photo.jpg --json            detect faces in one photo, no database"})
public class FacerecCommand implements Callable<Integer> {

    @Option(names = "--images", paramLabel = "DIR",
            description = "Zero-setup run over the images under DIR: embedded PostgreSQL, an in-process Kafka broker, "
                    + "Debezium capture and the three workers in this JVM.")
    Path images;

    @Option(names = "--test", paramLabel = "PATH", arity = "1..*",
            description = "The origin's test mode: detect faces in these images or folders, no database; writes thumbnails.")
    List<Path> test;

    @Option(names = "--json", description = "Print results as JSON.")
    boolean json;

    @Option(names = "--score", paramLabel = "S", description = "Detection score threshold (default: ${DEFAULT-VALUE}, the origin's; the reference harness uses 0.75).")
    double score = 0.9;

    @Option(names = "--nms", paramLabel = "N", description = "Detection NMS IoU threshold (default: ${DEFAULT-VALUE}).")
    double nms = 0.4;

    @Option(names = "--pad", paramLabel = "F", description = "Detection: black border per side, fraction of the longer side (default: ${DEFAULT-VALUE}).")
    double pad = 0;

    @Option(names = "--no-close-up-retry", description = "Detection: do not re-detect close-ups and empty images on a padded image.")
    boolean noCloseUpRetry;

    @Option(names = "--thumbnails", paramLabel = "DIR",
            description = "Thumbnail folder (default: THUMBNAIL_SAVE_PATH, else ./Thumbnails).")
    Path thumbnails;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where the zero-setup run keeps its database and broker (default: a fresh temporary folder).")
    Path dataDir;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30m", converter = DurationConverter.class,
            description = "Give up waiting after this long, e.g. 90s, 30m (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--evaluate", paramLabel = "DIR",
            description = "Detect, embed and cluster a folder of <person>/<images> (MANIFEST.tsv order when present) "
                    + "and score the persons against the folder names.")
    Path evaluate;

    @Option(names = "--labels-out", paramLabel = "FILE", description = "With --evaluate: one predicted label per row (-1 = noise).")
    Path labelsOut;

    @Option(names = "--embeddings-out", paramLabel = "FILE", hidden = true,
            description = "With --evaluate: raw float32 embeddings, one row per manifest row (zeros = no face).")
    Path embeddingsOut;

    @Option(names = "--embeddings-in", paramLabel = "FILE", hidden = true,
            description = "With --evaluate: reuse embeddings written by --embeddings-out instead of detecting again.")
    Path embeddingsIn;

    @Option(names = "--sweep", hidden = true, description = "With --evaluate: also score a grid of clustering settings.")
    boolean sweep;

    @Option(names = "--stream-batch", paramLabel = "N",
            description = "With --evaluate: also run the streaming clusterer's decision code with batches of N faces; "
                    + "--labels-out then writes the stream's labels.")
    int streamBatch;

    @Option(names = "--match-threshold", paramLabel = "T", description = "Cosine similarity to join a known person (default: the model's calibrated value).")
    Double matchThreshold;

    @Option(names = "--algorithm", paramLabel = "A", description = "Clustering: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    PersonClustering.Algorithm algorithm = PersonClustering.Algorithm.AVERAGE_LINKAGE;

    @Option(names = "--eps", paramLabel = "E", description = "Clustering radius in cosine distance (default: the model's calibrated value); "
            + "with UMAP_DBSCAN a Euclidean radius in the 2-d UMAP embedding (default: " + ClustererProperties.UMAP_EPS_TEXT + ").")
    Double eps;

    @Option(names = "--min-samples", paramLabel = "N", description = "Smallest person (default: the model's calibrated value).")
    Integer minSamples;

    @Option(names = "--serve", description = "With --images: keep serving the person gallery after the run (Ctrl-C stops).")
    boolean serve;
    @Option(names = "--port", paramLabel = "PORT", description = "Gallery port with --images (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port = 8080;
    @Option(names = "--bind", paramLabel = "ADDR", description = "Gallery address with --images (default: "
            + "${DEFAULT-VALUE}, this machine only; 0.0.0.0 opens it to the network, where whoever has the printed "
            + "address gets in: put it behind TLS, see the README, Security).")
    String bind = "127.0.0.1";
    @Option(names = "--allowed-host", paramLabel = "NAME", description = "With --bind: a host name the gallery "
            + "answers to besides localhost and the bind address (repeatable), e.g. this machine's name in your DNS.")
    List<String> allowedHosts;
    @Option(names = "--hash-password", description = "Read a password (from the console, or one line of standard "
            + "input) and print its bcrypt hash for facerec.gallery.security.users[n].password.")
    boolean hashPassword;

    @Option(names = "--db", description = "Origin mode: one detection pass over the database: every item not yet "
            + "extracted (and failed items due for another attempt) is detected, thumbnails written. Works without CDC or Kafka.")
    boolean db;
    @Option(names = "--watch", description = "Origin mode: a detection pass every --interval (default 10s); after "
            + "--idle-checks empty checks in a row it pauses --idle-pause (the origin's cadence), until stopped.")
    boolean watch;
    @Option(names = "--recognize", description = "Origin mode: embed faces that have no embedding of the configured "
            + "model (the origin's faces included), then cluster.")
    boolean recognize;
    @Option(names = "--recluster", description = "Origin mode: rebuild persons from all embeddings (user truth kept, "
            + "person ids stable); with --all, --recognize: after them.")
    boolean recluster;
    @Option(names = "--replay", description = "With --recluster: take the embeddings from a replay of the compacted "
            + "embeddings topic (the broker in SPRING_KAFKA_BOOTSTRAP_SERVERS) instead of the database; faces whose "
            + "stored embedding was lost get it back.")
    boolean replay;
    @Option(names = "--all", description = "Origin mode: repair (re-detect items marked extracted without faces, recreate "
            + "missing thumbnails), then detect, embed and cluster once.")
    boolean all;
    @Option(names = "--automate", description = "Origin mode: --all every --interval (default 3m) until stopped; when "
            + "Persons has rows at the start, a pass that found new faces is followed by a recluster (the origin's "
            + "recluster mode).")
    boolean automate;
    @Option(names = "--interval", paramLabel = "DURATION", description = "Pause between passes: --watch 10s, "
            + "--automate 3m by default, e.g. 30s, 3m.", converter = DurationConverter.class)
    Duration interval;
    @Option(names = "--idle-checks", paramLabel = "N", description = "--watch: empty checks in a row before the idle "
            + "pause (default: ${DEFAULT-VALUE}).")
    int idleChecks = WatchSchedule.ORIGIN_IDLE_CHECKS;
    @Option(names = "--idle-pause", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "4m",
            description = "--watch: the pause after --idle-checks empty checks (default: ${DEFAULT-VALUE}).")
    Duration idlePause;
    @Option(names = "--max-passes", paramLabel = "N", hidden = true, description = "--watch/--automate: stop after N passes.")
    Integer maxPasses;
    @Option(names = "--migrate", description = "Apply facerec's migrations to the database and stop: an origin database "
            + "gains facerec's columns; nothing the Python system wrote changes. Every other database mode does this too, "
            + "except --dry-run.")
    boolean migrate;
    @Option(names = "--dry-run", description = "Write nothing; print the plan (what would be detected, embedded, "
            + "assigned, created, what would fail). Alone: the whole pipeline once (as --all, with a recluster when "
            + "Persons has rows); with --test: no thumbnails.")
    boolean dryRun;
    @Option(names = "--database", paramLabel = "JDBC_URL", description = "Database of the database modes (default: "
            + "SPRING_DATASOURCE_URL, else the origin's SQL_CONNECTION_STRING, else the embedded one in --data-dir).")
    String database;
    @Option(names = "--media-root", paramLabel = "DIR", description = "Folder MediaFile.FilePath is relative to "
            + "(default: FACEREC_MEDIAROOT, else the current folder).")
    Path mediaRoot;

    /** Accepts 30s, 3m, 1h or ISO-8601 (PT3M). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String v) {
            String t = v.trim().toLowerCase(java.util.Locale.ROOT);
            if (t.startsWith("pt")) {
                return Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
            }
            long n = Long.parseLong(t.replaceAll("[a-z]+$", ""));
            return switch (t.replaceAll("^[0-9]+", "")) {
                case "ms" -> Duration.ofMillis(n);
                case "s", "" -> Duration.ofSeconds(n);
                case "m", "min" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> throw new CommandLine.TypeConversionException("not a duration: " + v + " (try 30s, 3m, 1h)");
            };
        }
    }

    public static void main(String[] args) {
        int rc = new CommandLine(new FacerecCommand()).execute(args);
        System.exit(rc);
    }

    @Override
    public Integer call() throws Exception {
        if (hashPassword) {
            return io.facerec.gallery.security.PasswordHash.run(System.console(), System.in, System.out, System.err);
        }
        if (replay && !recluster) {
            System.err.println("facerec: --replay goes with --recluster");
            return 2;
        }
        Path thumbs = thumbnails != null ? thumbnails : Path.of(io.facerec.common.config.OriginEnvironment.variables()
                .getOrDefault("THUMBNAIL_SAVE_PATH", "Thumbnails"));
        if (test != null) {
            DetectionSettings settings = new DetectionSettings(score, nms, 0, pad, false);
            ThumbnailWriter writer = new ThumbnailWriter(thumbs, 0.2, 112, 20);
            return new DetectionTestMode(ModelStore.fromEnvironment(), settings, dryRun ? writer.dryRun() : writer, 0)
                    .run(test, json, System.out, System.err);
        }
        if (db || watch || recognize || recluster || all || automate || dryRun || migrate) {
            return runDatabaseModes();
        }
        if (images != null) {
            return runImages(thumbs);
        }
        if (evaluate != null) {
            var t = ClustererProperties.FR_FEATURE;
            var defaults = new ClustererProperties(Map.of(), algorithm, ClustererProperties.UMAP_EPS, 1, 8, 16);
            double match = matchThreshold != null ? matchThreshold : t.matchThreshold();
            int min = minSamples != null ? minSamples : t.minSamples();
            var settings = new PersonClustering.Settings(algorithm, match,
                    eps != null ? eps : defaults.eps(t, true), min, t.singleFaceThreshold());
            double group = 1 - (eps != null ? eps : defaults.eps(t, false));
            var stream = new IncrementalClustering.Settings(match, group, min, group - 0.05, defaults.neighbours(),
                    t.singleFaceThreshold(), 0);
            Map<String, Object> detection = Map.of("facerec.detector.score-threshold", score,
                    "facerec.detector.nms-threshold", nms, "facerec.detector.pad-fraction", pad,
                    "facerec.detector.close-up-retry", !noCloseUpRetry);
            return new EvaluateMode(ModelStore.fromEnvironment(), EvaluateMode.settings("facerec.detector",
                    io.facerec.detector.config.DetectorProperties.class, detection), EvaluateMode.settings(
                    "facerec.embedder", io.facerec.embedder.config.EmbedderProperties.class, Map.of()))
                    .run(evaluate, settings, stream, labelsOut, embeddingsOut, sweep, streamBatch, embeddingsIn,
                            System.out, System.err);
        }
        new CommandLine(this).usage(System.err);
        return 2;
    }

    private int runDatabaseModes() throws Exception {
        Map<String, Object> props = new HashMap<>();
        EmbeddedDatabase embedded = null;
        Map<String, String> origin = io.facerec.common.config.OriginEnvironment.variables();
        if (database != null) {
            props.put("spring.datasource.url", database);
        } else if (origin.get("SPRING_DATASOURCE_URL") == null && origin.get("SQL_CONNECTION_STRING") == null) {
            if (dataDir == null || !Files.isDirectory(dataDir.resolve("postgres"))) {
                System.err.println("facerec: the database modes need a database: --database JDBC_URL, "
                        + "SPRING_DATASOURCE_URL, SQL_CONNECTION_STRING (environment or .env), or --data-dir of an "
                        + "earlier --images run");
                return 2;
            }
            embedded = EmbeddedDatabase.start(dataDir, false);
            props.put("spring.datasource.url", embedded.jdbcUrl());
            props.put("spring.datasource.username", embedded.user());
            props.put("spring.datasource.password", embedded.password());
        }
        if (mediaRoot != null) {
            props.put("facerec.media-root", mediaRoot.toAbsolutePath().toString());
        }
        if (thumbnails != null) {
            props.put("facerec.thumbnails-dir", thumbnails.toAbsolutePath().toString());
        }
        props.put("facerec.models-dir", ModelStore.fromEnvironment().dir().toString());
        boolean onlyDry = dryRun && !migrate;
        try (DatabaseModes modes = DatabaseModes.open(props, System.err, System.out, onlyDry)) {
            if (migrate) {
                System.err.println("facerec: database migrated (schema version " + modes.schemaVersion() + ")");
                if (!(db || watch || recognize || recluster || all || automate || dryRun)) {
                    return 0;
                }
            }
            if (watch) {
                watch(modes);
            } else if (automate) {
                automate(modes);
            } else if (dryRun && !db && !recognize && !recluster && !all) {
                // the origin's --dry-run on its own: the whole pipeline once, recluster when persons exist
                boolean rc = modes.personsExist();
                System.err.println("facerec: dry run of the whole pipeline; Persons has rows: " + rc
                        + (rc ? " (with a recluster)" : ""));
                modes.all(true, rc);
            } else {
                once(modes);
            }
            if (!modes.failures().isEmpty()) {
                System.err.printf("facerec: %d media item(s) failed (see MediaItems.LastError; tried again on a later "
                        + "pass while attempts remain)%n", modes.failures().size());
                return 1;
            }
            return 0;
        } catch (DatabaseModes.SchemaNotReadyException e) {
            System.err.println("facerec: " + e.getMessage());
            return 2;
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    /** The one-shot modes: --db, --recognize, --recluster, --all, in the origin's order. */
    private void once(DatabaseModes modes) {
        if (all) {
            DatabaseModes.Pass p = modes.all(dryRun, recluster && !replay);
            System.err.printf("facerec: %d media item(s) %s (%d face(s)), %d face(s) %s, %d failed%n", p.items(),
                    dryRun ? "would be detected" : "detected", p.facesFound(), p.embedded(),
                    dryRun ? "would be embedded" : "embedded", p.failures().size());
        } else {
            if (db) {
                DatabaseModes.Pass p = modes.db(dryRun);
                System.err.printf("facerec: %d media item(s) %s (%d face(s)), %d failed%n", p.items(),
                        dryRun ? "would be detected" : "detected", p.facesFound(), p.failures().size());
            }
            if (recognize) {
                DatabaseModes.Pass p = modes.recognize(dryRun);
                System.err.printf("facerec: %d face(s) %s%n", p.embedded(), dryRun ? "would be embedded" : "embedded");
            }
        }
        if (recluster && (!all || replay)) {
            var r = replay ? modes.reclusterFromReplay(dryRun) : modes.recluster(dryRun);
            System.out.printf("%srecluster: %d faces (%d fixed by users), %d %s, %d unassigned; persons: %d kept, "
                    + "%d new, %d removed%n", dryRun ? "dry run: " : "", r.faces(), r.fixed(), r.moved(),
                    dryRun ? "would move" : "moved", r.unassigned(), r.personsKept(), r.personsCreated(),
                    r.personsDeleted());
        }
    }

    /** --watch: the origin's continuous detection, every 10 s, pausing 4 min after 5 empty checks. */
    private void watch(DatabaseModes modes) throws InterruptedException {
        WatchSchedule schedule = new WatchSchedule(interval != null ? interval : WatchSchedule.ORIGIN_CHECK, idleChecks,
                idlePause);
        for (int pass = 1; maxPasses == null || pass <= maxPasses; pass++) {
            DatabaseModes.Pass p = modes.db(dryRun);
            Duration next = schedule.next(p.items() > 0);
            if (p.items() > 0) {
                System.err.printf("facerec: %d media item(s) %s (%d face(s)), %d failed; checking again in %s%n",
                        p.items(), dryRun ? "would be detected" : "detected", p.facesFound(), p.failures().size(),
                        pretty(next));
            } else {
                System.err.printf("facerec: no unprocessed media items (check %d of %d); next check in %s%n",
                        schedule.emptyChecks(), idleChecks, pretty(next));
            }
            if (maxPasses == null || pass < maxPasses) {
                Thread.sleep(next.toMillis());
            }
        }
    }

    /**
     * --automate: --all every --interval (3 min); Persons having rows at the start switches on the origin's recluster
     * mode: a pass that found new faces is followed by a recluster.
     */
    private void automate(DatabaseModes modes) throws InterruptedException {
        boolean rc = modes.personsExist();
        System.err.println("facerec: Persons table entries found: " + rc + ". Setting recluster=" + rc);
        Duration every = interval != null ? interval : Duration.ofMinutes(3);
        for (int pass = 1; maxPasses == null || pass <= maxPasses; pass++) {
            DatabaseModes.Pass p = modes.all(dryRun, false);
            if (rc && p.didWork()) {
                var r = modes.recluster(dryRun);
                System.err.printf("facerec: recluster: %d moved, %d new person(s)%n", r.moved(), r.personsCreated());
            }
            System.err.printf("facerec: pass %d: %d media item(s) detected, %d face(s) embedded, %d failed; next pass "
                    + "in %s%n", pass, p.items(), p.embedded(), p.failures().size(), pretty(every));
            if (maxPasses == null || pass < maxPasses) {
                Thread.sleep(every.toMillis());
            }
        }
    }

    private static String pretty(Duration d) {
        return d.toSeconds() >= 60 && d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }

    static boolean isLoopback(String address) {
        try {
            return java.net.InetAddress.getByName(address).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private int runImages(Path thumbs) throws Exception {
        if (!Files.isDirectory(images)) {
            System.err.println("facerec: " + images + " is not a folder");
            return 2;
        }
        Path data = dataDir != null ? dataDir : Files.createTempDirectory("facerec-run");
        if (mediaRoot != null) {
            System.err.println("facerec: --images DIR is also the media root; --media-root is ignored");
        }
        Map<String, Object> props = new HashMap<>();
        props.put("facerec.thumbnails-dir", thumbs.toAbsolutePath().toString());
        props.put("facerec.models-dir", ModelStore.fromEnvironment().dir().toString());
        props.put("facerec.detector.score-threshold", score);
        props.put("facerec.detector.nms-threshold", nms);
        props.put("facerec.detector.close-up-retry", !noCloseUpRetry);
        props.put("server.address", bind);
        if (allowedHosts != null) {
            for (int i = 0; i < allowedHosts.size(); i++) {
                props.put("facerec.gallery.security.allowed-hosts[" + i + "]", allowedHosts.get(i));
            }
        }
        long t0 = System.nanoTime();
        try (EmbeddedPipeline pipeline = EmbeddedPipeline.start(data, images, props,
                s -> System.err.println("facerec: " + s), dataDir != null, port)) {
            System.err.printf("facerec: ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            ZeroSetupRun run = new ZeroSetupRun(pipeline, System.out, System.err);
            int n = run.importImages(images);
            System.err.printf("facerec: %d image(s) inserted into MediaItems; processing%n", n);
            boolean done = run.awaitCompletion(timeout, true);
            if (!done) {
                System.err.println("facerec: timed out after " + timeout + "; partial results follow");
            }
            System.err.printf("facerec: done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            run.printPersons(images, json);
            String url = pipeline.gallerySignInUrl();
            if (url != null && !isLoopback(bind)) {
                System.err.println("facerec: the gallery listens on " + bind + ": anyone on the network who gets this "
                        + "address gets in, and plain HTTP shows it to every hop in between; put it behind TLS (README, "
                        + "Security)");
            }
            if (serve && url != null) {
                System.err.println("facerec: gallery at " + url + " (Ctrl-C to stop)");
                Thread.currentThread().join();
            } else if (url != null) {
                System.err.println("facerec: gallery at " + url + " while this runs; add --serve to keep it open"
                        + (dataDir == null ? " (and --data-dir DIR to keep the database)" : ""));
            }
            return done ? 0 : 1;
        }
    }
}
