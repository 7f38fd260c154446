package io.facerec.bench;

import io.facerec.common.config.FacerecProperties;
import io.facerec.common.event.FacesDetected;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.id.MediaFileId;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.model.ModelStore;
import io.facerec.common.persistence.FaceRepository.NewFace;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.detector.DetectorStage;
import io.facerec.detector.config.DetectorProperties;
import io.facerec.detector.detect.MediaDetection;
import io.facerec.embedder.EmbedderStage;
import io.facerec.embedder.config.EmbedderProperties;
import io.facerec.embedder.embed.FaceEmbedding;
import io.facerec.launcher.EmbeddedPipeline;
import io.facerec.launcher.EvaluateMode;
import io.facerec.launcher.MediaImporter;
import io.facerec.launcher.ZeroSetupRun;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

/**
 * The whole pipeline against its stages, in one run on the same machine:
 * <ol>
 *   <li><b>stages alone</b>: the detector stage's own code ({@link MediaDetection} through {@link DetectorStage}: decode,
 *       detect, thumbnails and face crops written, the items spread over the stage's workers) on the photos of the
 *       {@code N} items, then the embedder stage's own code ({@link FaceEmbedding} through {@link EmbedderStage}: the
 *       faces read back from their crops, aligned, embedded, on its workers) on the faces found; no database, no
 *       broker. From their rates, the <i>stage limit</i>: what the same cores reach running only the two stages back to
 *       back, {@code 1 / (1 / detector + faces per item / embedder)} items/s;</li>
 *   <li><b>the whole chain</b>: the zero-setup stack in this JVM (embedded PostgreSQL, Debezium capture, the Kafka
 *       broker, detector, embedder and clusterer workers with their default settings), a short warm-up, then {@code N}
 *       {@code MediaItems} rows inserted in one transaction, timed from the commit until every item is extracted and
 *       every face has a person or was left unassigned by the clusterer (INSERT → {@code PersonId});</li>
 *   <li>the stages alone once more (the machine is shared: the stage limit is the mean of both measurements).</li>
 * </ol>
 * The last line is one JSON object:
 * {@code {"items":N,"faces":F,"pipeline_items_per_s":…,"stage_limit_items_per_s":…,"ratio":…}}.
 *
 * <pre>bench/pipeline.sh DIR N</pre>
 */
public final class PipelineThroughputBench {
    private static final int WARMUP_ITEMS = 12;

    private PipelineThroughputBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: PipelineThroughputBench DIR [N]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]).toAbsolutePath().normalize();
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        List<Path> all = MediaImporter.scan(dir);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no photos under " + dir);
        }
        List<Path> items =
                IntStream.range(0, n).mapToObj(i -> all.get(i % all.size())).toList();
        PrintStream out = System.out;
        out.printf(
                Locale.ROOT,
                "pipeline throughput: %d items (%d distinct photos of %s), %d cores, load average %s%n",
                n,
                Math.min(n, all.size()),
                dir.getFileName(),
                Runtime.getRuntime().availableProcessors(),
                Load.now());

        Stages before = stagesAlone(dir, items, out);
        double pipeline = chain(dir, all, n, out);
        Stages after = stagesAlone(dir, items, out);

        double detector = (before.detectorItemsPerSecond() + after.detectorItemsPerSecond()) / 2;
        double embedder = (before.embedderFacesPerSecond() + after.embedderFacesPerSecond()) / 2;
        double facesPerItem = (double) before.faces() / n;
        double limit = 1 / (1 / detector + facesPerItem / embedder);
        out.printf(
                Locale.ROOT,
                "stage limit: 1 / (1 / %.2f + %.3f / %.2f) = %.2f items/s; pipeline %.2f items/s = %.0f%% "
                        + "of it; load average after %s%n",
                detector,
                facesPerItem,
                embedder,
                limit,
                pipeline,
                100 * pipeline / limit,
                Load.now());
        out.printf(
                Locale.ROOT,
                "{\"items\":%d,\"faces\":%d,\"pipeline_items_per_s\":%.3f,\"stage_limit_items_per_s\":%.3f,"
                        + "\"ratio\":%.3f}%n",
                n,
                before.faces(),
                pipeline,
                limit,
                pipeline / limit);
        System.exit(0);
    }

    /** What the stages alone did: items/s of the detector, faces found, faces/s of the embedder. */
    record Stages(double detectorItemsPerSecond, int faces, double embedderFacesPerSecond) {}

    static Stages stagesAlone(Path dir, List<Path> items, PrintStream out) throws Exception {
        Path work = Files.createTempDirectory("facerec-bench-stages");
        Path crops = work.resolve("crops");
        FacerecProperties common = EvaluateMode.settings(
                "facerec",
                FacerecProperties.class,
                Map.of(
                        "facerec.media-root",
                        dir.toString(),
                        "facerec.thumbnails-dir",
                        work.resolve("thumbs").toString(),
                        "facerec.face-crops-dir",
                        crops.toString()));
        DetectorProperties detectorProps =
                EvaluateMode.settings("facerec.detector", DetectorProperties.class, Map.of());
        EmbedderProperties embedderProps =
                EvaluateMode.settings("facerec.embedder", EmbedderProperties.class, Map.of());
        ImageLoader loader = new ImageLoader(common.maxImagePixels());
        MediaPathResolver paths = new MediaPathResolver(dir);
        ModelStore models = ModelStore.fromEnvironment();
        try (DetectorStage detectorStage = new DetectorStage(detectorProps, common, models, loader, null);
                EmbedderStage embedderStage = new EmbedderStage(embedderProps, models, paths, loader, null)) {
            MediaDetection detection = detectorStage.detection(DetectorStage.Output.ALL, crops);
            FaceEmbedding embedding = embedderStage.embedding(crops);
            // warm-up: a few items through both stages
            List<Integer> warm = IntStream.range(0, Math.min(WARMUP_ITEMS, items.size()))
                    .boxed()
                    .toList();
            embedAll(embedderStage, embedding, detectAll(detectorStage, detection, paths, items, warm, 1_000_000));
            List<Integer> indices = IntStream.range(0, items.size()).boxed().toList();
            long t0 = System.nanoTime();
            List<FacesDetected> found = detectAll(detectorStage, detection, paths, items, indices, 0);
            double detectSeconds = (System.nanoTime() - t0) / 1e9;
            int faces = found.stream().mapToInt(e -> e.faces().size()).sum();
            long t1 = System.nanoTime();
            embedAll(embedderStage, embedding, found);
            double embedSeconds = (System.nanoTime() - t1) / 1e9;
            Stages s = new Stages(items.size() / detectSeconds, faces, faces / embedSeconds);
            out.printf(
                    Locale.ROOT,
                    "stages alone (%d detector and %d embedder workers, %d intra-op thread(s) each): "
                            + "detector %d items in %.1f s = %.2f items/s (%d faces); embedder %d faces in %.1f s = %.2f faces/s; "
                            + "load average %s%n",
                    detectorStage.workers().size(),
                    embedderStage.workers().size(),
                    detectorProps.intraOpThreads(),
                    items.size(),
                    detectSeconds,
                    s.detectorItemsPerSecond(),
                    faces,
                    faces,
                    embedSeconds,
                    s.embedderFacesPerSecond(),
                    Load.now());
            return s;
        } finally {
            FileSystemUtils.deleteRecursively(work);
        }
    }

    /** The detector stage's work on the items, in batches of its batch size spread over its workers. */
    private static List<FacesDetected> detectAll(
            DetectorStage stage,
            MediaDetection detection,
            MediaPathResolver paths,
            List<Path> items,
            List<Integer> indices,
            long idOffset) {
        int batch = stage.properties().batchSize();
        List<FacesDetected> out = new ArrayList<>();
        for (int from = 0; from < indices.size(); from += batch) {
            out.addAll(stage.workers().map(indices.subList(from, Math.min(indices.size(), from + batch)), i -> {
                String rel = paths.relativize(items.get(i));
                long id = idOffset + i;
                MediaDetection.Found f = detection.detect(items.get(i), id, rel);
                List<FacesDetected.Face> faces = new ArrayList<>();
                for (int k = 0; k < f.faces().size(); k++) {
                    NewFace nf = f.faces().get(k);
                    DetectedFace d = nf.face();
                    faces.add(new FacesDetected.Face(
                            id * 100 + k,
                            0,
                            k,
                            d.score(),
                            d.box().toArray(),
                            d.landmarks().points(),
                            f.crops().get(k)));
                }
                return FacesDetected.of(id, rel, faces);
            }));
        }
        return out;
    }

    /** The embedder stage's work on the detected items, in batches of its batch size spread over its workers. */
    private static void embedAll(EmbedderStage stage, FaceEmbedding embedding, List<FacesDetected> items) {
        int batch = 16;
        for (int from = 0; from < items.size(); from += batch) {
            stage.workers().map(items.subList(from, Math.min(items.size(), from + batch)), e -> {
                List<float[]> v = embedding.embed(e);
                embedding.deleteCrops(e);
                return v;
            });
        }
    }

    /** The whole chain: N rows inserted at once, timed from the commit to the last face clustered. */
    static double chain(Path dir, List<Path> photos, int n, PrintStream out) throws Exception {
        Path tmp = Files.createTempDirectory("facerec-bench-pipeline");
        try (EmbeddedPipeline p = EmbeddedPipeline.start(
                tmp.resolve("data"),
                dir,
                Map.of(
                        "facerec.thumbnails-dir",
                        tmp.resolve("thumbs").toString(),
                        "facerec.capture.drop-slot-on-stop",
                        "true"),
                s -> {})) {
            MediaFileRepository files = p.bean(MediaFileRepository.class);
            MediaPathResolver paths = p.bean(MediaPathResolver.class);
            List<MediaFileId> fileIds = new ArrayList<>();
            for (Path photo : photos.subList(0, Math.min(photos.size(), n))) {
                fileIds.add(files.insert(
                        paths.relativize(photo), photo.getFileName().toString(), null));
            }
            JdbcTemplate jdbc = p.bean(JdbcTemplate.class);
            ZeroSetupRun run = new ZeroSetupRun(p, out, out);
            insert(jdbc, fileIds, 0, WARMUP_ITEMS, "warmup-"); // the last photos: not the measured ones' first
            if (!run.awaitCompletion(Duration.ofMinutes(5), false)) {
                throw new IllegalStateException("warm-up did not finish");
            }
            long t0 = System.nanoTime();
            insert(jdbc, fileIds, WARMUP_ITEMS, WARMUP_ITEMS + n, "item-");
            if (!run.awaitCompletion(Duration.ofMinutes(60), false)) {
                throw new IllegalStateException("the pipeline did not finish " + n + " items in 60 minutes");
            }
            double s = (System.nanoTime() - t0) / 1e9;
            long faces = jdbc.queryForObject(
                    "SELECT COUNT(*) FROM \"Faces\" f JOIN \"MediaItems\" m ON m.\"Id\" = "
                            + "f.\"MediaItemId\" WHERE m.\"Name\" LIKE 'item-%'",
                    Long.class);
            long persons = jdbc.queryForObject("SELECT COUNT(*) FROM \"Persons\"", Long.class);
            out.printf(
                    Locale.ROOT,
                    "whole chain (INSERT -> PersonId, real CDC and broker): %d items in %.1f s = %.2f "
                            + "items/s; %d faces, %d persons; load average %s%n",
                    n,
                    s,
                    n / s,
                    faces,
                    persons,
                    Load.now());
            return n / s;
        } finally {
            FileSystemUtils.deleteRecursively(tmp);
        }
    }

    /** Rows {@code from..to} (photos in order, repeated), in one transaction: the capture sees them at once. */
    private static void insert(JdbcTemplate jdbc, List<MediaFileId> files, int from, int to, String prefix) {
        jdbc.execute((Connection c) -> {
            c.setAutoCommit(false);
            try (var ps = c.prepareStatement("INSERT INTO \"MediaItems\" (\"MediaFileId\", \"Name\") VALUES (?, ?)")) {
                for (int i = from; i < to; i++) {
                    ps.setLong(
                            1,
                            files.get(Math.floorMod(i - WARMUP_ITEMS, files.size()))
                                    .value());
                    ps.setString(2, prefix + i);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
            c.setAutoCommit(true);
            return null;
        });
    }

    /** The 1-, 5- and 15-minute load averages. */
    static final class Load {
        static String now() {
            try {
                String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
                return f[0] + " " + f[1] + " " + f[2];
            } catch (IOException e) {
                return "?";
            }
        }
    }
}
