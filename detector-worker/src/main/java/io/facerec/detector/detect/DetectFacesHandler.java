package io.facerec.detector.detect;

import io.facerec.common.error.PermanentProcessingException;
import io.facerec.common.event.FacesDetected;
import io.facerec.common.event.MediaItemCaptured;
import io.facerec.common.event.ProcessingFailed;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.id.FaceId;
import io.facerec.common.id.MediaItemId;
import io.facerec.common.image.DecodedImage;
import io.facerec.common.image.FaceCrop;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.image.VideoFrameStore;
import io.facerec.common.image.VideoFrames;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.messaging.EventCodec;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.common.persistence.MediaItemStatus;
import io.facerec.detector.thumbnail.FaceCropWriter;
import io.facerec.detector.thumbnail.FaceSharpness;
import io.facerec.detector.thumbnail.ThumbnailWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Detects the faces of one media item: resolve the file under the media root, decode, detect, write thumbnails, replace
 * the item's {@code Faces} rows and mark it extracted in one transaction, then publish {@link FacesDetected}.
 * Redelivery is safe: an item already extracted is not detected again, its stored faces are published again.
 * A permanent failure (bad or missing file) is written to the row and to the dead-letter topic, and the handler returns
 * normally so the worker goes on with the next item.
 */
public class DetectFacesHandler {
    private static final Logger log = LoggerFactory.getLogger(DetectFacesHandler.class);

    private final MediaItemRepository items;
    private final MediaFileRepository files;
    private final FaceRepository faces;
    private final MediaPathResolver paths;
    private final ImageLoader loader;
    private final FaceDetector detector;
    private final DetectionSettings settings;
    private final ThumbnailWriter thumbnails;
    private final TransactionTemplate tx;
    private final Consumer<FacesDetected> publisher;
    private final DeadLetterPublisher deadLetters;
    private final Clock clock;

    public DetectFacesHandler(MediaItemRepository items, MediaFileRepository files, FaceRepository faces,
            MediaPathResolver paths, ImageLoader loader, FaceDetector detector, DetectionSettings settings,
            ThumbnailWriter thumbnails, TransactionTemplate tx, Consumer<FacesDetected> publisher,
            DeadLetterPublisher deadLetters, Clock clock) {
        this.items = items;
        this.files = files;
        this.faces = faces;
        this.paths = paths;
        this.loader = loader;
        this.detector = detector;
        this.settings = settings;
        this.thumbnails = thumbnails;
        this.tx = tx;
        this.publisher = publisher;
        this.deadLetters = deadLetters;
        this.clock = clock;
        this.videoFrames = loader.videoFrames();
    }

    /** What happened to an item. */
    public enum Outcome { DETECTED, REPUBLISHED, FAILED, SKIPPED }

    /**
     * How videos are sampled.
     *
     * @param intervalSeconds seconds between sampled frames
     * @param maxFrames most frames sampled per video
     * @param trackIou box overlap that continues a face track from one sampled frame to the next
     */
    public record VideoSampling(double intervalSeconds, int maxFrames, double trackIou) {
        public static final VideoSampling DEFAULT = new VideoSampling(1.0, 3600, 0.3);

        public VideoSampling {
            if (!(intervalSeconds > 0) || maxFrames < 1 || !(trackIou > 0 && trackIou <= 1)) {
                throw new IllegalArgumentException("video sampling needs interval > 0, max frames >= 1, 0 < track IoU <= 1");
            }
        }
    }

    private final VideoFrames videoFrames;
    private VideoSampling video = VideoSampling.DEFAULT;
    private FaceCropWriter crops;
    private VideoFrameStore frames;

    /**
     * Keep the frame of every stored video face as a JPEG file (see {@link VideoFrameStore}) for the gallery, which then
     * never decodes a video; null: no frames kept.
     */
    public DetectFacesHandler withVideoFrames(VideoFrameStore store) {
        this.frames = store;
        return this;
    }

    /** Leave each photo face's crop for the embedder (see {@link FaceCropWriter}); null: the embedder decodes photos. */
    public DetectFacesHandler withFaceCrops(FaceCropWriter writer) {
        this.crops = writer;
        return this;
    }

    /** Video settings (defaults: every 1 s, at most 3,600 frames, tracks at IoU 0.3). */
    public DetectFacesHandler withVideo(VideoSampling sampling) {
        this.video = sampling;
        return this;
    }

    private io.micrometer.core.instrument.MeterRegistry meters =
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

    /** Counts items by outcome ({@code facerec.detector.items}) and faces ({@code facerec.detector.faces}). */
    public DetectFacesHandler withMeters(io.micrometer.core.instrument.MeterRegistry registry) {
        if (registry != null) {
            this.meters = registry;
        }
        return this;
    }

    public Outcome handle(MediaItemCaptured event) {
        Outcome outcome = handleItem(event);
        meters.counter("facerec.detector.items", "outcome", outcome.name().toLowerCase(java.util.Locale.ROOT)).increment();
        return outcome;
    }

    private Outcome handleItem(MediaItemCaptured event) {
        MediaItemId id = MediaItemId.of(event.mediaItemId());
        MDC.put("mediaItemId", id.toString());
        try {
            var item = items.find(id).orElse(null);
            if (item == null) {
                log.warn("media item {} no longer exists; skipped", id);
                return Outcome.SKIPPED;
            }
            if (item.status() == MediaItemStatus.FAILED && !items.retryDue(item, clock.instant())) {
                return Outcome.SKIPPED; // failed for good, or not yet due for another attempt
            }
            var file = files.find(item.mediaFileId()).orElse(null);
            if (file == null) {
                return fail(id, new PermanentProcessingException("FILE_MISSING",
                        "media file row " + item.mediaFileId() + " does not exist"), event);
            }
            if (item.facesExtracted()) {
                if (crops != null) {
                    crops.deleteCropsOf(id.value()); // published without crops: left over ones would only wait for the sweep
                }
                try {
                    completeOriginFaces(id);
                } catch (PermanentProcessingException e) {
                    return fail(id, e, event);
                }
                publisher.accept(toEvent(id, file.filePath(), faces.findByMediaItem(id), Map.of()));
                return Outcome.REPUBLISHED;
            }
            try {
                Path path = paths.resolve(file.filePath());
                Map<Integer, FaceCrop> cropsWritten = new HashMap<>();
                List<FaceRepository.NewFace> found = VideoFrames.isVideo(file.fileName())
                        ? detectVideo(path, id, file.filePath())
                        : detectPhoto(path, id, file.filePath(), cropsWritten);
                Instant now = clock.instant();
                List<FaceId> ids = tx.execute(s -> {
                    List<FaceId> written = faces.replaceFaces(id, found, now);
                    items.markExtracted(id, found.size(), now);
                    return written;
                });
                for (int i = 0; i < ids.size(); i++) {
                    FaceRepository.NewFace f = found.get(i);
                    try (var face = io.facerec.common.logging.LogIds.put(io.facerec.common.logging.LogIds.FACE, ids.get(i))) {
                        log.info("face {} of media item {}: thumbnail {}, box {} (detector box {}, score {})", ids.get(i),
                                id, f.name(), f.cropBox(), f.face().box(), String.format(java.util.Locale.ROOT, "%.3f",
                                        f.face().score()));
                    }
                }
                try (var all = io.facerec.common.logging.LogIds.put(io.facerec.common.logging.LogIds.FACE,
                        ids.isEmpty() ? null : io.facerec.common.logging.LogIds.list(ids))) {
                    log.info("media item {} ({}): {} face(s)", id, file.filePath(), ids.size());
                }
                meters.counter("facerec.detector.faces").increment(ids.size());
                publisher.accept(toEvent(id, file.filePath(), faces.findByMediaItem(id), cropsWritten));
                return Outcome.DETECTED;
            } catch (PermanentProcessingException e) {
                return fail(id, e, event);
            }
        } finally {
            MDC.remove("mediaItemId");
        }
    }

    /** Detects a photo's faces and writes their thumbnails and (when enabled) crops, by face index into {@code written}. */
    private List<FaceRepository.NewFace> detectPhoto(Path path, MediaItemId id, String filePath,
            Map<Integer, FaceCrop> written) {
        List<FaceRepository.NewFace> found = new ArrayList<>();
        try (DecodedImage image = loader.load(path)) {
            List<DetectedFace> detected = detector.detect(image, settings);
            for (int i = 0; i < detected.size(); i++) {
                Path thumb;
                Double sharpness;
                String name = thumbnails.fileName(id.value(), filePath, null, i);
                try (var crop = thumbnails.cropRect(detected.get(i).box(), image.width(), image.height())) {
                    thumb = thumbnails.write(image, crop, name);
                    sharpness = FaceSharpness.of(image.bgr(), crop);
                }
                String cropBox = thumbnails.originCrop(detected.get(i).box(), image.width(), image.height()).toOriginText();
                found.add(new FaceRepository.NewFace(0, i, detected.get(i), thumb == null ? null : thumb.toString(),
                        sharpness, cropBox, thumb == null ? null : name));
                FaceCrop crop = crops == null ? null : crops.write(image, detected.get(i).box(), "item" + id.value() + "_" + i);
                if (crop != null) {
                    written.put(i, crop);
                }
            }
        }
        return found;
    }

    /** What a video face track keeps of its best detection until the video is done. */
    private record TrackBest(Mat thumbnail, Double sharpness, byte[] frameJpeg) implements AutoCloseable {
        @Override
        public void close() {
            if (thumbnail != null) {
                thumbnail.close();
            }
        }
    }

    /** What a video face track keeps besides the thumbnail: the crop box in the frame. */
    private record TrackFace(TrackBest best, String cropBox) implements AutoCloseable {
        @Override
        public void close() {
            best.close();
        }
    }

    /**
     * Samples the video every {@code video.interval()} seconds, detects per frame and stores one face per track
     * ({@link VideoFaceTracks}); thumbnails are named {@code <video name>_f<frame>_TN<index + 1>.jpg}.
     */
    private List<FaceRepository.NewFace> detectVideo(Path path, MediaItemId id, String filePath) {
        String fileName = ThumbnailWriter.baseName(filePath);
        VideoFaceTracks<TrackFace> tracks = new VideoFaceTracks<>(video.trackIou());
        int[] detections = {0};
        var summary = videoFrames.sample(path, video.intervalSeconds(), video.maxFrames(), (frame, seconds, image) -> {
            List<DetectedFace> detected = detector.detect(image, settings);
            detections[0] += detected.size();
            byte[][] jpeg = {null}; // encoded once per frame, only when one of its faces becomes a track's best
            tracks.add(frame, detected, face -> {
                if (frames != null && jpeg[0] == null && !thumbnails.isDryRun()) {
                    jpeg[0] = encodeJpeg(image.bgr());
                }
                try (var crop = thumbnails.cropRect(face.box(), image.width(), image.height())) {
                    return new TrackFace(new TrackBest(crop == null || thumbnails.isDryRun() ? null
                            : thumbnails.thumbnail(image, crop), crop == null ? null : FaceSharpness.of(image.bgr(), crop),
                            jpeg[0]), thumbnails.originCrop(face.box(), image.width(), image.height()).toOriginText());
                }
            });
            return true;
        });
        List<FaceRepository.NewFace> found = new ArrayList<>();
        Map<Integer, Integer> indexInFrame = new HashMap<>();
        if (frames != null && !thumbnails.isDryRun()) {
            frames.deleteItem(id.value());
        }
        for (VideoFaceTracks.Kept<TrackFace> k : tracks.kept()) {
            try (TrackFace kept = k.payload()) {
                TrackBest best = kept.best();
                int index = indexInFrame.merge(k.frameNumber(), 1, Integer::sum) - 1;
                if (index == 0 && best.frameJpeg() != null) {
                    frames.write(id.value(), k.frameNumber(), best.frameJpeg());
                }
                String name = thumbnails.fileName(id.value(), filePath, k.frameNumber(), index);
                boolean thumbnail = best.thumbnail() != null || (thumbnails.isDryRun() && best.sharpness() != null);
                Path thumb = thumbnail ? thumbnails.saveAs(best.thumbnail(), name) : null;
                found.add(new FaceRepository.NewFace(k.frameNumber(), index, k.face(),
                        thumb == null ? null : thumb.toString(), best.sharpness(), kept.cropBox(),
                        thumb == null ? null : name));
            }
        }
        log.info("video {}: {} of {} frames sampled ({} fps), {} detection(s) in {} track(s)", fileName,
                summary.framesSampled(), summary.framesDecoded(), String.format(java.util.Locale.ROOT, "%.2f",
                        summary.frameRate()), detections[0], found.size());
        return found;
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
        for (FaceRepository.Face f : faces.findByMediaItem(id)) {
            if (!f.hasLandmarks()) {
                missing.add(f);
            }
        }
        if (missing.isEmpty()) {
            return Completion.NONE;
        }
        var item = items.find(id).orElseThrow();
        var file = files.find(item.mediaFileId()).orElseThrow(() -> new PermanentProcessingException("FILE_MISSING",
                "media file row " + item.mediaFileId() + " does not exist"));
        if (VideoFrames.isVideo(file.fileName())) {
            throw new PermanentProcessingException("NO_LANDMARKS", "faces of a video without landmarks cannot be completed");
        }
        int matched = 0;
        int estimated = 0;
        int skipped = 0;
        try (DecodedImage image = loader.load(paths.resolve(file.filePath()))) {
            List<DetectedFace> detected = detector.detect(image, settings);
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
                    var b = detected.get(i).box();
                    double iou = Math.max(f.box().iou(b),
                            f.box().iou(thumbnails.originCrop(b, image.width(), image.height()).toBox()));
                    if (iou > bestIou) {
                        bestIou = iou;
                        best = i;
                    }
                }
                if (best >= 0 && bestIou >= ORIGIN_MATCH_IOU) {
                    unused.remove(Integer.valueOf(best));
                    DetectedFace d = detected.get(best);
                    Double sharpness;
                    try (var crop = thumbnails.cropRect(d.box(), image.width(), image.height())) {
                        sharpness = FaceSharpness.of(image.bgr(), crop);
                    }
                    faces.complete(f.id(), d, sharpness);
                    matched++;
                    log.info("face {} of media item {}: matched a detection again (IoU {}), landmarks and score stored",
                            f.id(), id, String.format(java.util.Locale.ROOT, "%.2f", bestIou));
                } else {
                    faces.complete(f.id(), estimateFromCropBox(f.box()), null);
                    estimated++;
                    log.warn("face {} of media item {}: no detection matches its box {} (best IoU {}); landmarks "
                            + "estimated from the box", f.id(), id, f.box(), String.format(java.util.Locale.ROOT, "%.2f", bestIou));
                }
            }
        }
        return new Completion(matched, estimated, skipped);
    }

    private static byte[] encodeJpeg(Mat bgr) {
        try (org.bytedeco.javacpp.BytePointer buf = new org.bytedeco.javacpp.BytePointer()) {
            if (!org.bytedeco.opencv.global.opencv_imgcodecs.imencode(".jpg", bgr, buf)) {
                return null;
            }
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }

    /** The ArcFace 112 x 112 template (left eye, right eye, nose, mouth corners), see the embedder's aligner. */
    private static final double[][] TEMPLATE = {{38.2946, 51.6963}, {73.5318, 51.5014}, {56.0252, 71.7366},
        {41.5493, 92.3655}, {70.7299, 92.2041}};

    /**
     * A face at the centre of the origin's crop box: the box without its margin (a fifth of the face on each side), with
     * the template's landmarks laid into it; score 0 marks the estimate.
     */
    static DetectedFace estimateFromCropBox(io.facerec.common.geometry.BoundingBox crop) {
        double side = Math.max(crop.width(), crop.height()) / (1 + 2 * io.facerec.common.geometry.OriginCrop.MARGIN);
        double cx = (crop.x1() + crop.x2()) / 2;
        double cy = (crop.y1() + crop.y2()) / 2;
        double x0 = cx - side / 2;
        double y0 = cy - side / 2;
        double[][] lm = new double[5][];
        for (int k = 0; k < 5; k++) {
            lm[k] = new double[] {x0 + TEMPLATE[k][0] / 112 * side, y0 + TEMPLATE[k][1] / 112 * side};
        }
        return new DetectedFace(0, new io.facerec.common.geometry.BoundingBox(x0, y0, x0 + side, y0 + side),
                new io.facerec.common.geometry.Landmarks(lm));
    }

    private Outcome fail(MediaItemId id, PermanentProcessingException e, MediaItemCaptured event) {
        items.markFailed(id, e.errorKind(), e.getMessage(), clock.instant());
        log.warn("media item {} failed: {}: {}", id, e.errorKind(), e.getMessage());
        deadLetters.publish(ProcessingFailed.of("detect", id.value(), e.errorKind(), e.getMessage(),
                EventCodec.encode(event)));
        return Outcome.FAILED;
    }

    static FacesDetected toEvent(MediaItemId id, String filePath, List<FaceRepository.Face> stored,
            Map<Integer, FaceCrop> crops) {
        List<FacesDetected.Face> list = new ArrayList<>(stored.size());
        for (FaceRepository.Face f : stored) {
            if (!f.hasLandmarks() || f.box() == null) {
                continue; // a face the origin stored that could not be completed: nothing to align it with
            }
            list.add(new FacesDetected.Face(f.id().value(), f.frameNumber(), f.faceIndex(), f.score(), f.box().toArray(),
                    f.landmarks().points(), f.frameNumber() == 0 ? crops.get(f.faceIndex()) : null));
        }
        return FacesDetected.of(id.value(), filePath, list);
    }
}
