package io.facerec.common.image;

import io.facerec.common.error.PermanentProcessingException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.SortedSet;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegLogCallback;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Reads the frames of a video media item with FFmpeg (JavaCV's {@link FFmpegFrameGrabber}). Frames are numbered by
 * time: frame {@code n} is the one shown at {@code n / fps} seconds after the stream start (FFmpeg's best-effort
 * timestamp, as {@link FFmpegFrameGrabber#getFrameNumber()} counts; for a constant-rate video that is the decoding
 * order from 0). {@code Faces.FrameNumber} stores it: the detector samples frames every {@code interval} seconds, the
 * embedder and the repair read the same numbers again. Each frame is handed over as 8-bit BGR like a decoded photo.
 *
 * <p>A video is untrusted input, read within a {@link VideoBudget}: a declared duration above the budget is refused
 * before any frame is decoded ({@code VIDEO_TOO_LONG}), and a pass that decodes more frames or takes longer than the
 * budget stops with {@code VIDEO_BUDGET_EXCEEDED}. Frames between the wanted ones are decoded without being converted,
 * and a wanted frame farther ahead than the largest distance between key frames seen so far (two seconds until two have
 * been seen; at least {@value #MIN_SEEK_FRAMES} frames) is reached by seeking, so reading a few frames of a long video
 * does not decode it from the start. A file FFmpeg
 * cannot open or that has no video stream is a permanent failure ({@code NOT_A_VIDEO}); frames larger than the pixel
 * limit are refused before any is decoded ({@code TOO_MANY_PIXELS}).
 */
public final class VideoFrames {
    /** File extensions treated as video. */
    public static final Set<String> EXTENSIONS =
            Set.of("mp4", "m4v", "mov", "avi", "mkv", "webm", "mpg", "mpeg", "3gp", "wmv", "mts", "m2ts");

    static {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR); // FFmpeg's own chatter stays out of the worker logs
        FFmpegLogCallback.setLevel(avutil.AV_LOG_ERROR);
    }

    /** Receives one decoded frame; the image is closed after the call returns. */
    @FunctionalInterface
    public interface FrameConsumer {
        /** @return false to stop reading */
        boolean accept(int frameNumber, double seconds, DecodedImage frame);
    }

    /**
     * What a pass saw.
     *
     * @param framesDecoded frames decoded, counting the ones a seek decodes as the distance from the last key frame
     *     (estimated by the largest key frame distance seen)
     * @param seeks how often the pass jumped ahead instead of decoding every frame on the way
     */
    public record Summary(int framesDecoded, int framesSampled, double frameRate, int width, int height, int seeks) {}

    /** Jumps shorter than this are decoded through: a seek costs about as much as a few frames. */
    static final int MIN_SEEK_FRAMES = 8;

    private final long maxPixels;
    private final VideoBudget budget;

    public VideoFrames(long maxPixels) {
        this(maxPixels, VideoBudget.DEFAULT);
    }

    public VideoFrames(long maxPixels, VideoBudget budget) {
        this.maxPixels = maxPixels;
        this.budget = budget;
    }

    /** True when the file name's extension is a video one. */
    public static boolean isVideo(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /**
     * The first frame at or after every multiple of {@code round(intervalSeconds * fps)} (at least every frame), at most
     * {@code maxFrames} of them.
     */
    public Summary sample(Path file, double intervalSeconds, int maxFrames, FrameConsumer consumer) {
        return read(file, null, intervalSeconds, maxFrames, consumer);
    }

    /** Exactly the frames with the given numbers, in order (a number the video does not have is skipped). */
    public Summary frames(Path file, SortedSet<Integer> frameNumbers, FrameConsumer consumer) {
        return read(file, frameNumbers, 0, Integer.MAX_VALUE, consumer);
    }

    private Summary read(
            Path file, SortedSet<Integer> wanted, double intervalSeconds, int maxFrames, FrameConsumer consumer) {
        ImageLoader.requireNonEmpty(file);
        long t0 = System.nanoTime();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile());
                OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            try {
                grabber.start();
            } catch (FrameGrabber.Exception e) {
                throw new PermanentProcessingException(
                        "NOT_A_VIDEO",
                        "cannot open " + file.getFileName() + " as a video: " + firstLine(e.getMessage()),
                        e);
            }
            int w = grabber.getImageWidth();
            int h = grabber.getImageHeight();
            if (w <= 0 || h <= 0) {
                throw new PermanentProcessingException("NOT_A_VIDEO", file.getFileName() + " has no video stream");
            }
            if ((long) w * h > maxPixels) {
                throw new PermanentProcessingException(
                        "TOO_MANY_PIXELS",
                        String.format(
                                Locale.ROOT,
                                "video %s is %dx%d = %d pixels per frame, above the limit of %d",
                                file.getFileName(),
                                w,
                                h,
                                (long) w * h,
                                maxPixels));
            }
            long declaredMicros = grabber.getLengthInTime();
            if (declaredMicros > budget.maxDuration().toNanos() / 1000) {
                throw tooLong(file, declaredMicros / 1e6);
            }
            double fps = grabber.getFrameRate() > 0 ? grabber.getFrameRate() : 25.0;
            Pass pass = new Pass(grabber, file, fps, t0);
            int step = Math.max(1, (int) Math.round(intervalSeconds * fps));
            Iterator<Integer> exact = wanted == null ? null : wanted.iterator();
            int target = exact == null ? 0 : exact.hasNext() ? exact.next() : -1;
            int sampled = 0;
            while (target >= 0 && sampled < maxFrames) {
                Frame frame = pass.advanceTo(target);
                if (frame == null) {
                    break; // end of the video
                }
                int n = pass.current;
                if (n > budget.maxDuration().toSeconds() * fps + fps) {
                    throw tooLong(file, n / fps);
                }
                if (exact == null || n == target) {
                    sampled++;
                    Mat view = converter.convert(frame);
                    Mat bgr = view.clone(); // the grabber reuses its buffer for the next frame
                    boolean more;
                    try (DecodedImage image = new DecodedImage(bgr, bgr.cols(), bgr.rows())) {
                        more = consumer.accept(n, n / fps, image);
                    }
                    if (!more) {
                        break;
                    }
                }
                if (exact == null) {
                    target = (n / step + 1) * step;
                } else {
                    target = -1;
                    while (exact.hasNext()) {
                        int next = exact.next();
                        if (next > n) {
                            target = next;
                            break;
                        }
                    }
                }
            }
            if (pass.decoded == 0) {
                throw new PermanentProcessingException(
                        "NOT_A_VIDEO", file.getFileName() + " contains no decodable frame");
            }
            return new Summary(pass.decoded, sampled, fps, w, h, pass.seeks);
        } catch (FrameGrabber.Exception e) {
            throw new PermanentProcessingException(
                    "NOT_A_VIDEO", "cannot read " + file.getFileName() + ": " + firstLine(e.getMessage()), e);
        }
    }

    private PermanentProcessingException tooLong(Path file, double seconds) {
        return new PermanentProcessingException(
                "VIDEO_TOO_LONG",
                String.format(
                        Locale.ROOT,
                        "video %s lasts %.0f s, above the limit of %d s (facerec.media.video-max-duration)",
                        file.getFileName(),
                        seconds,
                        budget.maxDuration().toSeconds()));
    }

    /** One pass over a video: where the decoder stands, what it cost so far. */
    private final class Pass {
        final FFmpegFrameGrabber grabber;
        final Path file;
        final double fps;
        final long t0;
        /** Number of the frame decoded last (-1: none yet). */
        int current = -1;

        int decoded;
        int seeks;
        boolean seekable = true;
        int lastKeyFrame = -1;
        /** Largest distance between two key frames seen (frames); before two are seen, two seconds. */
        int keyFrameDistance;

        boolean keyFrameDistanceSeen;
        /** The last frame returned, still valid until the next grab. */
        Frame last;

        Pass(FFmpegFrameGrabber grabber, Path file, double fps, long t0) {
            this.grabber = grabber;
            this.file = file;
            this.fps = fps;
            this.t0 = t0;
            this.keyFrameDistance = (int) Math.ceil(2 * fps);
        }

        /** The first frame numbered {@code target} or later, converted; null at the end of the video. */
        Frame advanceTo(int target) throws FrameGrabber.Exception {
            if (last != null && current >= target) {
                return last; // decoded already (a frame past a missing one)
            }
            // seeking pays when a key frame lies between here and the target (and the jump is worth a seek at all)
            int gap = current < 0 ? target : target - current;
            boolean far = gap > Math.max(keyFrameDistance, MIN_SEEK_FRAMES);
            if (seekable && far) {
                Frame f = seek(target);
                if (seekable) {
                    return f; // null: the video ends before the target
                }
            }
            while (true) {
                boolean convert = current + 1 >= target;
                Frame f = grab(convert);
                if (f == null) {
                    return last = null;
                }
                if (current >= target) {
                    if (!convert) { // a gap in the timestamps: the target came without conversion; read it again
                        Frame again = seekable ? seek(current) : null;
                        if (again != null) {
                            return again;
                        }
                        if (seekable) {
                            return last = null;
                        }
                        continue; // cannot seek back: the next frame will do
                    }
                    return last = f;
                }
            }
        }

        private Frame grab(boolean convert) throws FrameGrabber.Exception {
            Frame f;
            try {
                f = convert ? grabber.grabImage() : grabber.grabFrame(false, true, false, false, false);
            } catch (FrameGrabber.Exception e) {
                throw new PermanentProcessingException(
                        "NOT_A_VIDEO",
                        "cannot decode a frame of " + file.getFileName() + ": " + firstLine(e.getMessage()),
                        e);
            }
            if (f == null) {
                return null;
            }
            decoded++;
            current = grabber.getFrameNumber();
            if (f.keyFrame) {
                if (lastKeyFrame >= 0 && current > lastKeyFrame) {
                    int d = current - lastKeyFrame;
                    keyFrameDistance = keyFrameDistanceSeen ? Math.max(keyFrameDistance, d) : d;
                    keyFrameDistanceSeen = true;
                }
                lastKeyFrame = current;
            }
            checkBudget();
            return f;
        }

        /**
         * Jumps to the frame {@code target} (FFmpeg decodes from the key frame before it); null at the end of the video,
         * or when the stream cannot seek ({@link #seekable} is then false).
         */
        private Frame seek(int target) {
            try {
                grabber.setVideoFrameNumber(target);
                Frame f = grabber.grabImage();
                seeks++;
                if (f == null) {
                    return null;
                }
                current = grabber.getFrameNumber();
                decoded += Math.max(1, Math.min(keyFrameDistance, target + 1));
                checkBudget();
                return last = f;
            } catch (FrameGrabber.Exception e) {
                seekable = false; // a stream that cannot seek is read frame by frame
                return null;
            }
        }

        private void checkBudget() {
            long elapsedNanos = System.nanoTime() - t0;
            if (decoded > budget.maxDecodedFrames()
                    || elapsedNanos > budget.maxTimePerItem().toNanos()) {
                throw new PermanentProcessingException(
                        "VIDEO_BUDGET_EXCEEDED",
                        String.format(
                                Locale.ROOT,
                                "video %s: stopped after %d decoded frames and %.1f s at frame %d (%.0f s into the video), above "
                                        + "the budget of %d frames and %d s per pass (facerec.media.video-max-decoded-frames, "
                                        + "video-max-time-per-item)",
                                file.getFileName(),
                                decoded,
                                elapsedNanos / 1e9,
                                current,
                                current / fps,
                                budget.maxDecodedFrames(),
                                budget.maxTimePerItem().toSeconds()));
            }
        }
    }

    private static String firstLine(String s) {
        return s == null ? "unknown error" : s.strip().lines().findFirst().orElse(s);
    }
}
