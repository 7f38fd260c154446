package io.facerec.embedder.embed;

import io.facerec.common.error.PermanentProcessingException;
import io.facerec.common.event.FaceEmbedded;
import io.facerec.common.event.FacesDetected;
import io.facerec.common.event.ProcessingFailed;
import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.Landmarks;
import io.facerec.common.id.FaceId;
import io.facerec.common.id.MediaItemId;
import io.facerec.common.image.DecodedImage;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.image.VideoFrames;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.messaging.EventCodec;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.embedder.align.FaceAligner;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Embeds the faces of one media item: read each face from the detector's crop, or decode the photo once (see
 * {@link FaceInputs}), align each face with its landmarks, run the model,
 * write {@code Faces.Embedding} (float32 little-endian) with the model id, and publish one {@link FaceEmbedded} per
 * face keyed by face id. Writing the same embedding twice is harmless, so redelivery is safe.
 */
public class EmbedFacesHandler {
    private static final Logger log = LoggerFactory.getLogger(EmbedFacesHandler.class);
    /** Most faces per inference when the model batches (see {@link FaceEmbedder#embedAll}). */
    static final int MAX_BATCH = 16;

    private final FaceRepository faces;
    private final MediaItemRepository items;
    private final MediaPathResolver paths;
    private final ImageLoader loader;
    private final FaceAligner aligner;
    private final FaceEmbedder embedder;
    private final Consumer<FaceEmbedded> publisher;
    private final DeadLetterPublisher deadLetters;
    private final Clock clock;
    private final Timer inferTimer;
    private final MeterRegistry meters;
    private FaceInputs inputs;
    private boolean keepCrops;

    public EmbedFacesHandler(FaceRepository faces, MediaItemRepository items, MediaPathResolver paths, ImageLoader loader,
            FaceAligner aligner, FaceEmbedder embedder, Consumer<FaceEmbedded> publisher, DeadLetterPublisher deadLetters,
            Clock clock, MeterRegistry meters) {
        this.faces = faces;
        this.items = items;
        this.paths = paths;
        this.loader = loader.withOpenCvOnly(); // decoded as the reference recognition pipeline decodes
        this.aligner = aligner;
        this.embedder = embedder;
        this.publisher = publisher;
        this.deadLetters = deadLetters;
        this.clock = clock;
        this.meters = meters == null ? new CompositeMeterRegistry() : meters;
        this.inferTimer = Timer.builder("facerec.embedder.stage").tag("stage", "inference").register(this.meters);
        this.inputs = new FaceInputs(paths, this.loader, aligner, embedder, null, this.meters);
    }

    /**
     * Let the embedder read each face from the crop the detector left in {@code dir} (see {@link FaceInputs}); the
     * crops are deleted once their faces are embedded unless {@code keep}.
     */
    public EmbedFacesHandler withFaceCrops(Path dir, boolean keep) {
        this.inputs = new FaceInputs(paths, loader, aligner, embedder, dir, meters);
        this.keepCrops = keep;
        return this;
    }

    /** @return number of faces embedded */
    public int handle(FacesDetected event) {
        if (event.faces().isEmpty()) {
            return 0;
        }
        MDC.put("mediaItemId", Long.toString(event.mediaItemId()));
        try {
            if (VideoFrames.isVideo(event.filePath())) {
                int n = embedVideo(event);
                items.clearFailure(MediaItemId.of(event.mediaItemId()));
                return n;
            }
            List<float[]> prepared = inputs.photo(event);
            long t1 = System.nanoTime();
            List<float[]> vectors = embedder.embedAll(prepared, MAX_BATCH);
            inferTimer.record(System.nanoTime() - t1, TimeUnit.NANOSECONDS);
            for (int i = 0; i < vectors.size(); i++) {
                save(event, event.faces().get(i), vectors.get(i));
            }
            items.clearFailure(MediaItemId.of(event.mediaItemId())); // an earlier attempt may have failed
            deleteCrops(event);
            log.debug("media item {}: {} face(s) embedded", event.mediaItemId(), event.faces().size());
            return event.faces().size();
        } catch (PermanentProcessingException e) {
            items.markFailed(MediaItemId.of(event.mediaItemId()), e.errorKind(), "embedding: " + e.getMessage(),
                    clock.instant());
            log.warn("media item {}: embedding failed: {}: {}", event.mediaItemId(), e.errorKind(), e.getMessage());
            deadLetters.publish(ProcessingFailed.of("embed", event.mediaItemId(), e.errorKind(), e.getMessage(),
                    EventCodec.encode(event)));
            deleteCrops(event);
            return 0;
        } finally {
            MDC.remove("mediaItemId");
            MDC.remove("faceId");
        }
    }

    /** The crops have served their purpose once the faces are embedded (or the item failed for good). */
    private void deleteCrops(FacesDetected event) {
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

    /** Writes a face's embedding with its model id and publishes it. */
    private void save(FacesDetected event, FacesDetected.Face f, float[] v) {
        MDC.put("faceId", Long.toString(f.faceId()));
        String model = embedder.spec().id();
        faces.saveEmbedding(FaceId.of(f.faceId()), v, model, clock.instant());
        log.info("embedding stored for face {} of media item {} ({}, {} values)", f.faceId(), event.mediaItemId(), model,
                v.length);
        publisher.accept(FaceEmbedded.of(f.faceId(), event.mediaItemId(), model, v));
    }

    /** A video: decode once, in order, only the frames that have faces. */
    private int embedVideo(FacesDetected event) {
        java.util.TreeMap<Integer, List<FacesDetected.Face>> byFrame = new java.util.TreeMap<>();
        for (FacesDetected.Face f : event.faces()) {
            byFrame.computeIfAbsent(f.frameNumber(), k -> new java.util.ArrayList<>()).add(f);
        }
        int[] done = {0};
        loader.videoFrames().frames(paths.resolve(event.filePath()),
                new java.util.TreeSet<>(byFrame.keySet()), (frame, seconds, image) -> {
                    for (FacesDetected.Face f : byFrame.get(frame)) {
                        MDC.put("faceId", Long.toString(f.faceId()));
                        save(event, f, embed(image, BoundingBox.of(f.box()), new Landmarks(f.landmarks())));
                        done[0]++;
                    }
                    return true;
                });
        if (done[0] < event.faces().size()) {
            throw new PermanentProcessingException("FRAME_MISSING", "the video has fewer frames than its stored faces"
                    + " refer to (embedded " + done[0] + " of " + event.faces().size() + ")");
        }
        log.debug("media item {}: {} face(s) embedded from {} video frame(s)", event.mediaItemId(), done[0],
                byFrame.size());
        return done[0];
    }

    /** Align, preprocess, infer, normalise one face of a decoded image (a video frame). */
    private float[] embed(DecodedImage image, BoundingBox box, Landmarks landmarks) {
        float[] input = inputs.prepare(image, box, landmarks);
        long t1 = System.nanoTime();
        float[] v = embedder.embed(input);
        inferTimer.record(System.nanoTime() - t1, TimeUnit.NANOSECONDS);
        return v;
    }
}
