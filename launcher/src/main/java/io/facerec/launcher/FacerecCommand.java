package io.facerec.launcher;

import io.facerec.clusterer.cluster.IncrementalClustering;
import io.facerec.clusterer.cluster.PersonClustering;
import io.facerec.clusterer.config.ClustererProperties;
import io.facerec.common.FacerecVersion;
import io.facerec.common.config.OriginEnvironment;
import io.facerec.common.model.ModelStore;
import io.facerec.detector.config.DetectorProperties;
import io.facerec.detector.detect.DetectionSettings;
import io.facerec.detector.thumbnail.ThumbnailWriter;
import io.facerec.embedder.config.EmbedderProperties;
import io.facerec.gallery.security.PasswordHash;
import io.facerec.launcher.infra.EmbeddedDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code facerec} command line. One mode per run (picocli argument groups: naming two is a usage error), and one
 * exit-code policy for every mode: {@value #OK} everything was processed, {@value #ITEMS_FAILED} some items failed (or
 * the run ended before all were processed), {@value #USAGE} a usage error (wrong or conflicting options, a folder that
 * does not exist or holds no image, no database), {@value #CANNOT_RUN} facerec could not run (a database, broker or
 * model it cannot reach: one line on standard error, the details in the log).
 */
@Command(
        name = "facerec",
        mixinStandardHelpOptions = true,
        versionProvider = FacerecCommand.Version.class,
        sortOptions = false,
        usageHelpWidth = 110,
        description = {
            "Face recognition for media libraries: photos in a database become persons through change data capture,",
            "Kafka, RetinaFace detection, 512-d embeddings and clustering. One mode per run.",
            ""
        },
        exitCodeListHeading = "%nExit codes (every mode):%n",
        exitCodeList = {
            "0:everything was processed",
            "1:some items failed (each listed; a later pass tries them again), or the run ended before all were done",
            "2:usage: wrong or conflicting options, a folder that does not exist or holds no image, no database",
            "3:facerec could not run: a database, broker or model it cannot reach (see the message and the log)"
        },
        footer = {
            "",
            "Examples:",
            "  facerec --images ~/Pictures                zero-setup run: embedded PostgreSQL + Kafka, prints persons",
            "  facerec --test photo.jpg --json            detect faces in one photo, no database",
            "  facerec --all                              the origin's pipeline once, on SQL_CONNECTION_STRING's database"
        })
public class FacerecCommand implements Callable<Integer> {
    public static final int OK = 0;
    public static final int ITEMS_FAILED = 1;
    public static final int USAGE = 2;
    public static final int CANNOT_RUN = 3;

    /** The version the build wrote ({@code META-INF/build-info.properties}). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"facerec " + FacerecVersion.get()};
        }
    }

    /** The modes; a run has one. */
    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Modes modes;

    static final class Modes {
        @ArgGroup(exclusive = false, heading = "%nZero-setup run:%n", order = 1)
        ImagesMode images;

        @ArgGroup(exclusive = false, heading = "%nThe origin's test mode (no database):%n", order = 2)
        TestMode test;

        @ArgGroup(
                exclusive = false,
                heading = "%nDatabase modes, the origin's (--db, --recognize, --recluster, --all "
                        + "may be combined and run in that order; --watch and --automate run alone):%n",
                order = 3)
        DatabaseModeOptions database;

        @ArgGroup(exclusive = false, heading = "%nEvaluation on a labelled folder:%n", order = 4)
        EvaluateOptions evaluate;

        @ArgGroup(exclusive = false, heading = "%nGallery accounts:%n", order = 5)
        HashPasswordMode hashPassword;
    }

    static final class ImagesMode {
        @Option(
                names = "--images",
                paramLabel = "DIR",
                required = true,
                description = "Zero-setup run over the images and videos under DIR: embedded PostgreSQL, an in-process "
                        + "Kafka broker, Debezium capture and the three workers in this JVM; prints the persons.")
        Path dir;

        @Option(names = "--serve", description = "Keep serving the person gallery after the run (Ctrl-C stops).")
        boolean serve;

        @Option(
                names = "--port",
                paramLabel = "PORT",
                description = "Gallery port (default: ${DEFAULT-VALUE}; 0 = any " + "free port).")
        int port = 8080;

        @Option(
                names = "--bind",
                paramLabel = "ADDR",
                description = "Gallery address (default: ${DEFAULT-VALUE}, this "
                        + "machine only; 0.0.0.0 opens it to the network, where whoever has the printed address gets in: put it "
                        + "behind TLS, see the README, Security).")
        String bind = "127.0.0.1";

        @Option(
                names = "--allowed-host",
                paramLabel = "NAME",
                description =
                        "With --bind: a host name the gallery "
                                + "answers to besides localhost and the bind address (repeatable), e.g. this machine's name in your DNS.")
        List<String> allowedHosts;

        @Option(
                names = "--timeout",
                paramLabel = "DURATION",
                defaultValue = "30m",
                converter = DurationConverter.class,
                description = "Give up waiting after this long, e.g. 90s, 30m (default: ${DEFAULT-VALUE}).")
        Duration timeout;
    }

    static final class TestMode {
        @Option(
                names = "--test",
                paramLabel = "PATH",
                arity = "1..*",
                required = true,
                description = "Detect faces in these images or folders, no database; writes thumbnails.")
        List<Path> paths;
    }

    static final class HashPasswordMode {
        @Option(
                names = "--hash-password",
                required = true,
                description =
                        "Read a password (from the console, or one "
                                + "line of standard input) and print its bcrypt hash for facerec.gallery.security.users[n].password.")
        boolean hashPassword;
    }

    static final class DatabaseModeOptions {
        @Option(
                names = "--db",
                description =
                        "One detection pass over the database: every item not yet extracted (and "
                                + "failed items due for another attempt) is detected, thumbnails written. Works without CDC or Kafka.")
        boolean db;

        @Option(
                names = "--watch",
                description = "A detection pass every --interval (default 10s); after --idle-checks "
                        + "empty checks in a row it pauses --idle-pause (the origin's cadence), until stopped.")
        boolean watch;

        @Option(
                names = "--recognize",
                description = "Embed faces that have no embedding of the configured model (the "
                        + "origin's faces included), then cluster.")
        boolean recognize;

        @Option(
                names = "--recluster",
                description = "Rebuild persons from all embeddings (user truth kept, person ids "
                        + "stable); with --all, --recognize: after them.")
        boolean recluster;

        @Option(
                names = "--replay",
                description = "With --recluster: take the embeddings from a replay of the compacted "
                        + "embeddings topic (the broker in SPRING_KAFKA_BOOTSTRAP_SERVERS) instead of the database; faces whose "
                        + "stored embedding was lost get it back.")
        boolean replay;

        @Option(
                names = "--all",
                description = "Repair (re-detect items marked extracted without faces, recreate "
                        + "missing thumbnails), then detect, embed and cluster once.")
        boolean all;

        @Option(
                names = "--automate",
                description = "--all every --interval (default 3m) until stopped; when Persons "
                        + "has rows at the start, a pass that found new faces is followed by a recluster (the origin's "
                        + "recluster mode).")
        boolean automate;

        @Option(
                names = "--interval",
                paramLabel = "DURATION",
                description = "Pause between passes: --watch 10s, " + "--automate 3m by default, e.g. 30s, 3m.",
                converter = DurationConverter.class)
        Duration interval;

        @Option(
                names = "--idle-checks",
                paramLabel = "N",
                description = "--watch: empty checks in a row before the " + "idle pause (default: ${DEFAULT-VALUE}).")
        int idleChecks = WatchSchedule.ORIGIN_IDLE_CHECKS;

        @Option(
                names = "--idle-pause",
                paramLabel = "DURATION",
                converter = DurationConverter.class,
                defaultValue = "4m",
                description = "--watch: the pause after --idle-checks empty checks (default: " + "${DEFAULT-VALUE}).")
        Duration idlePause;

        @Option(
                names = "--max-passes",
                paramLabel = "N",
                hidden = true,
                description = "--watch/--automate: stop after N passes.")
        Integer maxPasses;

        @Option(
                names = "--migrate",
                description = "Apply facerec's migrations to the database and stop: an origin "
                        + "database gains facerec's columns; nothing the Python system wrote changes. Every other database mode "
                        + "does this too, except --dry-run.")
        boolean migrate;
    }

    static final class EvaluateOptions {
        @Option(
                names = "--evaluate",
                paramLabel = "DIR",
                required = true,
                description = "Detect, embed and cluster a folder of <person>/<images> (MANIFEST.tsv order when "
                        + "present) and score the persons against the folder names.")
        Path dir;

        @Option(names = "--labels-out", paramLabel = "FILE", description = "One predicted label per row (-1 = noise).")
        Path labelsOut;

        @Option(
                names = "--embeddings-out",
                paramLabel = "FILE",
                hidden = true,
                description = "Raw float32 embeddings, one row per manifest row (zeros = no face).")
        Path embeddingsOut;

        @Option(
                names = "--embeddings-in",
                paramLabel = "FILE",
                hidden = true,
                description = "Reuse embeddings written by --embeddings-out instead of detecting again.")
        Path embeddingsIn;

        @Option(names = "--sweep", hidden = true, description = "Also score a grid of clustering settings.")
        boolean sweep;

        @Option(
                names = "--stream-batch",
                paramLabel = "N",
                description = "Also run the streaming clusterer's decision "
                        + "code with batches of N faces; --labels-out then writes the stream's labels.")
        int streamBatch;

        @Option(
                names = "--match-threshold",
                paramLabel = "T",
                description = "Cosine similarity to join a known person " + "(default: the model's calibrated value).")
        Double matchThreshold;

        @Option(
                names = "--algorithm",
                paramLabel = "A",
                description = "Clustering: ${COMPLETION-CANDIDATES} (default: " + "${DEFAULT-VALUE}).")
        PersonClustering.Algorithm algorithm = PersonClustering.Algorithm.AVERAGE_LINKAGE;

        @Option(
                names = "--eps",
                paramLabel = "E",
                description = "Clustering radius in cosine distance (default: the "
                        + "model's calibrated value); with UMAP_DBSCAN a Euclidean radius in the 2-d UMAP embedding (default: "
                        + ClustererProperties.UMAP_EPS_TEXT + ").")
        Double eps;

        @Option(
                names = "--min-samples",
                paramLabel = "N",
                description = "Smallest person (default: the model's " + "calibrated value).")
        Integer minSamples;
    }

    // --- options of several modes

    @Option(
            names = "--dry-run",
            order = 10,
            description = "Write nothing; print the plan (what would be detected, "
                    + "embedded, assigned, created, what would fail). Alone: the whole pipeline once (as --all, with a "
                    + "recluster when Persons has rows); with a database mode: that mode; with --test: no thumbnails.")
    boolean dryRun;

    @Option(names = "--json", order = 10, description = "--images, --test: print the results as JSON.")
    boolean json;

    @Option(
            names = "--thumbnails",
            paramLabel = "DIR",
            order = 10,
            description = "Thumbnail folder (default: THUMBNAIL_SAVE_PATH, else ./Thumbnails).")
    Path thumbnails;

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            order = 10,
            description = "Where --images keeps its database, "
                    + "broker and capture offsets, for a later run or a database mode (default: a temporary folder, removed "
                    + "at exit).")
    Path dataDir;

    @Option(
            names = "--database",
            paramLabel = "JDBC_URL",
            order = 10,
            description = "Database of the database modes "
                    + "(default: SPRING_DATASOURCE_URL, else the origin's SQL_CONNECTION_STRING, else the embedded one in "
                    + "--data-dir).")
    String database;

    @Option(
            names = "--media-root",
            paramLabel = "DIR",
            order = 10,
            description =
                    "Database modes: the folder "
                            + "MediaFile.FilePath is relative to (default: FACEREC_MEDIAROOT, else the current folder; --images: DIR).")
    Path mediaRoot;

    @Option(
            names = "--progress",
            paramLabel = "WHEN",
            order = 10,
            description =
                    "Progress on standard error: "
                            + "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}: a bar on a terminal, a line every 10 s otherwise).")
    Progress.Mode progress = Progress.Mode.AUTO;

    @Option(
            names = "--score",
            paramLabel = "S",
            order = 20,
            description = "Detection score threshold (default: "
                    + "${DEFAULT-VALUE}, the origin's; the reference harness uses 0.75).")
    double score = 0.9;

    @Option(
            names = "--nms",
            paramLabel = "N",
            order = 20,
            description = "Detection NMS IoU threshold (default: " + "${DEFAULT-VALUE}).")
    double nms = 0.4;

    @Option(
            names = "--pad",
            paramLabel = "F",
            order = 20,
            description =
                    "Detection: black border per side, fraction " + "of the longer side (default: ${DEFAULT-VALUE}).")
    double pad = 0;

    @Option(
            names = "--no-close-up-retry",
            order = 20,
            description = "Detection: do not re-detect close-ups and empty " + "images on a padded image.")
    boolean noCloseUpRetry;

    /** Accepts 30s, 3m, 1h or ISO-8601 (PT3M). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String v) {
            String t = v.trim().toLowerCase(Locale.ROOT);
            if (t.startsWith("pt")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
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

    /** A usage error found after parsing: the message, exit code {@value #USAGE}. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with facerec's exit-code policy for errors (see the class comment). */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new FacerecCommand());
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof UsageException) {
                commandLine.getErr().println("facerec: " + e.getMessage());
                return USAGE;
            }
            LoggerFactory.getLogger(FacerecCommand.class).error("facerec could not run", e);
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            commandLine
                    .getErr()
                    .println("facerec: could not run: " + e.getMessage()
                            + (root != e
                                    ? " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")"
                                    : ""));
            return CANNOT_RUN;
        });
        return cli;
    }

    private boolean databaseMode() {
        return modes != null && modes.database != null || modes == null && dryRun;
    }

    @Override
    public Integer call() throws Exception {
        if (modes == null && !dryRun) {
            new CommandLine(this).usage(System.err);
            return USAGE;
        }
        if (dryRun && modes != null && (modes.images != null || modes.evaluate != null || modes.hashPassword != null)) {
            throw new UsageException("--dry-run goes with --test or a database mode");
        }
        if (modes != null && modes.hashPassword != null) {
            return PasswordHash.run(System.console(), System.in, System.out, System.err);
        }
        Path thumbs = thumbnails != null
                ? thumbnails
                : Path.of(OriginEnvironment.variables().getOrDefault("THUMBNAIL_SAVE_PATH", "Thumbnails"));
        if (modes != null && modes.test != null) {
            List<Path> inputs = testImages(modes.test.paths);
            DetectionSettings settings = new DetectionSettings(score, nms, 0, pad, false);
            ThumbnailWriter writer = new ThumbnailWriter(thumbs, 0.2, 112, 20);
            return new DetectionTestMode(ModelStore.fromEnvironment(), settings, dryRun ? writer.dryRun() : writer, 0)
                    .withProgress(progress)
                    .run(inputs, json, System.out, System.err);
        }
        if (databaseMode()) {
            return runDatabaseModes(modes == null ? new DatabaseModeOptions() : modes.database);
        }
        if (modes.images != null) {
            return runImages(modes.images, thumbs);
        }
        return evaluate(modes.evaluate);
    }

    /** The images of {@code --test}: every path must exist, and there must be at least one image. */
    static List<Path> testImages(List<Path> paths) throws IOException {
        List<Path> images = new ArrayList<>();
        for (Path in : paths) {
            if (Files.isDirectory(in)) {
                images.addAll(MediaImporter.scan(in));
            } else if (Files.exists(in)) {
                images.add(in);
            } else {
                throw new UsageException(in + " does not exist");
            }
        }
        if (images.isEmpty()) {
            throw new UsageException("no images found in "
                    + String.join(", ", paths.stream().map(Path::toString).toList()) + " (looked for "
                    + String.join(", ", new TreeSet<>(MediaImporter.IMAGE_EXTENSIONS))
                    + ")");
        }
        return images;
    }

    private int evaluate(EvaluateOptions e) throws IOException {
        if (!Files.isDirectory(e.dir)) {
            throw new UsageException(e.dir + " is not a folder");
        }
        if (e.embeddingsIn == null && MediaImporter.scan(e.dir).isEmpty()) {
            throw new UsageException("no images found in " + e.dir);
        }
        var t = ClustererProperties.FR_FEATURE;
        var defaults = new ClustererProperties(Map.of(), e.algorithm, ClustererProperties.UMAP_EPS, 1, 8, 16, 0);
        double match = e.matchThreshold != null ? e.matchThreshold : t.matchThreshold();
        int min = e.minSamples != null ? e.minSamples : t.minSamples();
        var settings = new PersonClustering.Settings(
                e.algorithm, match, e.eps != null ? e.eps : defaults.eps(t, true), min, t.singleFaceThreshold());
        double group = 1 - (e.eps != null ? e.eps : defaults.eps(t, false));
        var stream = new IncrementalClustering.Settings(
                match, group, min, group - 0.05, defaults.neighbours(), t.singleFaceThreshold(), 0);
        Map<String, Object> detection = Map.of(
                "facerec.detector.score-threshold",
                score,
                "facerec.detector.nms-threshold",
                nms,
                "facerec.detector.pad-fraction",
                pad,
                "facerec.detector.close-up-retry",
                !noCloseUpRetry);
        return new EvaluateMode(
                        ModelStore.fromEnvironment(),
                        EvaluateMode.settings("facerec.detector", DetectorProperties.class, detection),
                        EvaluateMode.settings("facerec.embedder", EmbedderProperties.class, Map.of()))
                .run(
                        e.dir,
                        settings,
                        stream,
                        e.labelsOut,
                        e.embeddingsOut,
                        e.sweep,
                        e.streamBatch,
                        e.embeddingsIn,
                        System.out,
                        System.err);
    }

    private int runDatabaseModes(DatabaseModeOptions m) throws Exception {
        if (m.replay && !m.recluster) {
            throw new UsageException("--replay goes with --recluster");
        }
        boolean oneShot = m.db || m.recognize || m.recluster || m.all;
        if (m.watch && m.automate || (m.watch || m.automate) && oneShot) {
            throw new UsageException("--watch and --automate run alone (not with each other, --db, --recognize, "
                    + "--recluster or --all)");
        }
        if (!(oneShot || m.watch || m.automate || m.migrate || dryRun)) {
            throw new UsageException("name a database mode: --db, --watch, --recognize, --recluster, --all, "
                    + "--automate, --migrate or --dry-run");
        }
        if ((m.interval != null || m.maxPasses != null) && !(m.watch || m.automate)) {
            throw new UsageException("--interval goes with --watch or --automate");
        }
        Map<String, Object> props = new HashMap<>();
        EmbeddedDatabase embedded = null;
        Map<String, String> origin = OriginEnvironment.variables();
        if (database != null) {
            props.put("spring.datasource.url", database);
        } else if (origin.get("SPRING_DATASOURCE_URL") == null && origin.get("SQL_CONNECTION_STRING") == null) {
            if (dataDir == null || !Files.isDirectory(dataDir.resolve("postgres"))) {
                throw new UsageException("the database modes need a database: --database JDBC_URL, "
                        + "SPRING_DATASOURCE_URL, SQL_CONNECTION_STRING (environment or .env), or --data-dir of an "
                        + "earlier --images run");
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
        boolean onlyDry = dryRun && !m.migrate;
        try (DatabaseModes modes =
                DatabaseModes.open(props, System.err, System.out, onlyDry).withProgress(progress)) {
            if (m.migrate) {
                System.err.println("facerec: database migrated (schema version " + modes.schemaVersion() + ")");
                if (!(oneShot || m.watch || m.automate || dryRun)) {
                    return OK;
                }
            }
            if (m.watch) {
                watch(modes, m);
            } else if (m.automate) {
                automate(modes, m);
            } else if (dryRun && !oneShot) {
                // the origin's --dry-run on its own: the whole pipeline once, recluster when persons exist
                boolean rc = modes.personsExist();
                System.err.println("facerec: dry run of the whole pipeline; Persons has rows: " + rc
                        + (rc ? " (with a recluster)" : ""));
                modes.all(true, rc);
            } else {
                once(modes, m);
            }
            if (!modes.failures().isEmpty()) {
                System.err.printf(
                        "facerec: %d media item(s) failed (see MediaItems.LastError; tried again on a later "
                                + "pass while attempts remain)%n",
                        modes.failures().size());
                return ITEMS_FAILED;
            }
            return OK;
        } catch (DatabaseModes.SchemaNotReadyException e) {
            System.err.println("facerec: " + e.getMessage());
            return USAGE;
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    /** The one-shot modes: --db, --recognize, --recluster, --all, in the origin's order. */
    private void once(DatabaseModes modes, DatabaseModeOptions m) {
        if (m.all) {
            DatabaseModes.Pass p = modes.all(dryRun, m.recluster && !m.replay);
            System.err.printf(
                    "facerec: %d media item(s) %s (%d face(s)), %d face(s) %s, %d failed%n",
                    p.items(),
                    dryRun ? "would be detected" : "detected",
                    p.facesFound(),
                    p.embedded(),
                    dryRun ? "would be embedded" : "embedded",
                    p.failures().size());
        } else {
            if (m.db) {
                DatabaseModes.Pass p = modes.db(dryRun);
                System.err.printf(
                        "facerec: %d media item(s) %s (%d face(s)), %d failed%n",
                        p.items(),
                        dryRun ? "would be detected" : "detected",
                        p.facesFound(),
                        p.failures().size());
            }
            if (m.recognize) {
                DatabaseModes.Pass p = modes.recognize(dryRun);
                System.err.printf("facerec: %d face(s) %s%n", p.embedded(), dryRun ? "would be embedded" : "embedded");
            }
        }
        if (m.recluster && (!m.all || m.replay)) {
            var r = m.replay ? modes.reclusterFromReplay(dryRun) : modes.recluster(dryRun);
            System.out.printf(
                    "%srecluster: %d faces (%d fixed by users), %d %s, %d unassigned; persons: %d kept, "
                            + "%d new, %d removed%n",
                    dryRun ? "dry run: " : "",
                    r.faces(),
                    r.fixed(),
                    r.moved(),
                    dryRun ? "would move" : "moved",
                    r.unassigned(),
                    r.personsKept(),
                    r.personsCreated(),
                    r.personsDeleted());
        }
    }

    /** --watch: the origin's continuous detection, every 10 s, pausing 4 min after 5 empty checks. */
    private void watch(DatabaseModes modes, DatabaseModeOptions m) throws InterruptedException {
        WatchSchedule schedule = new WatchSchedule(
                m.interval != null ? m.interval : WatchSchedule.ORIGIN_CHECK, m.idleChecks, m.idlePause);
        for (int pass = 1; m.maxPasses == null || pass <= m.maxPasses; pass++) {
            DatabaseModes.Pass p = modes.db(dryRun);
            Duration next = schedule.next(p.items() > 0);
            if (p.items() > 0) {
                System.err.printf(
                        "facerec: %d media item(s) %s (%d face(s)), %d failed; checking again in %s%n",
                        p.items(),
                        dryRun ? "would be detected" : "detected",
                        p.facesFound(),
                        p.failures().size(),
                        pretty(next));
            } else {
                System.err.printf(
                        "facerec: no unprocessed media items (check %d of %d); next check in %s%n",
                        schedule.emptyChecks(), m.idleChecks, pretty(next));
            }
            if (m.maxPasses == null || pass < m.maxPasses) {
                Thread.sleep(next.toMillis());
            }
        }
    }

    /**
     * --automate: --all every --interval (3 min); Persons having rows at the start switches on the origin's recluster
     * mode: a pass that found new faces is followed by a recluster.
     */
    private void automate(DatabaseModes modes, DatabaseModeOptions m) throws InterruptedException {
        boolean rc = modes.personsExist();
        System.err.println("facerec: Persons table entries found: " + rc + ". Setting recluster=" + rc);
        Duration every = m.interval != null ? m.interval : Duration.ofMinutes(3);
        for (int pass = 1; m.maxPasses == null || pass <= m.maxPasses; pass++) {
            DatabaseModes.Pass p = modes.all(dryRun, false);
            if (rc && p.didWork()) {
                var r = modes.recluster(dryRun);
                System.err.printf("facerec: recluster: %d moved, %d new person(s)%n", r.moved(), r.personsCreated());
            }
            System.err.printf(
                    "facerec: pass %d: %d media item(s) detected, %d face(s) embedded, %d failed; next pass "
                            + "in %s%n",
                    pass, p.items(), p.embedded(), p.failures().size(), pretty(every));
            if (m.maxPasses == null || pass < m.maxPasses) {
                Thread.sleep(every.toMillis());
            }
        }
    }

    private static String pretty(Duration d) {
        return d.toSeconds() >= 60 && d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }

    static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private int runImages(ImagesMode m, Path thumbs) throws Exception {
        if (!Files.isDirectory(m.dir)) {
            throw new UsageException(m.dir + " is not a folder");
        }
        List<Path> media = MediaImporter.scanMedia(m.dir); // before anything starts: an empty folder is told at once
        if (media.isEmpty()) {
            throw new UsageException("no images found in " + m.dir + " (looked for "
                    + String.join(", ", new TreeSet<>(MediaImporter.IMAGE_EXTENSIONS)) + " and videos)");
        }
        if (mediaRoot != null) {
            System.err.println("facerec: --images DIR is also the media root; --media-root is ignored");
        }
        Path temporary = dataDir == null ? Files.createTempDirectory("facerec-run") : null;
        Path data = dataDir != null ? dataDir : temporary;
        Map<String, Object> props = new HashMap<>();
        props.put("facerec.thumbnails-dir", thumbs.toAbsolutePath().toString());
        props.put("facerec.models-dir", ModelStore.fromEnvironment().dir().toString());
        props.put("facerec.detector.score-threshold", score);
        props.put("facerec.detector.nms-threshold", nms);
        props.put("facerec.detector.close-up-retry", !noCloseUpRetry);
        props.put("server.address", m.bind);
        if (m.allowedHosts != null) {
            for (int i = 0; i < m.allowedHosts.size(); i++) {
                props.put("facerec.gallery.security.allowed-hosts[" + i + "]", m.allowedHosts.get(i));
            }
        }
        long t0 = System.nanoTime();
        EmbeddedPipeline pipeline = null;
        // Ctrl-C (and --serve's end) stops the pipeline and removes the temporary database and broker folder too
        Thread cleanup = new Thread(() -> {}, "facerec-cleanup");
        try {
            pipeline = EmbeddedPipeline.start(
                    data, m.dir, props, s -> System.err.println("facerec: " + s), dataDir != null, m.port);
            EmbeddedPipeline started = pipeline;
            cleanup = new Thread(
                    () -> {
                        started.close();
                        deleteTree(temporary);
                    },
                    "facerec-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);
            System.err.printf("facerec: ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            ZeroSetupRun run = new ZeroSetupRun(pipeline, System.out, System.err);
            int n = run.importFiles(media);
            System.err.printf("facerec: %d image(s) inserted into MediaItems; processing%n", n);
            boolean done = run.awaitCompletion(m.timeout, progress);
            if (!done) {
                System.err.println("facerec: timed out after " + m.timeout + "; partial results follow");
            }
            System.err.printf("facerec: done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            run.printPersons(m.dir, json);
            int failed = pipeline.queries().failures().size();
            String url = pipeline.gallerySignInUrl();
            if (url != null && !isLoopback(m.bind)) {
                System.err.println(
                        "facerec: the gallery listens on " + m.bind + ": anyone on the network who gets this "
                                + "address gets in, and plain HTTP shows it to every hop in between; put it behind TLS (README, "
                                + "Security)");
            }
            if (m.serve && url != null) {
                System.err.println("facerec: gallery at " + url + " (Ctrl-C to stop)");
                Thread.currentThread().join();
            } else if (url != null) {
                System.err.println("facerec: gallery at " + url + " while this runs; add --serve to keep it open"
                        + (dataDir == null ? " (and --data-dir DIR to keep the database)" : ""));
            }
            if (failed > 0) {
                System.err.printf("facerec: %d file(s) failed (listed above)%n", failed);
            }
            return done && failed == 0 ? OK : ITEMS_FAILED;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // shutting down already (the hook runs), or never registered
            }
            if (pipeline != null) {
                pipeline.close();
            }
            deleteTree(temporary);
        }
    }

    /** Removes a folder this run made (the temporary database and broker); nothing when null. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("facerec: could not remove the temporary folder " + dir + ": " + e.getMessage());
        }
    }
}
