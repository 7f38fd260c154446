package io.facerec.common.image;

import io.facerec.common.files.FilePermissions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The frames of videos in which faces were kept, as JPEG files under the thumbnails folder
 * ({@code <thumbnails>/.video-frames/item<media item id>_f<frame number>.jpg}): the detector writes them while it has
 * the frame decoded, and the gallery shows them, so looking at a video face never decodes the video again.
 */
public final class VideoFrameStore {
    /** The sub-folder of the thumbnails folder. */
    public static final String FOLDER = ".video-frames";

    private final Path dir;
    private final FilePermissions permissions;

    public VideoFrameStore(Path thumbnailsDir, FilePermissions permissions) {
        this.dir = thumbnailsDir.resolve(FOLDER);
        this.permissions = permissions;
    }

    public Path dir() {
        return dir;
    }

    /** The file name of a frame: only digits come from the caller, so it cannot name anything outside the folder. */
    public static String fileName(long mediaItemId, int frameNumber) {
        return "item" + mediaItemId + "_f" + frameNumber + ".jpg";
    }

    /** Where the frame is (whether or not it exists). */
    public Path file(long mediaItemId, int frameNumber) {
        return dir.resolve(fileName(mediaItemId, frameNumber));
    }

    /** Writes a frame (under a temporary name, then renamed) readable per the configured permissions. */
    public Path write(long mediaItemId, int frameNumber, byte[] jpeg) {
        Path out = file(mediaItemId, frameNumber);
        try {
            permissions.folder(dir);
            Path partial = Files.createTempFile(dir, ".partial-", ".jpg", permissions.fileAttributes());
            Files.write(partial, jpeg);
            Files.move(partial, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            permissions.file(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write video frame " + out, e);
        }
    }

    /** Removes the frames an earlier detection of the item left. */
    public void deleteItem(long mediaItemId) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "item" + mediaItemId + "_f*.jpg")) {
            for (Path p : old) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the old video frames of media item " + mediaItemId, e);
        }
    }
}
