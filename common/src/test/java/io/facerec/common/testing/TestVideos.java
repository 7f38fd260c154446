package io.facerec.common.testing;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/** Encodes short MP4 (MPEG-4 part 2) videos from photos for tests: nothing binary is committed. */
public final class TestVideos {
    private TestVideos() {}

    /** A run of frames: a photo (null = black) shown for {@code frames} frames, moving {@code dxPerFrame} px right. */
    public record Scene(Path photo, int frames, int dxPerFrame) {}

    /** Writes the scenes one after the other into a {@code width x height} video at {@code fps}. */
    public static Path encode(Path out, int width, int height, int fps, List<Scene> scenes) throws Exception {
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(out.toFile(), width, height, 0);
                OpenCVFrameConverter.ToMat conv = new OpenCVFrameConverter.ToMat()) {
            rec.setFormat("mp4");
            rec.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            rec.setFrameRate(fps);
            rec.setVideoBitrate(8_000_000);
            rec.setGopSize(fps);
            rec.start();
            for (Scene s : scenes) {
                Mat fitted = s.photo() == null ? null : fit(s.photo(), width, height);
                for (int i = 0; i < s.frames(); i++) {
                    try (Mat frame = new Mat(height, width, CV_8UC3, new Scalar(0, 0, 0, 0))) {
                        if (fitted != null) {
                            int dx = Math.min(i * s.dxPerFrame(), width - fitted.cols());
                            try (Rect r = new Rect(dx, 0, fitted.cols(), fitted.rows());
                                    Mat dst = new Mat(frame, r)) {
                                fitted.copyTo(dst);
                            }
                        }
                        rec.record(conv.convert(frame));
                    }
                }
                if (fitted != null) {
                    fitted.close();
                }
            }
            rec.stop();
        }
        return out;
    }

    /**
     * A video whose frame {@code i} is a uniform grey of level {@code 20 + 4 * (i % 50)}, so a decoded frame tells its
     * number modulo 50 ({@link #levelOf}); small frames make long videos cheap to write and tiny on disk.
     */
    public static Path numbered(Path out, int width, int height, int fps, int frames, int gop) throws Exception {
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(out.toFile(), width, height, 0);
                OpenCVFrameConverter.ToMat conv = new OpenCVFrameConverter.ToMat()) {
            rec.setFormat("mp4");
            rec.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            rec.setFrameRate(fps);
            rec.setVideoBitrate(200_000);
            rec.setGopSize(gop);
            rec.start();
            for (int i = 0; i < frames; i++) {
                int level = 20 + 4 * (i % 50);
                try (Mat frame = new Mat(height, width, CV_8UC3, new Scalar(level, level, level, 0))) {
                    rec.record(conv.convert(frame));
                }
            }
            rec.stop();
        }
        return out;
    }

    /**
     * The frame number modulo 50 that a frame of {@link #numbered} shows: its mean grey level (the MPEG-4 round trip
     * darkens a uniform grey by about 4 levels; the levels are 4 apart).
     */
    public static int levelOf(Mat bgr) {
        double mean = org.bytedeco.opencv.global.opencv_core.mean(bgr).get(0);
        return (int) Math.round((mean - 16) / 4);
    }

    /** The photo scaled to fit inside {@code width x height} with room left to move (at most 90% of the width). */
    private static Mat fit(Path photo, int width, int height) {
        try (Mat src = imread(photo.toString(), IMREAD_COLOR)) {
            if (src.empty()) {
                throw new IllegalArgumentException("cannot read " + photo);
            }
            double s = Math.min(0.9 * width / src.cols(), (double) height / src.rows());
            Mat dst = new Mat();
            try (Size size = new Size((int) (src.cols() * s), (int) (src.rows() * s))) {
                resize(src, dst, size, 0, 0, INTER_AREA);
            }
            return dst;
        }
    }

    /** Convenience for a list literal. */
    public static List<Scene> scenes(Scene... s) {
        return new ArrayList<>(List.of(s));
    }
}
