package io.facerec.common.image;

import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.meanStdDev;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgproc.Laplacian;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * The origin's sharpness of a face ({@code calculate_sharpness}): the variance of the Laplacian ({@code CV_64F}) of
 * its thumbnail file read as grey; 0 when the file cannot be read, as the origin's. Thumbnails are small (112 x 112);
 * a file larger than {@link #MAX_BYTES} is not decoded.
 */
public final class ThumbnailSharpness {
    static final long MAX_BYTES = 8L << 20;

    private ThumbnailSharpness() {}

    public static double of(Path thumbnail) {
        try {
            if (thumbnail == null || !Files.isRegularFile(thumbnail) || Files.size(thumbnail) > MAX_BYTES) {
                return 0;
            }
        } catch (IOException e) {
            return 0;
        }
        try (Mat grey = imread(thumbnail.toString(), IMREAD_GRAYSCALE)) {
            if (grey == null || grey.empty()) {
                return 0;
            }
            return ofGrey(grey);
        }
    }

    /** The variance of the Laplacian of a grey image. */
    public static double ofGrey(Mat grey) {
        try (Mat lap = new Mat();
                Mat mean = new Mat();
                Mat std = new Mat()) {
            Laplacian(grey, lap, CV_64F);
            meanStdDev(lap, mean, std);
            try (DoubleIndexer idx = std.createIndexer()) {
                double sd = idx.get(0);
                return sd * sd;
            }
        }
    }
}
