package io.facerec.detector.thumbnail;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR_444;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_PNG_COMPRESSION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.facerec.common.files.FilePermissions;
import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.image.DecodedImage;
import io.facerec.common.image.FaceCrop;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.UUID;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leaves each photo face's neighbourhood ({@link FaceCrop}) in the face-crops directory while the photo is decoded
 * anyway, so the embedder reads a few kilobytes instead of decoding the whole photo a second time. A crop that cannot
 * be written is logged and skipped: the embedder then decodes the photo, nothing is lost. The embedder deletes each
 * crop once its face is embedded; while the directory holds more than the configured size (the embedder is down or
 * behind), no crops are written and the embedder decodes those photos instead. Crops older than a day are swept
 * (their event was never consumed); a crop is written under a temporary name and renamed, never read half-written.
 */
public class FaceCropWriter {
    private static final Logger log = LoggerFactory.getLogger(FaceCropWriter.class);

    /**
     * How crops are stored: uncompressed BMP (fastest to write and read, the largest), lossless PNG (a third of the
     * size, but about ten times slower to write), or JPEG at quality 100 without chroma subsampling (a third of
     * BMP's size, nearly lossless).
     */
    public enum Format {
        PNG("png", new int[] {IMWRITE_PNG_COMPRESSION, 1}),
        JPEG("jpg", new int[] {IMWRITE_JPEG_QUALITY, 100, IMWRITE_JPEG_SAMPLING_FACTOR, IMWRITE_JPEG_SAMPLING_FACTOR_444
        }),
        BMP("bmp", new int[0]);

        private final String extension;
        private final int[] params;

        Format(String extension, int[] params) {
            this.extension = extension;
            this.params = params;
        }

        public String extension() {
            return extension;
        }
    }

    /** How often the directory's size is read again (in between, the writer adds what it wrote itself). */
    private static final long RECOUNT_NANOS = 5_000_000_000L;

    private final Path dir;
    private final FilePermissions permissions;
    private final int maxFaceSide;
    private final Format format;
    private final long maxBytes;
    private long knownBytes;
    private long countedAt = System.nanoTime() - 2 * RECOUNT_NANOS;
    private boolean counting;
    private boolean paused;
    private final Duration maxAge;

    /**
     * @param maxFaceSide a face whose box's longer side exceeds this is scaled down to it (the embedder uses a scaled
     *     crop only when this is at least 4x its model input: 448 for the 112-px default model)
     */
    public FaceCropWriter(Path dir, int maxFaceSide, Format format) {
        this(dir, maxFaceSide, format, Long.MAX_VALUE);
    }

    /** @param maxBytes no crops are written while the directory holds more than this */
    public FaceCropWriter(Path dir, int maxFaceSide, Format format, long maxBytes) {
        this(dir, maxFaceSide, format, maxBytes, FilePermissions.OWNER, Duration.ofDays(1));
    }

    /**
     * @param permissions who may read the crops (this account only, or its group)
     * @param maxAge crops older than this are swept when the directory is counted
     */
    public FaceCropWriter(
            Path dir, int maxFaceSide, Format format, long maxBytes, FilePermissions permissions, Duration maxAge) {
        if (maxFaceSide < 16) {
            throw new IllegalArgumentException("the face side in a crop must be at least 16 px, not " + maxFaceSide);
        }
        this.dir = dir;
        this.maxFaceSide = maxFaceSide;
        this.format = format;
        this.maxBytes = maxBytes;
        this.permissions = permissions;
        this.maxAge = maxAge;
    }

    public Path dir() {
        return dir;
    }

    /** Writes the crop of one face as {@code <name>.<ext>}; null when there is nothing to crop or writing failed. */
    public FaceCrop write(DecodedImage image, BoundingBox box, String name) {
        FaceCrop crop = FaceCrop.around(box, image.width(), image.height(), maxFaceSide);
        if (crop == null) {
            return null;
        }
        if (!roomLeft()) {
            return null;
        }
        String file = name + "." + format.extension;
        Path out = dir.resolve(file);
        // written under a temporary name (a leading dot: never a crop name the embedder accepts), then renamed, so
        // an embedder never reads a half-written crop
        Path partial = dir.resolve(".partial-" + UUID.randomUUID() + "-" + file);
        try {
            permissions.folder(dir);
            try (Rect r = new Rect(crop.x(), crop.y(), crop.width(), crop.height());
                    Mat region = new Mat(image.bgr(), r);
                    IntPointer params = new IntPointer(format.params)) {
                boolean ok;
                if (crop.scaled()) {
                    try (Mat small = new Mat();
                            Size s = new Size(crop.cropWidth(), crop.cropHeight())) {
                        resize(region, small, s, 0, 0, INTER_AREA);
                        ok = imwrite(partial.toString(), small, params);
                    }
                } else {
                    ok = imwrite(partial.toString(), region, params);
                }
                if (!ok) {
                    throw new IOException("the encoder refused it");
                }
            }
            permissions.file(partial);
            long bytes = Files.size(partial);
            Files.move(partial, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            wrote(bytes);
            return crop.withFile(file);
        } catch (IOException | RuntimeException e) {
            log.warn("cannot write face crop {}: {}; the embedder will decode the photo", out, e.getMessage());
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // nothing more to do: the sweep removes it later
            }
            return null;
        }
    }

    /** Deletes the crops of a media item ({@code item<id>_*}): for an item whose faces are published without crops. */
    public void deleteCropsOf(long mediaItemId) {
        String prefix = "item" + mediaItemId + "_";
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().startsWith(prefix)) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            log.debug("cannot clean the crops of media item {}: {}", mediaItemId, e.getMessage());
        }
    }

    private boolean roomLeft() {
        if (maxBytes == Long.MAX_VALUE) {
            return true;
        }
        long now = System.nanoTime();
        boolean recount;
        synchronized (this) {
            recount = !counting && now - countedAt > RECOUNT_NANOS;
            counting |= recount;
        }
        if (recount) { // outside the lock: the other detector threads go on writing meanwhile
            long size = sweepAndCount(dir, maxAge);
            synchronized (this) {
                knownBytes = size;
                countedAt = now;
                counting = false;
            }
        }
        synchronized (this) {
            boolean room = knownBytes < maxBytes;
            if (!room && !paused) {
                log.warn(
                        "the face-crops directory {} holds {} MB, above its limit of {} MB (is the embedder running, or "
                                + "behind?): no more crops until it shrinks; the embedder decodes those photos instead",
                        dir,
                        knownBytes >> 20,
                        maxBytes >> 20);
            } else if (room && paused) {
                log.info("the face-crops directory {} is below its limit again: writing crops", dir);
            }
            paused = !room;
            return room;
        }
    }

    private synchronized void wrote(long bytes) {
        knownBytes += bytes;
    }

    /**
     * The directory's size, after deleting what is older than {@code maxAge}: crops nobody will read (their event was
     * never consumed, or was published again without them) and partial files of a crash. Safe: an embedder that
     * misses a crop decodes the photo.
     */
    private static long sweepAndCount(Path dir, Duration maxAge) {
        long cutoff = System.currentTimeMillis() - maxAge.toMillis();
        long total = 0;
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                File file = f.toFile();
                long modified = file.lastModified();
                if (modified != 0 && modified < cutoff && file.delete()) {
                    continue;
                }
                total += file.length();
            }
        } catch (IOException | UncheckedIOException e) {
            return total; // not there yet
        }
        return total;
    }
}
