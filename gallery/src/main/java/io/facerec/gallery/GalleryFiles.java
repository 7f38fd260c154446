package io.facerec.gallery;

import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.image.VideoFrameStore;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The files the gallery serves besides photos, each confined to its folder by the same resolver as photos
 * ({@link MediaPathResolver}): thumbnails under the thumbnails folder, whatever path {@code Faces.ThumbnailPath} holds
 * (finding 3 of the security review: {@code /etc/passwd} or {@code ../../x} there used to be served), and the stored
 * frames of video faces.
 */
public class GalleryFiles {
    private final Path thumbnailsRoot;
    private final MediaPathResolver thumbnails;
    private final VideoFrameStore frames;

    public GalleryFiles(Path thumbnailsDir, VideoFrameStore frames) {
        this.thumbnailsRoot = thumbnailsDir.toAbsolutePath().normalize();
        this.thumbnails = new MediaPathResolver(thumbnailsRoot);
        this.frames = frames;
    }

    /**
     * The thumbnail file a stored {@code ThumbnailPath} names: absolute under the thumbnails folder, or relative to the
     * working folder (as the workers write it) or to the thumbnails folder. @throws PermanentProcessingException
     * {@code PATH_OUTSIDE_ROOT} for anything else, {@code FILE_MISSING} when it does not exist
     */
    public Path thumbnail(String stored) {
        if (stored != null && !stored.isBlank() && stored.indexOf('\0') < 0) {
            try {
                Path p = Path.of(stored);
                Path fromWorkingFolder = p.toAbsolutePath().normalize();
                if (!p.isAbsolute() && fromWorkingFolder.startsWith(thumbnailsRoot)) {
                    return thumbnails.resolve(fromWorkingFolder.toString());
                }
            } catch (InvalidPathException e) {
                // the resolver reports it
            }
        }
        return thumbnails.resolve(stored);
    }

    /** The stored frame of a video face, or null when none was kept (faces detected before frames were kept). */
    public Path videoFrame(long mediaItemId, int frameNumber) {
        Path f = frames.file(mediaItemId, frameNumber);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        return new MediaPathResolver(frames.dir()).resolve(f.getFileName().toString());
    }
}
