package io.facerec.detector.thumbnail;

import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.meanStdDev;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.Laplacian;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * The origin's sharpness measure for portraits: variance of the Laplacian of the face crop, on a 112x112 grey version
 * so faces of different sizes compare fairly.
 */
public final class FaceSharpness {
    private FaceSharpness() {}

    /** @return the sharpness, or null when the crop rectangle is null */
    public static Double of(Mat bgr, Rect crop) {
        if (crop == null) {
            return null;
        }
        try (Mat face = new Mat(bgr, crop);
                Mat small = new Mat();
                Mat grey = new Mat();
                Mat lap = new Mat();
                Mat mean = new Mat();
                Mat std = new Mat();
                Size s = new Size(112, 112)) {
            resize(face, small, s, 0, 0, INTER_AREA);
            cvtColor(small, grey, COLOR_BGR2GRAY);
            Laplacian(grey, lap, CV_64F);
            meanStdDev(lap, mean, std);
            try (DoubleIndexer idx = std.createIndexer()) {
                double sd = idx.get(0);
                return sd * sd;
            }
        }
    }
}
