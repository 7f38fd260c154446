package io.facerec.detector.thumbnail;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.image.DecodedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * The origin's face thumbnails: a square crop around the box with a margin, taken from the original image (not the
 * letterboxed model input), resized to {@code size x size} and saved as {@code <image name>_<face index>.<ext>}.
 * Crops smaller than {@code minCropSize} pixels are skipped.
 */
public class ThumbnailWriter {
    private final Path dir;
    private final double margin;
    private final int size;
    private final int minCropSize;
    private io.facerec.common.files.FilePermissions permissions = io.facerec.common.files.FilePermissions.OWNER;

    /**
     * @param margin extra border on each side, as a fraction of the box's longer side
     * @param size thumbnail side in pixels (origin: 112)
     * @param minCropSize crops with a shorter side below this are not written
     */
    public ThumbnailWriter(Path dir, double margin, int size, int minCropSize) {
        this.dir = dir;
        this.margin = margin;
        this.size = size;
        this.minCropSize = minCropSize;
    }

    public Path dir() {
        return dir;
    }

    /** Who may read the thumbnails and their folder (default: this account only). */
    public ThumbnailWriter withPermissions(io.facerec.common.files.FilePermissions permissions) {
        this.permissions = permissions;
        return this;
    }

    /** The square crop rectangle, clipped to the image; null when it is too small. */
    public Rect cropRect(BoundingBox box, int width, int height) {
        double side = Math.max(box.width(), box.height()) * (1 + 2 * margin);
        double cx = (box.x1() + box.x2()) / 2;
        double cy = (box.y1() + box.y2()) / 2;
        int x1 = (int) Math.max(0, Math.round(cx - side / 2));
        int y1 = (int) Math.max(0, Math.round(cy - side / 2));
        int x2 = (int) Math.min(width, Math.round(cx + side / 2));
        int y2 = (int) Math.min(height, Math.round(cy + side / 2));
        if (x2 - x1 < minCropSize || y2 - y1 < minCropSize) {
            return null;
        }
        return new Rect(x1, y1, x2 - x1, y2 - y1);
    }

    /**
     * Writes one thumbnail and returns its path, or null when the crop is too small.
     *
     * @param baseName image name without extension
     * @param extension file extension without the dot, e.g. {@code jpg}
     */
    public Path write(DecodedImage image, BoundingBox box, String baseName, int faceIndex, String extension) {
        try (Rect r = cropRect(box, image.width(), image.height())) {
            return write(image, r, baseName, faceIndex, extension);
        }
    }

    /** As {@link #write(DecodedImage, BoundingBox, String, int, String)} with a crop from {@link #cropRect}. */
    public Path write(DecodedImage image, Rect r, String baseName, int faceIndex, String extension) {
        if (r == null) {
            return null;
        }
        try (Mat thumb = thumbnail(image, r)) {
            return save(thumb, baseName, faceIndex, extension);
        }
    }

    /** The resized thumbnail pixels of a crop (kept in memory while a video's best face per track is chosen). */
    public Mat thumbnail(DecodedImage image, Rect r) {
        Mat thumb = new Mat();
        try (Mat crop = new Mat(image.bgr(), r); Size s = new Size(size, size)) {
            resize(crop, thumb, s, 0, 0, INTER_AREA);
        }
        return thumb;
    }

    /** Writes thumbnail pixels as {@code <baseName>_<faceIndex>.<extension>} and returns the path. */
    public Path save(Mat thumb, String baseName, int faceIndex, String extension) {
        permissions.folder(dir);
        Path out = dir.resolve(baseName + "_" + faceIndex + "." + extension);
        if (!imwrite(out.toString(), thumb)) {
            throw new UncheckedIOException(new IOException("cannot write thumbnail " + out));
        }
        return permissions.file(out);
    }

    /** Thumbnail extension for a source file: the origin kept the image's own; unknown ones become jpg. */
    public static String extensionFor(String fileName) {
        String ext = fileName.contains(".") ? fileName.substring(fileName.lastIndexOf('.') + 1).toLowerCase() : "";
        return switch (ext) {
            case "jpg", "jpeg", "png", "bmp", "webp" -> ext;
            default -> "jpg";
        };
    }

    public static String baseName(String fileName) {
        int slash = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
        String n = fileName.substring(slash + 1);
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
