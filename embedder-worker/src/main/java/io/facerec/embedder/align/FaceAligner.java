package io.facerec.embedder.align;

import static org.bytedeco.opencv.global.opencv_calib3d.LMEDS;
import static org.bytedeco.opencv.global.opencv_calib3d.estimateAffinePartial2D;
import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC2;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.Landmarks;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Brings a face into the embedding model's input frame. {@link Mode#ARCFACE_5POINT}: a similarity transform
 * (rotation, uniform scale, translation) that maps the five landmarks onto the ArcFace 112x112 template, estimated with
 * {@code estimateAffinePartial2D} (LMEDS, as insightface's {@code norm_crop}), then {@code warpAffine}.
 * {@link Mode#CROP_RESIZE}: the origin's FaceNet way, the box cropped and resized, no alignment.
 */
public class FaceAligner {
    /** ArcFace reference points for a 112x112 crop. */
    public static final float[][] ARCFACE_112 = {
        {38.2946f, 51.6963f}, {73.5318f, 51.5014f}, {56.0252f, 71.7366f}, {41.5493f, 92.3655f}, {70.7299f, 92.2041f}
    };

    public enum Mode {
        ARCFACE_5POINT,
        CROP_RESIZE
    }

    private final Mode mode;
    private final int size;

    public FaceAligner(Mode mode, int size) {
        this.mode = mode;
        this.size = size;
    }

    public int size() {
        return size;
    }

    public Mode mode() {
        return mode;
    }

    /**
     * The 2x3 similarity transform (row-major) that maps the landmarks onto the template scaled to this size.
     *
     * @throws IllegalArgumentException when the landmarks are degenerate
     */
    public double[] transform(Landmarks landmarks) {
        try (Mat m = estimate(landmarks)) {
            double[] t = new double[6];
            try (DoubleIndexer idx = m.createIndexer()) {
                for (int r = 0; r < 2; r++) {
                    for (int c = 0; c < 3; c++) {
                        t[r * 3 + c] = idx.get(r, c);
                    }
                }
            }
            return t;
        }
    }

    private Mat estimate(Landmarks landmarks) {
        double k = size / 112.0;
        try (Mat src = new Mat(5, 1, CV_32FC2);
                Mat dst = new Mat(5, 1, CV_32FC2);
                Mat inliers = new Mat()) {
            try (FloatIndexer s = src.createIndexer();
                    FloatIndexer d = dst.createIndexer()) {
                for (int i = 0; i < 5; i++) {
                    s.put(i, 0, 0, (float) landmarks.x(i));
                    s.put(i, 0, 1, (float) landmarks.y(i));
                    d.put(i, 0, 0, (float) (ARCFACE_112[i][0] * k));
                    d.put(i, 0, 1, (float) (ARCFACE_112[i][1] * k));
                }
            }
            Mat m = estimateAffinePartial2D(src, dst, inliers, LMEDS, 3, 2000, 0.99, 10);
            if (m == null || m.empty()) {
                throw new IllegalArgumentException("landmarks are degenerate: no similarity transform");
            }
            return m;
        }
    }

    /** Returns a new {@code size x size} BGR image of the face; the caller closes it. */
    public Mat align(Mat bgr, BoundingBox box, Landmarks landmarks) {
        return align(bgr, box, mode == Mode.CROP_RESIZE ? null : transform(landmarks));
    }

    /**
     * As {@link #align(Mat, BoundingBox, Landmarks)} with the similarity transform already estimated
     * ({@link #transform}; ignored, may be null, for {@link Mode#CROP_RESIZE}).
     */
    public Mat align(Mat bgr, BoundingBox box, double[] transform) {
        if (mode == Mode.CROP_RESIZE) {
            int x1 = (int) Math.max(0, Math.floor(box.x1()));
            int y1 = (int) Math.max(0, Math.floor(box.y1()));
            int x2 = (int) Math.min(bgr.cols(), Math.ceil(box.x2()));
            int y2 = (int) Math.min(bgr.rows(), Math.ceil(box.y2()));
            Mat out = new Mat();
            try (Rect r = new Rect(x1, y1, Math.max(1, x2 - x1), Math.max(1, y2 - y1));
                    Mat crop = new Mat(bgr, r);
                    Size s = new Size(size, size)) {
                resize(crop, out, s, 0, 0, INTER_LINEAR);
            }
            return out;
        }
        try (Mat m = new Mat(2, 3, CV_64F);
                Size s = new Size(size, size);
                Scalar black = new Scalar(0, 0, 0, 0)) {
            try (DoubleIndexer idx = m.createIndexer()) {
                for (int i = 0; i < 6; i++) {
                    idx.put(i / 3, i % 3, transform[i]);
                }
            }
            Mat out = new Mat();
            warpAffine(bgr, out, m, s, INTER_LINEAR, BORDER_CONSTANT, black);
            return out;
        }
    }

    /**
     * The source region {@code [minX, minY, maxX, maxY]} that {@link #align} samples: the box for
     * {@link Mode#CROP_RESIZE}, else the output frame's corners mapped back through the transform.
     */
    public double[] footprint(BoundingBox box, double[] transform) {
        if (mode == Mode.CROP_RESIZE) {
            return new double[] {Math.floor(box.x1()), Math.floor(box.y1()), Math.ceil(box.x2()), Math.ceil(box.y2())};
        }
        double a = transform[0];
        double b = transform[1];
        double c = transform[3];
        double d = transform[4];
        double det = a * d - b * c;
        double[] r = {Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
        for (int corner = 0; corner < 4; corner++) {
            double u = (corner & 1) * (size - 1) - transform[2];
            double v = (corner >> 1) * (size - 1) - transform[5];
            double x = (d * u - b * v) / det;
            double y = (-c * u + a * v) / det;
            r[0] = Math.min(r[0], x);
            r[1] = Math.min(r[1], y);
            r[2] = Math.max(r[2], x);
            r[3] = Math.max(r[3], y);
        }
        return r;
    }
}
