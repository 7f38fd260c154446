package io.facerec.detector.detect;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.image.DecodedImage;
import io.facerec.common.image.FaceCrop;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.VideoFrameStore;
import io.facerec.common.image.VideoFrames;
import io.facerec.common.persistence.FaceRepository.NewFace;
import io.facerec.detector.thumbnail.FaceCropWriter;
import io.facerec.detector.thumbnail.FaceSharpness;
import io.facerec.detector.thumbnail.ThumbnailWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The detector's work on one media file, without the database: decode, detect, and for every face its thumbnail
 * (the origin's square crop), its sharpness and, for photos, its crop for the embedder; videos are sampled and their
 * face tracks kept one face each ({@link VideoFaceTracks}). Thread-safe: the stage runs it for several items at once,
 * and {@code --evaluate} runs the same code.
 */
public final class MediaDetection {
    private static final Logger log = LoggerFactory.getLogger(MediaDetection.class);

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
                throw new IllegalArgumentException(
                        "video sampling needs interval > 0, max frames >= 1, 0 < track IoU <= 1");
            }
        }
    }

    /**
     * What was found in a media file.
     *
     * @param faces the faces to store, in order (photos: face index order; videos: one per track)
     * @param crops the crops written for the embedder, by face index (photos only)
     */
    public record Found(List<NewFace> faces, Map<Integer, FaceCrop> crops) {}

    /** A detection found again on a photo, for completing a face the origin stored (see {@code DetectFacesHandler}). */
    public record Redetected(DetectedFace face, Double sharpness, BoundingBox originCrop) {}

    private final ImageLoader loader;
    private final FaceDetector detector;
    private final DetectionSettings settings;
    private final ThumbnailWriter thumbnails;
    private final FaceCropWriter crops;
    private final VideoFrameStore frames;
    private final VideoSampling video;
    private final VideoFrames videoFrames;

    /**
     * @param crops where each photo face's crop is left for the embedder; null: none (the embedder decodes the photo)
     * @param frames where the frame of every stored video face is kept for the gallery; null: none
     */
    public MediaDetection(
            ImageLoader loader,
            FaceDetector detector,
            DetectionSettings settings,
            ThumbnailWriter thumbnails,
            FaceCropWriter crops,
            VideoFrameStore frames,
            VideoSampling video) {
        this.loader = loader;
        this.detector = detector;
        this.settings = settings;
        this.thumbnails = thumbnails;
        this.crops = crops;
        this.frames = frames;
        this.video = video;
        this.videoFrames = loader.videoFrames();
    }

    public DetectionSettings settings() {
        return settings;
    }

    /** Detects the faces of a photo or (by its name) a video and writes their files. */
    public Found detect(Path path, long mediaItemId, String filePath) {
        if (VideoFrames.isVideo(filePath)) {
            return new Found(detectVideo(path, mediaItemId, filePath), Map.of());
        }
        Map<Integer, FaceCrop> written = new HashMap<>();
        return new Found(detectPhoto(path, mediaItemId, filePath, written), written);
    }

    /** The crops of an item are no longer needed (its faces are published without them). */
    public void deleteCropsOf(long mediaItemId) {
        if (crops != null) {
            crops.deleteCropsOf(mediaItemId);
        }
    }

    private List<NewFace> detectPhoto(Path path, long id, String filePath, Map<Integer, FaceCrop> written) {
        List<NewFace> found = new ArrayList<>();
        try (DecodedImage image = loader.load(path)) {
            List<DetectedFace> detected = detector.detect(image, settings);
            for (int i = 0; i < detected.size(); i++) {
                DetectedFace face = detected.get(i);
                Path thumb;
                Double sharpness;
                String name = thumbnails.fileName(id, filePath, null, i);
                try (var crop = thumbnails.cropRect(face.box(), image.width(), image.height())) {
                    thumb = thumbnails.write(image, crop, name);
                    sharpness = FaceSharpness.of(image.bgr(), crop);
                }
                String cropBox = thumbnails
                        .originCrop(face.box(), image.width(), image.height())
                        .toOriginText();
                found.add(new NewFace(
                        0,
                        i,
                        face,
                        thumb == null ? null : thumb.toString(),
                        sharpness,
                        cropBox,
                        thumb == null ? null : name));
                FaceCrop crop = crops == null ? null : crops.write(image, face.box(), "item" + id + "_" + i);
                if (crop != null) {
                    written.put(i, crop);
                }
            }
        }
        return found;
    }

    /** Detections on a photo with their sharpness and origin crop box; nothing is written. */
    public List<Redetected> redetect(Path path) {
        try (DecodedImage image = loader.load(path)) {
            List<Redetected> out = new ArrayList<>();
            for (DetectedFace d : detector.detect(image, settings)) {
                Double sharpness;
                try (var crop = thumbnails.cropRect(d.box(), image.width(), image.height())) {
                    sharpness = FaceSharpness.of(image.bgr(), crop);
                }
                out.add(new Redetected(
                        d,
                        sharpness,
                        thumbnails
                                .originCrop(d.box(), image.width(), image.height())
                                .toBox()));
            }
            return out;
        }
    }

    /** What a video face track keeps of its best detection until the video is done. */
    private record TrackBest(Mat thumbnail, Double sharpness, byte[] frameJpeg, String cropBox)
            implements AutoCloseable {
        @Override
        public void close() {
            if (thumbnail != null) {
                thumbnail.close();
            }
        }
    }

    /**
     * Samples the video every {@code video.intervalSeconds()} seconds, detects per frame and stores one face per track
     * ({@link VideoFaceTracks}); thumbnails are named {@code <video name>_f<frame>_TN<index + 1>.jpg}.
     */
    private List<NewFace> detectVideo(Path path, long id, String filePath) {
        String fileName = ThumbnailWriter.baseName(filePath);
        VideoFaceTracks<TrackBest> tracks = new VideoFaceTracks<>(video.trackIou());
        int[] detections = {0};
        var summary = videoFrames.sample(path, video.intervalSeconds(), video.maxFrames(), (frame, seconds, image) -> {
            List<DetectedFace> detected = detector.detect(image, settings);
            detections[0] += detected.size();
            byte[][] jpeg = {null}; // encoded once per frame, only when one of its faces becomes a track's best
            tracks.add(frame, detected, face -> {
                if (frames != null && jpeg[0] == null) {
                    jpeg[0] = encodeJpeg(image.bgr());
                }
                try (var crop = thumbnails.cropRect(face.box(), image.width(), image.height())) {
                    return new TrackBest(
                            crop == null || thumbnails.isDryRun() ? null : thumbnails.thumbnail(image, crop),
                            crop == null ? null : FaceSharpness.of(image.bgr(), crop),
                            jpeg[0],
                            thumbnails
                                    .originCrop(face.box(), image.width(), image.height())
                                    .toOriginText());
                }
            });
            return true;
        });
        List<NewFace> found = new ArrayList<>();
        Map<Integer, Integer> indexInFrame = new HashMap<>();
        if (frames != null) {
            frames.deleteItem(id);
        }
        for (VideoFaceTracks.Kept<TrackBest> k : tracks.kept()) {
            try (TrackBest best = k.payload()) {
                int index = indexInFrame.merge(k.frameNumber(), 1, Integer::sum) - 1;
                if (index == 0 && best.frameJpeg() != null) {
                    frames.write(id, k.frameNumber(), best.frameJpeg());
                }
                String name = thumbnails.fileName(id, filePath, k.frameNumber(), index);
                boolean thumbnail = best.thumbnail() != null || (thumbnails.isDryRun() && best.sharpness() != null);
                Path thumb = thumbnail ? thumbnails.saveAs(best.thumbnail(), name) : null;
                found.add(new NewFace(
                        k.frameNumber(),
                        index,
                        k.face(),
                        thumb == null ? null : thumb.toString(),
                        best.sharpness(),
                        best.cropBox(),
                        thumb == null ? null : name));
            }
        }
        log.info(
                "video {}: {} of {} frames sampled ({} fps), {} detection(s) in {} track(s)",
                fileName,
                summary.framesSampled(),
                summary.framesDecoded(),
                String.format(Locale.ROOT, "%.2f", summary.frameRate()),
                detections[0],
                found.size());
        return found;
    }

    private static byte[] encodeJpeg(Mat bgr) {
        try (BytePointer buf = new BytePointer()) {
            if (!imencode(".jpg", bgr, buf)) {
                return null;
            }
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }
}
