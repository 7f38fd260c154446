package io.facerec.detector.thumbnail;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.facerec.common.files.FilePermissions;
import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.OriginCrop;
import io.facerec.common.image.DecodedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origin's face thumbnails: its square crop around the box ({@link OriginCrop}, margin per side), taken from the
 * original image (not the letterboxed model input), resized to {@code size x size} with {@code INTER_AREA} and saved
 * as {@code <image name>_TN<face index + 1><ext>} ({@link Naming#ORIGIN}; the file name is what {@code Faces.Name}
 * holds). Crops smaller than {@code minCropSize} pixels are skipped. A dry-run writer names and logs every thumbnail
 * but writes none.
 */
public class ThumbnailWriter {
    private static final Logger log = LoggerFactory.getLogger(ThumbnailWriter.class);
    /** Extensions OpenCV writes; a photo with any other gets a {@code .jpg} thumbnail. */
    private static final Set<String> WRITABLE = Set.of(
            ".jpg", ".jpeg", ".jpe", ".png", ".bmp", ".dib", ".tif", ".tiff", ".webp", ".jp2", ".pbm", ".pgm", ".ppm");

    /** How thumbnail files are named. */
    public enum Naming {
        /**
         * The origin's: {@code <name>_TN<i+1><ext>} ({@code photo_TN1.jpg}); two photos with the same name in different
         * folders share thumbnail names (the origin's behaviour: the later one overwrites the earlier's thumbnails).
         */
        ORIGIN,
        /** Unique per media item: {@code item<id>_<name>_<i>.<ext>} (facerec's naming before the drop-in). */
        ITEM_PREFIXED
    }

    private final Path dir;
    private final double margin;
    private final int size;
    private final int minCropSize;
    private final Naming naming;
    private final boolean dryRun;
    private final FilePermissions permissions;

    /**
     * @param margin border on each side as a fraction of the box's width (left, right) and height (top, bottom); the
     *     origin's is 0.2
     * @param size thumbnail side in pixels (origin: 112)
     * @param minCropSize crops with a shorter side below this are not written
     */
    public ThumbnailWriter(Path dir, double margin, int size, int minCropSize) {
        this(dir, margin, size, minCropSize, Naming.ORIGIN, false, FilePermissions.OWNER);
    }

    private ThumbnailWriter(
            Path dir,
            double margin,
            int size,
            int minCropSize,
            Naming naming,
            boolean dryRun,
            FilePermissions permissions) {
        this.dir = dir;
        this.margin = margin;
        this.size = size;
        this.minCropSize = minCropSize;
        this.naming = naming;
        this.dryRun = dryRun;
        this.permissions = permissions;
    }

    /** The same writer with another file naming. */
    public ThumbnailWriter withNaming(Naming n) {
        return new ThumbnailWriter(dir, margin, size, minCropSize, n, dryRun, permissions);
    }

    /** A writer that names and logs thumbnails but writes none (dry runs). */
    public ThumbnailWriter dryRun() {
        return new ThumbnailWriter(dir, margin, size, minCropSize, naming, true, permissions);
    }

    public boolean isDryRun() {
        return dryRun;
    }

    public Path dir() {
        return dir;
    }

    /** The origin's square crop of a box (what {@code Faces.BoundingBox} holds), clipped to the image. */
    public OriginCrop.Rect originCrop(BoundingBox box, int width, int height) {
        return OriginCrop.of(box, width, height, margin);
    }

    /** The same writer, with who may read the thumbnails and their folder (default: this account only). */
    public ThumbnailWriter withPermissions(FilePermissions p) {
        return new ThumbnailWriter(dir, margin, size, minCropSize, naming, dryRun, p);
    }

    /** The square crop rectangle, clipped to the image; null when it is too small. */
    public Rect cropRect(BoundingBox box, int width, int height) {
        OriginCrop.Rect r = originCrop(box, width, height);
        if (r.isEmpty() || r.width() < minCropSize || r.height() < minCropSize) {
            return null;
        }
        return new Rect(r.x1(), r.y1(), r.width(), r.height());
    }

    /**
     * The thumbnail file name of a face.
     *
     * @param mediaItemId the face's media item (used by {@link Naming#ITEM_PREFIXED})
     * @param filePath the photo's or video's path as stored ({@code MediaFile.FilePath}); only its last segment counts
     * @param frameNumber the video frame, or null for a photo
     * @param faceIndex the face's index in the photo or frame (0-based)
     */
    public String fileName(long mediaItemId, String filePath, Integer frameNumber, int faceIndex) {
        String stem = baseName(filePath);
        String frame = frameNumber == null ? "" : "_f" + frameNumber;
        if (naming == Naming.ITEM_PREFIXED) {
            String ext = frameNumber == null ? extensionFor(filePath) : "jpg";
            return "item" + mediaItemId + "_" + stem + frame + "_" + faceIndex + "." + ext;
        }
        return stem + frame + "_TN" + (faceIndex + 1) + (frameNumber == null ? originExtension(filePath) : ".jpg");
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
        return write(image, r, baseName + "_" + faceIndex + "." + extension);
    }

    /** Writes the thumbnail of a crop from {@link #cropRect} as {@code fileName}; null when the crop is null. */
    public Path write(DecodedImage image, Rect r, String fileName) {
        if (r == null) {
            return null;
        }
        if (dryRun) {
            return saveAs(null, fileName);
        }
        try (Mat thumb = thumbnail(image, r)) {
            return saveAs(thumb, fileName);
        }
    }

    /** The resized thumbnail pixels of a crop (kept in memory while a video's best face per track is chosen). */
    public Mat thumbnail(DecodedImage image, Rect r) {
        Mat thumb = new Mat();
        try (Mat crop = new Mat(image.bgr(), r);
                Size s = new Size(size, size)) {
            resize(crop, thumb, s, 0, 0, INTER_AREA);
        }
        return thumb;
    }

    /** Writes thumbnail pixels as {@code <baseName>_<faceIndex>.<extension>} and returns the path. */
    public Path save(Mat thumb, String baseName, int faceIndex, String extension) {
        return saveAs(thumb, baseName + "_" + faceIndex + "." + extension);
    }

    /** Writes thumbnail pixels as {@code fileName} in the thumbnails directory and returns the path (dry run: only the path). */
    public Path saveAs(Mat thumb, String fileName) {
        if (fileName.contains("/") || fileName.contains("\\") || fileName.equals("..")) {
            throw new IllegalArgumentException("not a plain file name: " + fileName);
        }
        Path out = dir.resolve(fileName);
        if (dryRun) {
            log.info("dry run: would save square ({}x{}) thumbnail {}", size, size, out);
            return out;
        }
        permissions.folder(dir);
        if (!imwrite(out.toString(), thumb)) {
            throw new UncheckedIOException(new IOException("cannot write thumbnail " + out));
        }
        log.info("saved square ({}x{}) thumbnail {}", thumb.cols(), thumb.rows(), out);
        return permissions.file(out);
    }

    /** Thumbnail extension for a source file: the origin kept the image's own; unknown ones become jpg. */
    public static String extensionFor(String fileName) {
        String ext = fileName.contains(".")
                ? fileName.substring(fileName.lastIndexOf('.') + 1).toLowerCase()
                : "";
        return switch (ext) {
            case "jpg", "jpeg", "png", "bmp", "webp" -> ext;
            default -> "jpg";
        };
    }

    /**
     * The origin's thumbnail extension: the photo's own, lower-cased, with the dot ({@code os.path.splitext}); none, or
     * one OpenCV cannot write, gives {@code .jpg}.
     */
    public static String originExtension(String filePath) {
        String n = lastSegment(filePath);
        int dot = n.lastIndexOf('.');
        String ext = dot > 0 ? n.substring(dot).toLowerCase(Locale.ROOT) : "";
        return WRITABLE.contains(ext) ? ext : ".jpg";
    }

    public static String baseName(String fileName) {
        String n = lastSegment(fileName);
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private static String lastSegment(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return path.substring(slash + 1);
    }
}
