package io.facerec.common.image;

import io.facerec.common.error.PermanentProcessingException;
import java.nio.file.Path;
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
 * decoding order from 0, which is what {@code Faces.FrameNumber} stores: the detector samples frames every
 * {@code interval} seconds, the embedder decodes the same numbers again. Each frame is handed over as 8-bit BGR like a
 * decoded photo. A file FFmpeg cannot open or that has no video stream is a permanent failure ({@code NOT_A_VIDEO});
 * frames larger than the pixel limit are refused before any is decoded ({@code TOO_MANY_PIXELS}).
 */
public final class VideoFrames {
    /** File extensions treated as video. */
    public static final Set<String> EXTENSIONS = Set.of("mp4", "m4v", "mov", "avi", "mkv", "webm", "mpg", "mpeg",
            "3gp", "wmv", "mts", "m2ts");

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

    /** What a sampling pass saw. */
    public record Summary(int framesDecoded, int framesSampled, double frameRate, int width, int height) {
    }

    private final long maxPixels;

    public VideoFrames(long maxPixels) {
        this.maxPixels = maxPixels;
    }

    /** True when the file name's extension is a video one. */
    public static boolean isVideo(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** Every frame whose number is a multiple of {@code round(intervalSeconds * fps)} (at least every frame). */
    public Summary sample(Path file, double intervalSeconds, int maxFrames, FrameConsumer consumer) {
        return read(file, null, intervalSeconds, maxFrames, consumer);
    }

    /** Exactly the frames with the given numbers, in order. */
    public Summary frames(Path file, SortedSet<Integer> frameNumbers, FrameConsumer consumer) {
        return read(file, frameNumbers, 0, Integer.MAX_VALUE, consumer);
    }

    private Summary read(Path file, SortedSet<Integer> wanted, double intervalSeconds, int maxFrames,
            FrameConsumer consumer) {
        ImageLoader.requireNonEmpty(file);
        int decoded = 0;
        int sampled = 0;
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile());
                OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            try {
                grabber.start();
            } catch (FrameGrabber.Exception e) {
                throw new PermanentProcessingException("NOT_A_VIDEO",
                        "cannot open " + file.getFileName() + " as a video: " + firstLine(e.getMessage()), e);
            }
            int w = grabber.getImageWidth();
            int h = grabber.getImageHeight();
            if (w <= 0 || h <= 0) {
                throw new PermanentProcessingException("NOT_A_VIDEO", file.getFileName() + " has no video stream");
            }
            if ((long) w * h > maxPixels) {
                throw new PermanentProcessingException("TOO_MANY_PIXELS", String.format(Locale.ROOT,
                        "video %s is %dx%d = %d pixels per frame, above the limit of %d", file.getFileName(), w, h,
                        (long) w * h, maxPixels));
            }
            double fps = grabber.getFrameRate() > 0 ? grabber.getFrameRate() : 25.0;
            int step = Math.max(1, (int) Math.round(intervalSeconds * fps));
            int last = wanted == null ? Integer.MAX_VALUE : wanted.last();
            Frame frame;
            while (decoded <= last && sampled < maxFrames && (frame = grabImage(grabber, file)) != null) {
                int n = decoded++;
                boolean take = wanted == null ? n % step == 0 : wanted.contains(n);
                if (!take || frame.image == null) {
                    continue;
                }
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
            if (decoded == 0) {
                throw new PermanentProcessingException("NOT_A_VIDEO", file.getFileName() + " contains no decodable frame");
            }
            return new Summary(decoded, sampled, fps, w, h);
        } catch (FrameGrabber.Exception e) {
            throw new PermanentProcessingException("NOT_A_VIDEO",
                    "cannot read " + file.getFileName() + ": " + firstLine(e.getMessage()), e);
        }
    }

    private static Frame grabImage(FFmpegFrameGrabber grabber, Path file) {
        try {
            return grabber.grabImage();
        } catch (FrameGrabber.Exception e) {
            throw new PermanentProcessingException("NOT_A_VIDEO",
                    "cannot decode a frame of " + file.getFileName() + ": " + firstLine(e.getMessage()), e);
        }
    }

    private static String firstLine(String s) {
        return s == null ? "unknown error" : s.strip().lines().findFirst().orElse(s);
    }
}
