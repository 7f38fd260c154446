package io.facerec.launcher;

import io.facerec.clusterer.cluster.ClusterFacesHandler;
import io.facerec.clusterer.cluster.ReclusterHandler;
import io.facerec.common.event.FaceEmbedded;
import io.facerec.common.event.FacesDetected;
import io.facerec.common.event.MediaItemCaptured;
import io.facerec.common.id.MediaItemId;
import io.facerec.common.image.DecodedImage;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.detector.config.DetectorProperties;
import io.facerec.detector.detect.DetectFacesHandler;
import io.facerec.detector.detect.DetectionSettings;
import io.facerec.detector.detect.FaceDetector;
import io.facerec.detector.thumbnail.ThumbnailWriter;
import io.facerec.embedder.align.FaceAligner;
import io.facerec.embedder.embed.EmbedFacesHandler;
import io.facerec.embedder.embed.EmbeddingModelSpec;
import io.facerec.embedder.embed.FaceEmbedder;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The origin's database modes, without change data capture or a broker: the same handlers the workers run, called
 * in-process one after the other (detect, then embed, then cluster) against the configured database.
 * {@code --db}: one pass over the items not yet extracted; {@code --recognize}: embed faces that have no embedding,
 * then cluster; {@code --recluster}: rebuild persons with stable ids; {@code --all}: repair, then all of the above.
 * With {@code dryRun} nothing is written: what would be done is logged and printed.
 */
public final class DatabaseModes implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatabaseModes.class);

    private final ConfigurableApplicationContext ctx;
    private final PrintStream err;
    private final List<FaceEmbedded> embedded = new ArrayList<>();
    private final DetectFacesHandler detect;
    private final EmbedFacesHandler embed;

    private DatabaseModes(ConfigurableApplicationContext ctx, PrintStream err) {
        this.ctx = ctx;
        this.err = err;
        DeadLetterPublisher noBroker = new DeadLetterPublisher(null);
        TransactionTemplate tx = new TransactionTemplate(ctx.getBean(PlatformTransactionManager.class));
        EmbeddingModelSpec spec = ctx.getBean(EmbeddingModelSpec.class);
        this.embed = new EmbedFacesHandler(bean(FaceRepository.class), bean(MediaItemRepository.class),
                bean(MediaPathResolver.class), bean(ImageLoader.class), new FaceAligner(spec.alignment(), spec.inputSize()),
                bean(FaceEmbedder.class), embedded::add, noBroker, Clock.systemUTC(), null)
                .withFaceCrops(bean(io.facerec.common.config.FacerecProperties.class).faceCropsDir(),
                        bean(io.facerec.embedder.config.EmbedderProperties.class).keepFaceCrops());
        DetectorProperties d = bean(DetectorProperties.class);
        this.detect = new DetectFacesHandler(bean(MediaItemRepository.class), bean(MediaFileRepository.class),
                bean(FaceRepository.class), bean(MediaPathResolver.class),
                bean(DetectorProperties.class).preprocessing().loader(bean(ImageLoader.class)), bean(FaceDetector.class),
                new DetectionSettings(d.scoreThreshold(), d.nmsThreshold(), d.minFaceSize(), 0, d.closeUpRetry()),
                bean(ThumbnailWriter.class), tx, embed::handle, noBroker, Clock.systemUTC()).withVideo(d.videoSampling())
                .withFaceCrops(d.faceCropWriter(bean(io.facerec.common.config.FacerecProperties.class).faceCropsDir(),
                        bean(io.facerec.common.config.FacerecProperties.class).filePermissions()))
                .withVideoFrames(new io.facerec.common.image.VideoFrameStore(
                        bean(io.facerec.common.config.FacerecProperties.class).thumbnailsDir(),
                        bean(io.facerec.common.config.FacerecProperties.class).filePermissions()));
    }

    /** Starts the workers' beans with capture and Kafka listeners off. */
    public static DatabaseModes open(Map<String, Object> props, PrintStream err) {
        Map<String, Object> p = new HashMap<>(io.facerec.common.config.OriginEnvironment.defaults());
        p.put("facerec.capture.enabled", "false");
        p.put("spring.kafka.listener.auto-startup", "false");
        p.put("spring.kafka.admin.auto-create", "false");
        p.putAll(props);
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(FacerecApplication.class)
                .web(WebApplicationType.NONE).logStartupInfo(false)
                .run(EmbeddedPipeline.toArgs(p));
        return new DatabaseModes(ctx, err);
    }

    private <T> T bean(Class<T> type) {
        return ctx.getBean(type);
    }

    /** {@code --db}: detects and embeds every item not yet extracted, then clusters. @return items processed */
    public int db(boolean dryRun) {
        MediaItemRepository items = bean(MediaItemRepository.class);
        List<MediaItemRepository.MediaItem> pending = items.findPending(Integer.MAX_VALUE);
        if (dryRun) {
            err.printf("dry run: %d media item(s) would be detected%n", pending.size());
            pending.forEach(i -> log.info("dry run: would detect media item {}", i.id()));
            return pending.size();
        }
        Progress bar = new Progress("detect+embed", pending.size(), err);
        for (MediaItemRepository.MediaItem i : pending) {
            detect.handle(MediaItemCaptured.of(i.id().value(), i.mediaFileId().value(), "poll"));
            bar.step();
        }
        cluster();
        return pending.size();
    }

    /** {@code --recognize}: embeds the faces without an embedding, then clusters. @return faces embedded */
    public int recognize(boolean dryRun) {
        List<FaceRepository.Face> missing = bean(FaceRepository.class).findWithoutEmbedding();
        if (dryRun) {
            err.printf("dry run: %d face(s) would be embedded%n", missing.size());
            return missing.size();
        }
        Map<MediaItemId, List<FacesDetected.Face>> byItem = new LinkedHashMap<>();
        for (FaceRepository.Face f : missing) {
            byItem.computeIfAbsent(f.mediaItemId(), k -> new ArrayList<>()).add(new FacesDetected.Face(f.id().value(),
                    f.frameNumber(), f.faceIndex(), f.score(), f.box().toArray(), f.landmarks().points()));
        }
        Progress bar = new Progress("embed", byItem.size(), err);
        int n = 0;
        for (var e : byItem.entrySet()) {
            String path = filePath(e.getKey());
            n += embed.handle(FacesDetected.of(e.getKey().value(), path, e.getValue()));
            bar.step();
        }
        cluster();
        return n;
    }

    /** Clusters everything embedded since the last run (all models). */
    public void cluster() {
        embedded.clear();
        bean(ClusterFacesHandler.class).cluster(bean(EmbeddingModelSpec.class).id());
    }

    /** {@code --recluster --replay}: embeddings from a replay of the compacted embeddings topic. */
    public ReclusterHandler.Result reclusterFromReplay(boolean dryRun) {
        String model = bean(EmbeddingModelSpec.class).id();
        var replayed = bean(io.facerec.clusterer.replay.EmbeddingsReplay.class).readAll();
        return bean(ReclusterHandler.class).reclusterFromReplay(model, replayed.embeddings(model), dryRun);
    }

    /** {@code --recluster}. */
    public ReclusterHandler.Result recluster(boolean dryRun) {
        return bean(ReclusterHandler.class).recluster(bean(EmbeddingModelSpec.class).id(), dryRun);
    }

    /**
     * The origin's repair step of {@code --all}: items marked extracted without any face row are detected again;
     * missing thumbnails are recreated from the stored boxes. @return {items reset, thumbnails recreated}
     */
    public int[] repair(boolean dryRun) {
        MediaItemRepository items = bean(MediaItemRepository.class);
        List<MediaItemRepository.MediaItem> broken = items.findExtractedWithoutFaces();
        FaceRepository faces = bean(FaceRepository.class);
        List<FaceRepository.Face> noThumb = new ArrayList<>();
        for (FaceRepository.Face f : faces.findAll()) {
            if (f.thumbnailPath() == null || !Files.exists(Path.of(f.thumbnailPath()))) {
                noThumb.add(f);
            }
        }
        if (dryRun) {
            err.printf("dry run: %d item(s) would be detected again, %d thumbnail(s) recreated%n", broken.size(),
                    noThumb.size());
            return new int[] {broken.size(), noThumb.size()};
        }
        for (MediaItemRepository.MediaItem i : broken) {
            log.info("repair: media item {} is marked extracted but has no faces; detecting again", i.id());
            items.resetExtraction(i.id());
        }
        int made = 0;
        ThumbnailWriter writer = bean(ThumbnailWriter.class);
        MediaPathResolver paths = bean(MediaPathResolver.class);
        ImageLoader loader = bean(ImageLoader.class);
        Map<MediaItemId, List<FaceRepository.Face>> byItem = new LinkedHashMap<>();
        noThumb.forEach(f -> byItem.computeIfAbsent(f.mediaItemId(), k -> new ArrayList<>()).add(f));
        for (var e : byItem.entrySet()) {
            String rel = filePath(e.getKey());
            String base = "item" + e.getKey().value() + "_" + ThumbnailWriter.baseName(rel);
            try {
                if (io.facerec.common.image.VideoFrames.isVideo(rel)) {
                    Map<Integer, List<FaceRepository.Face>> byFrame = new java.util.TreeMap<>();
                    e.getValue().forEach(f -> byFrame.computeIfAbsent(f.frameNumber(), k -> new ArrayList<>()).add(f));
                    int[] count = {0};
                    loader.videoFrames().frames(paths.resolve(rel),
                            new java.util.TreeSet<>(byFrame.keySet()), (frame, seconds, img) -> {
                                for (FaceRepository.Face f : byFrame.get(frame)) {
                                    count[0] += thumbnail(writer, faces, img, f, base + "_f" + frame, "jpg");
                                }
                                return true;
                            });
                    made += count[0];
                } else {
                    try (DecodedImage img = loader.load(paths.resolve(rel))) {
                        for (FaceRepository.Face f : e.getValue()) {
                            made += thumbnail(writer, faces, img, f, base, ThumbnailWriter.extensionFor(rel));
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

    private static int thumbnail(ThumbnailWriter writer, FaceRepository faces, DecodedImage img, FaceRepository.Face f,
            String base, String ext) {
        Path t = writer.write(img, f.box(), base, f.faceIndex(), ext);
        if (t == null) {
            return 0;
        }
        faces.setThumbnail(f.id(), t.toString(), java.time.Instant.now());
        return 1;
    }

    /** {@code --all}: repair, detect what is pending, embed what is missing, cluster. */
    public void all(boolean dryRun) {
        repair(dryRun);
        db(dryRun);
        recognize(dryRun);
    }

    private String filePath(MediaItemId item) {
        var i = bean(MediaItemRepository.class).find(item).orElseThrow();
        return bean(MediaFileRepository.class).find(i.mediaFileId()).orElseThrow().filePath();
    }

    public ConfigurableApplicationContext context() {
        return ctx;
    }

    @Override
    public void close() {
        ctx.close();
    }

    /** A one-line text progress bar on stderr. */
    static final class Progress {
        private final String what;
        private final int total;
        private final PrintStream out;
        private int done;

        Progress(String what, int total, PrintStream out) {
            this.what = what;
            this.total = total;
            this.out = out;
            if (total > 0) {
                draw();
            }
        }

        void step() {
            done++;
            draw();
            if (done == total) {
                out.println();
            }
        }

        private void draw() {
            int width = 30;
            int filled = total == 0 ? width : done * width / total;
            out.printf("\r%-14s [%s%s] %d/%d", what, "#".repeat(filled), "-".repeat(width - filled), done, total);
            out.flush();
        }
    }
}
