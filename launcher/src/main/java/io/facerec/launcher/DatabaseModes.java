package io.facerec.launcher;

import io.facerec.clusterer.ClustererStage;
import io.facerec.clusterer.cluster.ClusterFacesHandler;
import io.facerec.clusterer.cluster.ReclusterHandler;
import io.facerec.clusterer.replay.EmbeddingsReplay;
import io.facerec.common.config.FacerecProperties;
import io.facerec.common.config.OriginEnvironment;
import io.facerec.common.config.OriginProperties;
import io.facerec.common.error.PermanentProcessingException;
import io.facerec.common.event.FacesDetected;
import io.facerec.common.event.MediaItemCaptured;
import io.facerec.common.id.MediaItemId;
import io.facerec.common.image.DecodedImage;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.image.VideoFrames;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.messaging.EventSink;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.common.persistence.PersonRepository;
import io.facerec.common.persistence.PipelineStore;
import io.facerec.common.portrait.Portraits;
import io.facerec.detector.DetectorStage;
import io.facerec.detector.DetectorStage.Output;
import io.facerec.detector.detect.DetectFacesHandler;
import io.facerec.detector.thumbnail.ThumbnailWriter;
import io.facerec.embedder.EmbedderStage;
import io.facerec.embedder.config.EmbedderProperties;
import io.facerec.embedder.embed.EmbedFacesHandler;
import io.facerec.embedder.embed.EmbeddingModelSpec;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.bytedeco.opencv.opencv_core.Rect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The origin's database modes, without change data capture or a broker: the same handlers the workers run, called
 * in-process one after the other against the configured database.
 * <ul>
 *   <li>{@link #db}: a detection pass over the items not yet extracted (and failed ones due for another attempt),
 *       as the origin's {@code --db} and each check of its {@code --watch};</li>
 *   <li>{@link #recognize}: the origin's embeddings adopted when they are the configured model's, the faces the
 *       origin stored completed (landmarks) and every face without an embedding of the configured model embedded,
 *       then clustering and portraits;</li>
 *   <li>{@link #recluster}: persons rebuilt with stable ids;</li>
 *   <li>{@link #all}: repair, detection (each item embedded at once), {@link #recognize}, and a recluster when asked.</li>
 * </ul>
 * With {@code dryRun} every mode does its whole work inside one transaction that is rolled back, writing no file
 * (thumbnails, crops, portraits), and prints the plan: what would be detected, completed, embedded, assigned, created
 * and what would fail. (Identity values the rolled-back inserts took are not given back, so ids may later skip numbers.)
 */
public final class DatabaseModes implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatabaseModes.class);

    private final ConfigurableApplicationContext ctx;
    private final PrintStream err;
    private final PrintStream out;
    /** Faces embedded inline (by {@code --all}'s detection) since the last clustering. */
    private final AtomicInteger embedded = new AtomicInteger();

    private final Handlers live;

    /** The handlers of one kind of run: live, or dry (no files written, its own clusterer index). */
    private record Handlers(
            DetectFacesHandler detectAndEmbed,
            DetectFacesHandler detectOnly,
            EmbedFacesHandler embed,
            ClusterFacesHandler cluster,
            ReclusterHandler recluster,
            ThumbnailWriter thumbnails,
            Portraits portraits) {}

    /**
     * What a pass did (or, in a dry run, would do).
     *
     * @param items media items detected (or tried)
     * @param facesFound faces those items have now
     * @param embedded faces embedded
     * @param failures the media items that failed in this pass, one line each (kind, message, attempts)
     */
    public record Pass(int items, int facesFound, int embedded, List<String> failures) {
        Pass plus(Pass o) {
            List<String> f = new ArrayList<>(failures);
            f.addAll(o.failures);
            return new Pass(items + o.items, facesFound + o.facesFound, embedded + o.embedded, f);
        }

        Pass withFailures(List<String> f) {
            return new Pass(items, facesFound, embedded, f);
        }

        /** Whether the pass found anything to do. */
        public boolean didWork() {
            return items > 0 || embedded > 0;
        }
    }

    private final List<String> failures = new ArrayList<>();
    private Progress.Mode progress = Progress.Mode.AUTO;

    /** How the detection and embedding passes show their progress on standard error ({@code --progress}). */
    public DatabaseModes withProgress(Progress.Mode mode) {
        this.progress = mode;
        return this;
    }

    /** Every media item that failed in a mode run since this was opened (or last cleared), one line each. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    private DatabaseModes(ConfigurableApplicationContext ctx, PrintStream err, PrintStream out) {
        this.ctx = ctx;
        this.err = err;
        this.out = out;
        this.live = handlers(false);
    }

    /** The handlers, from the stages' composition roots; a dry run's write no files and have their own clusterer. */
    private Handlers handlers(boolean dry) {
        DeadLetterPublisher noBroker = new DeadLetterPublisher(EventSink.NONE, null);
        PipelineStore store = bean(PipelineStore.class);
        MediaPathResolver paths = bean(MediaPathResolver.class);
        DetectorStage detector = bean(DetectorStage.class);
        Path crops = bean(FacerecProperties.class).faceCropsDir();
        Portraits portraits = dry ? bean(Portraits.class).dryRun() : bean(Portraits.class);
        EmbedFacesHandler embed = bean(EmbedderStage.class)
                .handler(store, dry ? null : crops, events -> embedded.addAndGet(events.size()), noBroker);
        DetectFacesHandler detectAndEmbed = detector.handler(
                store,
                paths,
                dry ? Output.NOTHING : Output.ALL,
                events -> embed.handle(
                        events.stream().map(FacesDetected.class::cast).toList()),
                noBroker);
        DetectFacesHandler detectOnly =
                detector.handler(store, paths, dry ? Output.NOTHING : Output.NO_CROPS, EventSink.NONE, noBroker);
        ThumbnailWriter thumbs = dry ? detector.thumbnails().dryRun() : detector.thumbnails();
        ClustererStage clusterer = bean(ClustererStage.class);
        return new Handlers(
                detectAndEmbed,
                detectOnly,
                embed,
                dry ? clusterer.clusterer(portraits) : bean(ClusterFacesHandler.class),
                dry ? clusterer.reclusterer(portraits) : bean(ReclusterHandler.class),
                thumbs,
                portraits);
    }

    /**
     * Starts the workers' beans with capture and Kafka listeners off; Flyway adopts an origin database on the way.
     *
     * @param props explicit properties (they win over everything); the origin's variables (environment and
     *     {@code .env}) are defaults
     */
    public static DatabaseModes open(Map<String, Object> props, PrintStream err) {
        return open(props, err, System.out);
    }

    /** @param out where dry-run plans are printed */
    public static DatabaseModes open(Map<String, Object> props, PrintStream err, PrintStream out) {
        return open(props, err, out, false);
    }

    /**
     * @param dryRun the whole run is a dry run: the schema is not migrated either; a database that still needs
     *     facerec's migrations is refused ({@link SchemaNotReadyException})
     */
    public static DatabaseModes open(Map<String, Object> props, PrintStream err, PrintStream out, boolean dryRun) {
        Map<String, Object> p = new HashMap<>();
        p.put("facerec.capture.enabled", "false");
        p.put("spring.kafka.listener.auto-startup", "false");
        p.put("spring.kafka.admin.auto-create", "false");
        p.putAll(props);
        SpringApplicationBuilder app = new SpringApplicationBuilder(FacerecApplication.class)
                .web(WebApplicationType.NONE)
                .logStartupInfo(false)
                .properties(OriginEnvironment.defaults())
                // a mode's clustering is a pass or a recluster (large products), not a stream: every core to OpenBLAS
                .properties(Map.of("facerec.clusterer.blas-threads", "0"));
        if (dryRun) {
            app.initializers(c -> c.getBeanFactory().registerSingleton("dryRunMigrations", (FlywayMigrationStrategy)
                    flyway -> {
                        var pending = flyway.info().pending();
                        if (pending.length > 0) {
                            throw new SchemaNotReadyException(Arrays.stream(pending)
                                    .map(m -> m.getVersion() == null ? m.getDescription() : "V" + m.getVersion())
                                    .toList());
                        }
                    }));
        }
        ConfigurableApplicationContext ctx;
        try {
            ctx = app.run(EmbeddedPipeline.toArgs(p));
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SchemaNotReadyException s) {
                    throw s;
                }
            }
            throw e;
        }
        return new DatabaseModes(ctx, err, out);
    }

    /** A dry run met a database that facerec's migrations have not adopted yet (a dry run changes no schema). */
    public static final class SchemaNotReadyException extends RuntimeException {
        SchemaNotReadyException(List<String> pending) {
            super("the database needs facerec's migrations first (" + String.join(", ", pending) + "), and a dry run "
                    + "changes nothing: run facerec --migrate (it adds facerec's columns and changes no value the "
                    + "Python system wrote, see README \"Moving from the Python system\"), then the dry run again");
        }
    }

    /** The schema version after the migrations (what {@code --migrate} reports). */
    public String schemaVersion() {
        List<String> v = bean(JdbcTemplate.class)
                .queryForList(
                        "SELECT version FROM flyway_schema_history WHERE success = ? "
                                + "AND version IS NOT NULL ORDER BY installed_rank DESC",
                        String.class,
                        true);
        return v.isEmpty() ? "none" : v.get(0);
    }

    private <T> T bean(Class<T> type) {
        return ctx.getBean(type);
    }

    /** Whether {@code Persons} has rows (the origin's {@code should_recluster}). */
    public boolean personsExist() {
        return !bean(PersonRepository.class).findAll().isEmpty();
    }

    /**
     * {@code --db}, and each check of {@code --watch}: detects every item not yet extracted, and every failed item due
     * for another attempt (see {@code facerec.retry.*}). Detection only, as the origin's.
     */
    public Pass db(boolean dryRun) {
        return run(dryRun, "detect", h -> detect(h.detectOnly()));
    }

    private Pass detect(DetectFacesHandler handler) {
        MediaItemRepository items = bean(MediaItemRepository.class);
        List<MediaItemRepository.MediaItem> pending = items.findToDetect(Instant.now(), Integer.MAX_VALUE);
        int batch = bean(DetectorStage.class).properties().batchSize();
        int faces = 0;
        try (Progress bar = Progress.start("detect", pending.size(), progress, err)) {
            for (int from = 0; from < pending.size(); from += batch) {
                List<MediaItemCaptured> events = pending.subList(from, Math.min(pending.size(), from + batch)).stream()
                        .map(i -> MediaItemCaptured.of(
                                i.id().value(), i.mediaFileId().value(), "poll"))
                        .toList();
                faces += handler.handle(events).faces();
                bar.update(from + events.size(), pending.size(), faces + " face(s)");
            }
        }
        return new Pass(pending.size(), faces, 0, List.of());
    }

    private String failure(MediaItemId id) {
        var item = bean(MediaItemRepository.class).find(id).orElseThrow();
        int max = bean(MediaItemRepository.class).retryPolicy().maxAttempts();
        return "media item " + id + " (" + filePath(id) + "): " + item.errorKind() + ": " + item.lastError()
                + " (attempt "
                + item.attempts() + " of " + max
                + (item.attempts() < max ? ", tried again from " + item.nextAttemptAt() : ", not tried again") + ")";
    }

    /**
     * {@code --recognize}: declares the origin's embeddings the configured model's when {@code facerec.origin
     * .embedding-model} says so, completes the faces the origin stored (landmarks, by detecting their photo again),
     * embeds every face without an embedding of the configured model, then clusters.
     */
    public Pass recognize(boolean dryRun) {
        return run(dryRun, "recognize", this::recognize);
    }

    private Pass recognize(Handlers h) {
        adoptOriginEmbeddings();
        FaceRepository faces = bean(FaceRepository.class);
        MediaItemRepository items = bean(MediaItemRepository.class);
        Map<MediaItemId, List<FaceRepository.Face>> byItem = new LinkedHashMap<>();
        for (FaceRepository.Face f : faces.findWithoutEmbedding(items, Instant.now())) {
            byItem.computeIfAbsent(f.mediaItemId(), k -> new ArrayList<>()).add(f);
        }
        Progress bar = Progress.start("embed", byItem.size(), progress, err);
        int batch = bean(EmbedderProperties.class).batchSize();
        int n = 0;
        int done = 0;
        List<FacesDetected> events = new ArrayList<>();
        for (var e : byItem.entrySet()) {
            MediaItemId item = e.getKey();
            List<FaceRepository.Face> missing = e.getValue();
            boolean ok = true;
            if (missing.stream().anyMatch(f -> !f.hasLandmarks())) {
                try {
                    h.detectOnly().completeOriginFaces(item);
                    missing = faces.findByMediaItem(item).stream()
                            .filter(f -> !f.embedded())
                            .toList();
                } catch (PermanentProcessingException ex) {
                    items.markFailed(item, ex.errorKind(), "completing the origin's faces: " + ex.getMessage());
                    log.warn("media item {}: cannot complete the origin's faces: {}", item, ex.getMessage());
                    ok = false;
                }
            }
            if (ok) {
                List<FacesDetected.Face> list = new ArrayList<>();
                for (FaceRepository.Face f : missing) {
                    if (f.hasLandmarks() && f.box() != null) {
                        list.add(new FacesDetected.Face(
                                f.id().value(),
                                f.frameNumber(),
                                f.faceIndex(),
                                f.score(),
                                f.box().toArray(),
                                f.landmarks().points()));
                    }
                }
                events.add(FacesDetected.of(item.value(), filePath(item), list));
            } else {
                bar.update(++done, byItem.size(), n + " face(s)");
            }
            if (events.size() >= batch) {
                n += h.embed().handle(events).faces();
                done += events.size();
                bar.update(done, byItem.size(), n + " face(s)");
                events.clear();
            }
        }
        n += h.embed().handle(events).faces();
        done += events.size();
        bar.update(done, byItem.size(), n + " face(s)");
        bar.close();
        cluster(h);
        return new Pass(0, 0, n, List.of());
    }

    /**
     * The origin's embeddings ({@code EmbeddingModel} NULL) become the configured model's when the origin's model is
     * declared to be it ({@code facerec.origin.embedding-model}); otherwise they stay undeclared and are embedded
     * again (the old bytes are kept in {@code OriginEmbedding}).
     */
    void adoptOriginEmbeddings() {
        String declared = bean(OriginProperties.class).embeddingModel();
        EmbeddingModelSpec spec = bean(EmbeddingModelSpec.class);
        if (declared.isBlank() || !declared.equals(spec.id())) {
            return;
        }
        var r = bean(FaceRepository.class).adoptOriginEmbeddings(spec.id(), spec.dimension());
        if (r.adopted() + r.otherDimension() + r.unreadable() > 0) {
            log.info(
                    "origin embeddings declared {}: {} adopted, {} of another dimension and {} unreadable (embedded "
                            + "again)",
                    spec.id(),
                    r.adopted(),
                    r.otherDimension(),
                    r.unreadable());
            err.printf("facerec: %d origin embedding(s) taken as %s", r.adopted(), spec.id());
            err.println(
                    r.otherDimension() + r.unreadable() > 0
                            ? String.format(
                                    "; %d of another length and %d unreadable will be embedded again",
                                    r.otherDimension(), r.unreadable())
                            : "");
        }
    }

    /** Clusters everything embedded since the last run (the configured model). */
    public void cluster() {
        cluster(live);
    }

    private void cluster(Handlers h) {
        embedded.set(0);
        h.cluster().start(bean(EmbeddingModelSpec.class).id());
    }

    /** {@code --recluster --replay}: embeddings from a replay of the compacted embeddings topic. */
    public ReclusterHandler.Result reclusterFromReplay(boolean dryRun) {
        String model = bean(EmbeddingModelSpec.class).id();
        var replayed = bean(EmbeddingsReplay.class).readAll();
        return bean(ReclusterHandler.class).reclusterFromReplay(model, replayed.embeddings(model), dryRun);
    }

    /** {@code --recluster}. */
    public ReclusterHandler.Result recluster(boolean dryRun) {
        return run(
                dryRun,
                "recluster",
                h -> h.recluster().recluster(bean(EmbeddingModelSpec.class).id(), false));
    }

    /**
     * The origin's repair step of {@code --all}: items marked extracted without any face row are detected again;
     * missing thumbnails are recreated (under the face's {@code Name}, the origin's name for it). @return {items reset,
     * thumbnails recreated}
     */
    public int[] repair(boolean dryRun) {
        return run(dryRun, "repair", this::repair);
    }

    private int[] repair(Handlers h) {
        MediaItemRepository items = bean(MediaItemRepository.class);
        List<MediaItemRepository.MediaItem> broken = items.findExtractedWithoutFaces();
        FaceRepository faces = bean(FaceRepository.class);
        ThumbnailWriter writer = h.thumbnails();
        List<Path> originDirs = originThumbnailDirs();
        List<FaceRepository.Face> noThumb = new ArrayList<>();
        for (FaceRepository.Face f : faces.findAll()) {
            if (f.thumbnailPath() != null && Files.exists(Path.of(f.thumbnailPath()))) {
                continue;
            }
            Path existing = existingThumbnail(f, originDirs);
            if (existing != null) {
                faces.setThumbnail(f.id(), existing.toString(), Instant.now()); // the origin's file: only linked
            } else if (f.box() != null) {
                noThumb.add(f);
            }
        }
        for (MediaItemRepository.MediaItem i : broken) {
            log.info("repair: media item {} is marked extracted but has no faces; detecting again", i.id());
            items.resetExtraction(i.id());
        }
        int made = 0;
        MediaPathResolver paths = bean(MediaPathResolver.class);
        ImageLoader loader = bean(ImageLoader.class);
        Map<MediaItemId, List<FaceRepository.Face>> byItem = new LinkedHashMap<>();
        noThumb.forEach(f ->
                byItem.computeIfAbsent(f.mediaItemId(), k -> new ArrayList<>()).add(f));
        for (var e : byItem.entrySet()) {
            String rel = filePath(e.getKey());
            try {
                if (VideoFrames.isVideo(rel)) {
                    Map<Integer, List<FaceRepository.Face>> byFrame = new TreeMap<>();
                    e.getValue()
                            .forEach(f -> byFrame.computeIfAbsent(f.frameNumber(), k -> new ArrayList<>())
                                    .add(f));
                    int[] count = {0};
                    loader.videoFrames()
                            .frames(paths.resolve(rel), new TreeSet<>(byFrame.keySet()), (frame, seconds, img) -> {
                                for (FaceRepository.Face f : byFrame.get(frame)) {
                                    count[0] += thumbnail(writer, faces, img, f, rel);
                                }
                                return true;
                            });
                    made += count[0];
                } else {
                    try (DecodedImage img = loader.load(paths.resolve(rel))) {
                        for (FaceRepository.Face f : e.getValue()) {
                            made += thumbnail(writer, faces, img, f, rel);
                        }
                    }
                }
            } catch (RuntimeException ex) {
                log.warn("repair: cannot recreate thumbnails of media item {}: {}", e.getKey(), ex.getMessage());
            }
        }
        err.printf("repair: %d item(s) to detect again, %d thumbnail(s) recreated%n", broken.size(), made);
        return new int[] {broken.size(), made};
    }

    /** Where the origin's thumbnails of earlier faces are: the thumbnails directory, then ROOT_PATH/Thumbnails. */
    private List<Path> originThumbnailDirs() {
        List<Path> dirs = new ArrayList<>();
        dirs.add(bean(FacerecProperties.class).thumbnailsDir());
        String root = bean(OriginProperties.class).rootPath();
        if (!root.isBlank()) {
            dirs.add(Path.of(root).resolve("Thumbnails"));
        }
        return dirs;
    }

    /** A face's thumbnail the origin wrote under its {@code Name} (a plain file name), or null. */
    private static Path existingThumbnail(FaceRepository.Face f, List<Path> dirs) {
        String name = f.name();
        if (name == null || name.isBlank() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            return null;
        }
        for (Path d : dirs) {
            Path p = d.resolve(name);
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Writes a missing thumbnail: from the detector's box by the origin's crop rule; for a face the origin stored
     * (only its crop box is known), that box itself. Named by {@code Faces.Name}, else as the origin's
     * {@code check_thumbnails} named it ({@code <image>_TN<face id>.jpg}).
     */
    private static int thumbnail(
            ThumbnailWriter writer, FaceRepository faces, DecodedImage img, FaceRepository.Face f, String filePath) {
        String name = f.name() != null
                        && !f.name().isBlank()
                        && !f.name().contains("/")
                        && !f.name().contains("\\")
                ? f.name()
                : ThumbnailWriter.baseName(filePath) + "_TN" + f.id().value() + ".jpg";
        Rect r;
        if (f.fromDetector()) {
            r = writer.cropRect(f.box(), img.width(), img.height());
        } else {
            int x1 = (int) Math.max(0, f.box().x1());
            int y1 = (int) Math.max(0, f.box().y1());
            int x2 = (int) Math.min(img.width(), f.box().x2());
            int y2 = (int) Math.min(img.height(), f.box().y2());
            r = x2 > x1 && y2 > y1 ? new Rect(x1, y1, x2 - x1, y2 - y1) : null;
        }
        try (r) {
            Path t = writer.write(img, r, name);
            if (t == null) {
                return 0;
            }
            faces.setThumbnail(f.id(), t.toString(), Instant.now());
            return 1;
        }
    }

    /**
     * {@code --all}: repair, detect what is pending (each item embedded at once), embed what is missing (the origin's
     * faces included), cluster; then, when asked, a recluster (the origin's {@code --all --recluster}).
     */
    public Pass all(boolean dryRun, boolean recluster) {
        return run(dryRun, "all", h -> {
            repair(h);
            Pass detected = detect(h.detectAndEmbed());
            int inline = embedded.get();
            Pass recognized = recognize(h);
            if (recluster) {
                ReclusterHandler.Result r =
                        h.recluster().recluster(bean(EmbeddingModelSpec.class).id(), false);
                err.printf(
                        "recluster: %d faces, %d moved, %d unassigned; persons: %d kept, %d new, %d removed%n",
                        r.faces(), r.moved(), r.unassigned(), r.personsKept(), r.personsCreated(), r.personsDeleted());
            }
            return detected.plus(recognized).plus(new Pass(0, 0, inline, List.of()));
        });
    }

    /** {@code --all} without a recluster. */
    public void all(boolean dryRun) {
        all(dryRun, false);
    }

    /**
     * Runs a mode live, or as a dry run: in one transaction that is rolled back, with handlers that write no files,
     * printing the plan (the difference between the database before and after the work) to {@code out}.
     */
    private <T> T run(boolean dryRun, String what, Function<Handlers, T> work) {
        JdbcTemplate jdbc = bean(JdbcTemplate.class);
        if (!dryRun) {
            Map<Long, Integer> before = failedAttempts(jdbc);
            T result = work.apply(live);
            List<String> failed = recordFailures(before, failedAttempts(jdbc));
            @SuppressWarnings("unchecked")
            T withFailures = result instanceof Pass p ? (T) p.withFailures(failed) : result;
            return withFailures;
        }
        Handlers dry = handlers(true);
        TransactionTemplate tx = new TransactionTemplate(bean(PlatformTransactionManager.class));
        MDC.put("dryRun", "[dry run] ");
        try {
            return tx.execute(s -> {
                DryRunPlan.Snapshot before = DryRunPlan.Snapshot.take(jdbc);
                T result = work.apply(dry);
                DryRunPlan.Snapshot after = DryRunPlan.Snapshot.take(jdbc);
                s.setRollbackOnly();
                DryRunPlan.print(
                        what,
                        before,
                        after,
                        bean(MediaItemRepository.class).retryPolicy().maxAttempts(),
                        out);
                return result;
            });
        } finally {
            MDC.remove("dryRun");
            embedded.set(0);
        }
    }

    /** Failed items and how often they failed. */
    private static Map<Long, Integer> failedAttempts(JdbcTemplate jdbc) {
        Map<Long, Integer> m = new HashMap<>();
        jdbc.query("SELECT \"Id\", \"Attempts\" FROM \"MediaItems\" WHERE \"Status\" = 'FAILED'", rs -> {
            m.put(rs.getLong(1), rs.getInt(2));
        });
        return m;
    }

    /** The items that failed (again) between two readings. */
    private List<String> recordFailures(Map<Long, Integer> before, Map<Long, Integer> after) {
        List<String> now = new ArrayList<>();
        for (Map.Entry<Long, Integer> e : new TreeMap<>(after).entrySet()) {
            if (e.getValue() > before.getOrDefault(e.getKey(), 0)) {
                String line = failure(MediaItemId.of(e.getKey()));
                now.add(line);
                err.println("facerec: failed: " + line);
            }
        }
        failures.addAll(now);
        return now;
    }

    private String filePath(MediaItemId item) {
        var i = bean(MediaItemRepository.class).find(item).orElseThrow();
        return bean(MediaFileRepository.class)
                .find(i.mediaFileId())
                .orElseThrow()
                .filePath();
    }

    public ConfigurableApplicationContext context() {
        return ctx;
    }

    @Override
    public void close() {
        ctx.close();
    }
}
