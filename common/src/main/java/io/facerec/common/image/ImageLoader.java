package io.facerec.common.image;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

import io.facerec.common.error.PermanentProcessingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Decodes photos to 8-bit BGR with OpenCV ({@code imread}: libjpeg-turbo for JPEGs, the EXIF orientation applied;
 * grayscale, 16-bit, CMYK and alpha images all become 8-bit BGR; a truncated JPEG is kept as libjpeg fills it in), as
 * the reference recognition pipeline decodes. Reduced decoding (2, 4, 8) scales inside the JPEG decoder.
 *
 * <p>Refuses, with a clear {@link PermanentProcessingException}, missing and empty files, files that are not images, and
 * images whose pixel count exceeds the limit (read from the header before decoding: JPEG, PNG, GIF and BMP by
 * {@link ImageHeaders}, other formats the JDK knows by its readers; checked again after decoding for the rest), and
 * images of at least 4 megapixels whose header declares more pixels per byte of file than a real picture can have
 * ({@code IMPLAUSIBLE_HEADER}: a few hundred bytes declaring a canvas of tens of megapixels would otherwise be decoded to
 * full size). Decoder errors are permanent failures too. Videos are read by {@link #videoFrames()} within the same
 * pixel limit and a {@link VideoBudget}.
 */
public class ImageLoader {
    /** The default pixel limit: above any camera's photo (a 100-megapixel medium-format sensor is the largest sold). */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;
    /** The default plausibility bound, in declared pixels per byte of file (see {@link #withMaxPixelsPerByte}). */
    public static final long DEFAULT_MAX_PIXELS_PER_BYTE = 2_000L;
    /** Images below this many pixels are cheap to decode whatever their size: the plausibility check starts here. */
    static final long PLAUSIBILITY_FROM_PIXELS = 4_000_000L;

    private final long maxPixels;
    private final long maxPixelsPerByte;
    private final VideoBudget videoBudget;

    /** @param maxPixels largest width x height accepted */
    public ImageLoader(long maxPixels) {
        this(maxPixels, DEFAULT_MAX_PIXELS_PER_BYTE, VideoBudget.DEFAULT);
    }

    private ImageLoader(long maxPixels, long maxPixelsPerByte, VideoBudget videoBudget) {
        this.maxPixels = maxPixels;
        this.maxPixelsPerByte = maxPixelsPerByte;
        this.videoBudget = videoBudget;
    }

    /**
     * The same loader with another plausibility bound: an image of at least 4 megapixels whose header declares more
     * pixels per byte of file than this is refused before decoding.
     */
    public ImageLoader withMaxPixelsPerByte(long pixelsPerByte) {
        return new ImageLoader(maxPixels, pixelsPerByte, videoBudget);
    }

    /** The same loader with another budget for videos. */
    public ImageLoader withVideoBudget(VideoBudget budget) {
        return new ImageLoader(maxPixels, maxPixelsPerByte, budget);
    }

    /** A reader of video frames within this loader's pixel limit and video budget. */
    public VideoFrames videoFrames() {
        return new VideoFrames(maxPixels, videoBudget);
    }

    public VideoBudget videoBudget() {
        return videoBudget;
    }

    /**
     * The size of a media file that exists and is not empty. @throws PermanentProcessingException {@code FILE_MISSING}
     * or {@code EMPTY_FILE}
     */
    static long requireNonEmpty(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new PermanentProcessingException("FILE_MISSING", "cannot read " + file + ": " + e.getMessage());
        }
        if (size == 0) {
            throw new PermanentProcessingException("EMPTY_FILE", "the file is empty (0 bytes): " + file);
        }
        return size;
    }

    /** The largest width x height accepted. */
    public long maxPixels() {
        return maxPixels;
    }

    public DecodedImage load(Path file) {
        return load(file, 1);
    }

    /**
     * Decodes at 1/{@code reduction} of the size (2, 4 or 8; JPEGs are scaled inside the decoder, which is much
     * faster than a full decode; other formats are resized). Pixel {@code x} of the full image is at
     * {@code (x + 0.5) / reduction - 0.5} in the reduced one.
     */
    public DecodedImage load(Path file, int reduction) {
        int flags = switch (reduction) {
            case 1 -> IMREAD_COLOR;
            case 2 -> IMREAD_REDUCED_COLOR_2;
            case 4 -> IMREAD_REDUCED_COLOR_4;
            case 8 -> IMREAD_REDUCED_COLOR_8;
            default -> throw new IllegalArgumentException("reduction must be 1, 2, 4 or 8, not " + reduction);
        };
        long size = requireNonEmpty(file);
        checkHeader(file, size);
        Mat m;
        try {
            m = imread(file.toString(), flags);
        } catch (RuntimeException e) {
            // OpenCV throws (cv::Exception) for headers it refuses itself, e.g. more than CV_IO_MAX_IMAGE_PIXELS in a
            // format whose header the JDK cannot read (PNM, WebP, TIFF variants...): as permanent as the bad file is.
            String reason = String.valueOf(e.getMessage());
            boolean tooBig = reason.contains("CV_IO_MAX_IMAGE_PIXELS") || reason.contains("validateInputImageSize");
            throw new PermanentProcessingException(
                    tooBig ? "TOO_MANY_PIXELS" : "NOT_AN_IMAGE",
                    "cannot decode "
                            + file.getFileName() + ": "
                            + (tooBig
                                    ? "its header declares more pixels than the decoder accepts"
                                    : reason.strip().lines().findFirst().orElse(reason)),
                    e);
        }
        if (m == null || m.empty()) {
            if (m != null) {
                m.close();
            }
            throw new PermanentProcessingException(
                    "NOT_AN_IMAGE",
                    "cannot decode " + file.getFileName() + ": not an image, truncated, or an unsupported format");
        }
        long pixels = (long) m.cols() * m.rows() * reduction * reduction;
        if (pixels > maxPixels) { // formats whose header the JDK cannot read were not checked before decoding
            int w = m.cols();
            int h = m.rows();
            m.close();
            throw new PermanentProcessingException(
                    "TOO_MANY_PIXELS",
                    String.format(
                            "image %s is %dx%d = %d pixels, above the limit of %d",
                            file.getFileName(), w * reduction, h * reduction, pixels, maxPixels));
        }
        return new DecodedImage(m, m.cols(), m.rows());
    }

    /**
     * Reads the dimensions from the header (JPEG, PNG, GIF, BMP) and refuses, before decoding, too many pixels and a
     * canvas implausibly large for the file's size.
     */
    private void checkHeader(Path file, long fileBytes) {
        long[] size = ImageHeaders.dimensions(file);
        if (size != null) {
            checkDimensions(file, size[0], size[1], fileBytes);
            return;
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                return;
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return; // not a format the JDK knows; OpenCV decides
            }
            ImageReader r = readers.next();
            try {
                r.setInput(in, true, true);
                checkDimensions(file, r.getWidth(0), r.getHeight(0), fileBytes);
            } finally {
                r.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof PermanentProcessingException p) {
                throw p;
            }
            // header unreadable by the JDK: let the decoders try and report
        }
    }

    /** Refuses too many pixels, and a canvas implausibly large for the file's size, before decoding. */
    private void checkDimensions(Path file, long w, long h, long fileBytes) {
        if (w * h > maxPixels) {
            throw new PermanentProcessingException(
                    "TOO_MANY_PIXELS",
                    String.format(
                            "image %s is %dx%d = %d pixels, above the limit of %d",
                            file.getFileName(), w, h, w * h, maxPixels));
        }
        if (w * h >= PLAUSIBILITY_FROM_PIXELS && w * h > fileBytes * maxPixelsPerByte) {
            throw new PermanentProcessingException(
                    "IMPLAUSIBLE_HEADER",
                    String.format(
                            "image %s declares %dx%d = %d pixels in a file of only %d bytes (%d pixels per byte, a real "
                                    + "picture has at most %d): refused before decoding",
                            file.getFileName(), w, h, w * h, fileBytes, w * h / fileBytes, maxPixelsPerByte));
        }
    }
}
