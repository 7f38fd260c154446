package io.facerec.detector.detect;

import io.facerec.common.error.PermanentProcessingException;
import io.facerec.common.error.TransientFailures;
import io.facerec.common.event.FacesDetected;
import io.facerec.common.event.MediaItemCaptured;
import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.geometry.Landmarks;
import io.facerec.common.geometry.OriginCrop;
import io.facerec.common.id.FaceId;
import io.facerec.common.id.MediaFileId;
import io.facerec.common.id.MediaItemId;
import io.facerec.common.image.FaceCrop;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.image.VideoFrames;
import io.facerec.common.logging.LogIds;
import io.facerec.common.messaging.BatchWork;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.messaging.EventSink;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.MediaFileRepository.MediaFile;
import io.facerec.common.persistence.MediaItemRepository.MediaItem;
import io.facerec.common.persistence.MediaItemStatus;
import io.facerec.common.persistence.PipelineStore;
import io.facerec.common.pipeline.Outcome;
import io.facerec.common.pipeline.PipelineMeters;
import io.facerec.common.pipeline.StageWorkers;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Detects the faces of a batch of media items: each item's file is resolved under the media root, decoded, detected
 * and its thumbnails and crops written ({@link MediaDetection}, several items at once on the stage's workers); then the
 * batch's {@code Faces} rows are replaced and its items marked extracted in one transaction, and one
 * {@link FacesDetected} per item is published, acknowledged before the call returns (so the caller commits its input
 * after the batch's effects).
 *
 * <p>Redelivery is safe: an item already extracted is not detected again, its stored faces are published again. A
 * permanent failure (bad or missing file) is written to the item's row and to the dead-letter topic, and the others
 * go on. A record that breaks the batch's transaction or publish in another way is split out of it
 * ({@link BatchWork}) and dead-lettered alone; a transient failure (database or broker away) is reported for a retry.
 */
public class DetectFacesHandler {
    private static final Logger log = LoggerFactory.getLogger(DetectFacesHandler.class);
    static final String STAGE = "detect";

    private final PipelineStore store;
    private final MediaPathResolver paths;
    private final MediaDetection detection;
    private final StageWorkers workers;
    private final EventSink events;
    private final DeadLetterPublisher deadLetters;
    private final MeterRegistry meters;
    private final Timer writeTimer;

    /**
     * @param workers the threads the items of a batch are detected on
     * @param events where {@link FacesDetected} goes (the broker, or the embedder in the same process)
     * @param meters where items and faces are counted ({@link PipelineMeters}); null: not counted
     */
    public DetectFacesHandler(
            PipelineStore store,
            MediaPathResolver paths,
            MediaDetection detection,
            StageWorkers workers,
            EventSink events,
            DeadLetterPublisher deadLetters,
            MeterRegistry meters) {
        this.store = store;
        this.paths = paths;
        this.detection = detection;
        this.workers = workers;
        this.events = events;
        this.deadLetters = deadLetters;
        this.meters = meters == null ? new SimpleMeterRegistry() : meters;
        this.writeTimer = Timer.builder(PipelineMeters.DETECTOR_STAGE)
                .tag("stage", "write")
                .register(this.meters);
    }

    /** What one item came to before the batch's rows are written. */
    private sealed interface Work {
        MediaItemCaptured event();
    }

    private record Skip(MediaItemCaptured event) implements Work {}

    private record Fail(MediaItemCaptured event, PermanentProcessingException error) implements Work {}

    private record Republish(MediaItemCaptured event, MediaFile file) implements Work {}

    private record Detected(MediaItemCaptured event, MediaFile file, MediaDetection.Found found) implements Work {}

    /** One item. */
    public Outcome handle(MediaItemCaptured event) {
        return handle(List.of(event));
    }

    /**
     * @throws BatchWork.FailedAt on a transient failure, naming the first event not done
     */
    public Outcome handle(List<MediaItemCaptured> batch) {
        if (batch.isEmpty()) {
            return Outcome.NONE;
        }
        List<Work> work = prepare(batch);
        AtomicReference<Outcome> outcome = new AtomicReference<>(Outcome.NONE);
        BatchWork.run(
                work,
                part -> outcome.accumulateAndGet(write(part), Outcome::plus),
                (w, e) -> outcome.accumulateAndGet(poison(w.event(), e), Outcome::plus));
        Outcome o = outcome.get();
        count(o);
        return o;
    }

    /** Reads the items' rows and detects those to detect, several at once. */
    private List<Work> prepare(List<MediaItemCaptured> batch) {
        Instant now = store.clock().instant();
        Map<MediaItemId, MediaItem> items = store.items()
                .findAll(
                        batch.stream().map(e -> MediaItemId.of(e.mediaItemId())).toList());
        Map<MediaFileId, MediaFile> files = store.files()
                .findAll(items.values().stream().map(MediaItem::mediaFileId).toList());
        return workers.map(batch, event -> {
            MediaItemId id = MediaItemId.of(event.mediaItemId());
            MDC.put("mediaItemId", id.toString());
            try {
                MediaItem item = items.get(id);
                if (item == null) {
                    log.warn("media item {} no longer exists; skipped", id);
                    return new Skip(event);
                }
                if (item.status() == MediaItemStatus.FAILED && !store.items().retryDue(item, now)) {
                    return new Skip(event); // failed for good, or not yet due for another attempt
                }
                MediaFile file = files.get(item.mediaFileId());
                if (file == null) {
                    return new Fail(
                            event,
                            new PermanentProcessingException(
                                    "FILE_MISSING", "media file row " + item.mediaFileId() + " does not exist"));
                }
                if (item.facesExtracted()) {
                    return new Republish(event, file);
                }
                try {
                    return new Detected(
                            event, file, detection.detect(paths.resolve(file.filePath()), id.value(), file.filePath()));
                } catch (PermanentProcessingException e) {
                    return new Fail(event, e);
                } catch (RuntimeException e) {
                    if (TransientFailures.isTransient(e)) {
                        throw e;
                    }
                    log.error("media item {} cannot be detected", id, e);
                    return new Fail(
                            event,
                            new PermanentProcessingException(
                                    PermanentProcessingException.UNPROCESSABLE,
                                    e.getClass().getSimpleName() + ": " + e.getMessage(),
                                    e));
                }
            } finally {
                MDC.remove("mediaItemId");
            }
        });
    }

    /** Writes the rows of a part of the batch in one transaction, then publishes its events and dead letters. */
    private Outcome write(List<Work> part) {
        long t0 = System.nanoTime();
        Instant now = store.clock().instant();
        List<Fail> failed = new ArrayList<>();
        List<Work> publish = new ArrayList<>();
        Outcome outcome = Outcome.NONE;
        for (Work w : part) {
            if (w instanceof Republish r) {
                detection.deleteCropsOf(
                        r.event().mediaItemId()); // published without crops: left over ones would only wait
                try {
                    completeOriginFaces(MediaItemId.of(r.event().mediaItemId()));
                    publish.add(r);
                } catch (PermanentProcessingException e) {
                    failed.add(new Fail(r.event(), e));
                }
            }
        }
        store.tx().executeWithoutResult(s -> {
            for (Work w : part) {
                MediaItemId id = MediaItemId.of(w.event().mediaItemId());
                if (w instanceof Detected d) {
                    List<FaceId> ids = store.faces().replaceFaces(id, d.found().faces(), now);
                    store.items().markExtracted(id, ids.size(), now);
                    publish.add(d);
                } else if (w instanceof Fail f) {
                    failed.add(f);
                }
            }
            for (Fail f : failed) {
                store.items()
                        .markFailed(
                                MediaItemId.of(f.event().mediaItemId()),
                                f.error().errorKind(),
                                f.error().getMessage(),
                                now);
            }
        });
        Map<MediaItemId, List<FaceRepository.Face>> stored = store.faces()
                .findByMediaItems(publish.stream()
                        .map(w -> MediaItemId.of(w.event().mediaItemId()))
                        .toList());
        List<FacesDetected> out = new ArrayList<>(publish.size());
        for (Work w : publish) {
            MediaItemId id = MediaItemId.of(w.event().mediaItemId());
            List<FaceRepository.Face> faces = stored.getOrDefault(id, List.of());
            if (w instanceof Detected d) {
                logFaces(id, d, faces);
                out.add(toEvent(id, d.file().filePath(), faces, d.found().crops()));
                outcome = outcome.plus(Outcome.done(faces.size()));
            } else {
                out.add(toEvent(id, ((Republish) w).file().filePath(), faces, Map.of()));
                outcome = outcome.plus(Outcome.REPUBLISHED);
            }
        }
        events.publish(out);
        for (Fail f : failed) {
            deadLetters.itemFailed(
                    STAGE,
                    f.event().mediaItemId(),
                    f.error().errorKind(),
                    f.error().getMessage(),
                    f.event());
            outcome = outcome.plus(Outcome.FAILED);
        }
        for (Work w : part) {
            if (w instanceof Skip) {
                outcome = outcome.plus(Outcome.SKIPPED);
            }
        }
        writeTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        return outcome;
    }

    private static void logFaces(MediaItemId id, Detected d, List<FaceRepository.Face> stored) {
        MDC.put("mediaItemId", id.toString());
        try {
            for (int i = 0; i < stored.size() && i < d.found().faces().size(); i++) {
                FaceRepository.NewFace f = d.found().faces().get(i);
                try (var face = LogIds.put(LogIds.FACE, stored.get(i).id())) {
                    log.info(
                            "face {} of media item {}: thumbnail {}, box {} (detector box {}, score {})",
                            stored.get(i).id(),
                            id,
                            f.name(),
                            f.cropBox(),
                            f.face().box(),
                            String.format(Locale.ROOT, "%.3f", f.face().score()));
                }
            }
            try (var all = LogIds.put(
                    LogIds.FACE,
                    stored.isEmpty()
                            ? null
                            : LogIds.list(
                                    stored.stream().map(FaceRepository.Face::id).toList()))) {
                log.info("media item {} ({}): {} face(s)", id, d.file().filePath(), stored.size());
            }
        } finally {
            MDC.remove("mediaItemId");
        }
    }

    /**
     * A record that failed alone, in a way no retry mends (its rows break a constraint, its content a rule): its item
     * is marked failed and the record dead-lettered; the batch goes on without it.
     */
    private Outcome poison(MediaItemCaptured event, RuntimeException e) {
        String kind = PermanentProcessingException.UNPROCESSABLE;
        String message = e.getClass().getSimpleName() + ": " + e.getMessage();
        log.error("media item {} cannot be processed: {}", event.mediaItemId(), message, e);
        try {
            store.items()
                    .markFailed(
                            MediaItemId.of(event.mediaItemId()),
                            kind,
                            message,
                            store.clock().instant());
        } catch (RuntimeException again) {
            if (TransientFailures.isTransient(again)) {
                throw again;
            }
            log.warn(
                    "media item {}: cannot record the failure on its row: {}", event.mediaItemId(), again.getMessage());
        }
        deadLetters.itemFailed(STAGE, event.mediaItemId(), kind, message, event);
        return Outcome.FAILED;
    }

    private void count(Outcome o) {
        meters.counter(PipelineMeters.DETECTOR_ITEMS, "outcome", "detected").increment(o.done());
        meters.counter(PipelineMeters.DETECTOR_ITEMS, "outcome", "republished").increment(o.republished());
        meters.counter(PipelineMeters.DETECTOR_ITEMS, "outcome", "skipped").increment(o.skipped());
        meters.counter(PipelineMeters.DETECTOR_ITEMS, "outcome", "failed").increment(o.failed());
        meters.counter(PipelineMeters.DETECTOR_FACES).increment(o.faces());
    }

    /** What {@link #completeOriginFaces} did. */
    public record Completion(int matched, int estimated, int skipped) {
        public static final Completion NONE = new Completion(0, 0, 0);

        public int total() {
            return matched + estimated + skipped;
        }
    }

    /** A detection counts as the origin's face when their square crop boxes overlap at least this much. */
    static final double ORIGIN_MATCH_IOU = 0.5;

    /**
     * Completes the faces the origin stored for this item (it kept no landmarks, so they cannot be aligned): detects
     * the photo again and gives each such face the landmarks, score and detector box of the detection whose square
     * crop box (the origin's rule) overlaps its {@code BoundingBox} best, at IoU {@value #ORIGIN_MATCH_IOU} or more.
     * A face no detection matches (the origin's detector found faces this one misses) gets landmarks estimated from
     * its box (the ArcFace template placed in the face the crop box holds) and score 0; it is logged. A face without
     * any box is left as it is (and skipped). {@code BoundingBox}, {@code Name} and the origin's timestamps are kept.
     *
     * @throws PermanentProcessingException when the photo cannot be read
     */
    public Completion completeOriginFaces(MediaItemId id) {
        List<FaceRepository.Face> missing = new ArrayList<>();
        for (FaceRepository.Face f : store.faces().findByMediaItem(id)) {
            if (!f.hasLandmarks()) {
                missing.add(f);
            }
        }
        if (missing.isEmpty()) {
            return Completion.NONE;
        }
        MediaItem item = store.items().find(id).orElseThrow();
        MediaFile file = store.files()
                .find(item.mediaFileId())
                .orElseThrow(() -> new PermanentProcessingException(
                        "FILE_MISSING", "media file row " + item.mediaFileId() + " does not exist"));
        if (VideoFrames.isVideo(file.fileName())) {
            throw new PermanentProcessingException(
                    "NO_LANDMARKS", "faces of a video without landmarks cannot be completed");
        }
        int matched = 0;
        int estimated = 0;
        int skipped = 0;
        List<MediaDetection.Redetected> detected = detection.redetect(paths.resolve(file.filePath()));
        List<Integer> unused = new ArrayList<>();
        for (int i = 0; i < detected.size(); i++) {
            unused.add(i);
        }
        for (FaceRepository.Face f : missing) {
            if (f.box() == null) {
                log.warn("face {} of media item {} has no BoundingBox: it cannot be embedded", f.id(), id);
                skipped++;
                continue;
            }
            int best = -1;
            double bestIou = 0;
            for (int i : unused) {
                MediaDetection.Redetected d = detected.get(i);
                double iou = Math.max(f.box().iou(d.face().box()), f.box().iou(d.originCrop()));
                if (iou > bestIou) {
                    bestIou = iou;
                    best = i;
                }
            }
            if (best >= 0 && bestIou >= ORIGIN_MATCH_IOU) {
                unused.remove(Integer.valueOf(best));
                store.faces()
                        .complete(
                                f.id(),
                                detected.get(best).face(),
                                detected.get(best).sharpness());
                matched++;
                log.info(
                        "face {} of media item {}: matched a detection again (IoU {}), landmarks and score stored",
                        f.id(),
                        id,
                        String.format(Locale.ROOT, "%.2f", bestIou));
            } else {
                store.faces().complete(f.id(), estimateFromCropBox(f.box()), null);
                estimated++;
                log.warn(
                        "face {} of media item {}: no detection matches its box {} (best IoU {}); landmarks "
                                + "estimated from the box",
                        f.id(),
                        id,
                        f.box(),
                        String.format(Locale.ROOT, "%.2f", bestIou));
            }
        }
        return new Completion(matched, estimated, skipped);
    }

    /** The ArcFace 112 x 112 template (left eye, right eye, nose, mouth corners), see the embedder's aligner. */
    private static final double[][] TEMPLATE = {
        {38.2946, 51.6963}, {73.5318, 51.5014}, {56.0252, 71.7366}, {41.5493, 92.3655}, {70.7299, 92.2041}
    };

    /**
     * A face at the centre of the origin's crop box: the box without its margin (a fifth of the face on each side), with
     * the template's landmarks laid into it; score 0 marks the estimate.
     */
    static DetectedFace estimateFromCropBox(BoundingBox crop) {
        double side = Math.max(crop.width(), crop.height()) / (1 + 2 * OriginCrop.MARGIN);
        double cx = (crop.x1() + crop.x2()) / 2;
        double cy = (crop.y1() + crop.y2()) / 2;
        double x0 = cx - side / 2;
        double y0 = cy - side / 2;
        double[][] lm = new double[5][];
        for (int k = 0; k < 5; k++) {
            lm[k] = new double[] {x0 + TEMPLATE[k][0] / 112 * side, y0 + TEMPLATE[k][1] / 112 * side};
        }
        return new DetectedFace(0, new BoundingBox(x0, y0, x0 + side, y0 + side), new Landmarks(lm));
    }

    static FacesDetected toEvent(
            MediaItemId id, String filePath, List<FaceRepository.Face> stored, Map<Integer, FaceCrop> crops) {
        List<FacesDetected.Face> list = new ArrayList<>(stored.size());
        for (FaceRepository.Face f : stored) {
            if (!f.hasLandmarks() || f.box() == null) {
                continue; // a face the origin stored that could not be completed: nothing to align it with
            }
            list.add(new FacesDetected.Face(
                    f.id().value(),
                    f.frameNumber(),
                    f.faceIndex(),
                    f.score(),
                    f.box().toArray(),
                    f.landmarks().points(),
                    f.frameNumber() == 0 ? crops.get(f.faceIndex()) : null));
        }
        return FacesDetected.of(id.value(), filePath, list);
    }
}
