package io.facerec.embedder.embed;

import io.facerec.common.error.PermanentProcessingException;
import io.facerec.common.event.FacesDetected;
import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.Landmarks;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.image.VideoFrames;
import io.facerec.common.pipeline.PipelineMeters;
import io.facerec.embedder.align.FaceAligner;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedder's work on one media item's faces, without the database: each face's model input from the detector's
 * crop or the photo ({@link FaceInputs}), or from the stored frames of a video (decoded once, in order, only the
 * frames that have faces); inference; L2-normalised vectors. Thread-safe: the stage runs it for several items at once,
 * and {@code --evaluate} runs the same code.
 */
public final class FaceEmbedding {
    private static final Logger log = LoggerFactory.getLogger(FaceEmbedding.class);
    /** Most faces per inference when the model batches (see {@link FaceEmbedder#embedAll}). */
    public static final int MAX_BATCH = 32;

    private final MediaPathResolver paths;
    private final ImageLoader loader;
    private final FaceEmbedder embedder;
    private final FaceInputs inputs;
    private final boolean keepCrops;
    private final Timer inferTimer;

    /**
     * @param cropsDir where the detector leaves face crops; null: always decode the photo
     * @param keepCrops keep the crops once their faces are embedded (debugging)
     */
    public FaceEmbedding(
            MediaPathResolver paths,
            ImageLoader loader,
            FaceAligner aligner,
            FaceEmbedder embedder,
            Path cropsDir,
            boolean keepCrops,
            MeterRegistry meters) {
        MeterRegistry m = meters == null ? new CompositeMeterRegistry() : meters;
        this.paths = paths;
        this.loader = loader;
        this.embedder = embedder;
        this.inputs = new FaceInputs(paths, loader, aligner, embedder, cropsDir, m);
        this.keepCrops = keepCrops;
        this.inferTimer = Timer.builder(PipelineMeters.EMBEDDER_STAGE)
                .tag("stage", "inference")
                .register(m);
    }

    public EmbeddingModelSpec spec() {
        return embedder.spec();
    }

    /** Whether the model takes several faces per inference (then a stage gathers a batch's faces into few runs). */
    public boolean batches() {
        return embedder.batches();
    }

    /** The embeddings of the item's faces, in the event's order. @throws PermanentProcessingException bad input */
    public List<float[]> embed(FacesDetected event) {
        return infer(inputs(event));
    }

    /** The model inputs of the item's faces, in the event's order. @throws PermanentProcessingException bad input */
    public List<float[]> inputs(FacesDetected event) {
        if (event.faces().isEmpty()) {
            return List.of();
        }
        return VideoFrames.isVideo(event.filePath()) ? videoInputs(event) : inputs.photo(event);
    }

    /** Runs the model on prepared inputs (in batches when it batches). */
    public List<float[]> infer(List<float[]> prepared) {
        if (prepared.isEmpty()) {
            return List.of();
        }
        long t0 = System.nanoTime();
        List<float[]> vectors = embedder.embedAll(prepared, MAX_BATCH);
        inferTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        return vectors;
    }

    /** A video: decode once, in order, only the frames that have faces. */
    private List<float[]> videoInputs(FacesDetected event) {
        Map<Integer, List<Integer>> byFrame = new TreeMap<>();
        for (int i = 0; i < event.faces().size(); i++) {
            byFrame.computeIfAbsent(event.faces().get(i).frameNumber(), k -> new ArrayList<>())
                    .add(i);
        }
        Map<Integer, float[]> prepared = new HashMap<>();
        loader.videoFrames()
                .frames(paths.resolve(event.filePath()), new TreeSet<>(byFrame.keySet()), (frame, seconds, image) -> {
                    for (int i : byFrame.get(frame)) {
                        FacesDetected.Face f = event.faces().get(i);
                        prepared.put(i, inputs.prepare(image, BoundingBox.of(f.box()), new Landmarks(f.landmarks())));
                    }
                    return true;
                });
        if (prepared.size() < event.faces().size()) {
            throw new PermanentProcessingException(
                    "FRAME_MISSING",
                    "the video has fewer frames than its stored faces" + " refer to (embedded " + prepared.size()
                            + " of " + event.faces().size() + ")");
        }
        List<float[]> out = new ArrayList<>(prepared.size());
        for (int i = 0; i < event.faces().size(); i++) {
            out.add(prepared.get(i));
        }
        return out;
    }

    /** The crops have served their purpose once the faces are embedded (or the item failed for good). */
    public void deleteCrops(FacesDetected event) {
        if (keepCrops) {
            return;
        }
        for (FacesDetected.Face f : event.faces()) {
            Path file = inputs.cropFile(f);
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    log.warn("cannot delete face crop {}: {}", file, e.getMessage());
                }
            }
        }
    }
}
