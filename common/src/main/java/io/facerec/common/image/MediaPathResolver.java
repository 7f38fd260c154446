package io.facerec.common.image;

import io.facerec.common.error.PermanentProcessingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Turns a stored {@code MediaFile.FilePath} into a file under the media root, refusing anything that would leave it
 * ({@code ../}, absolute paths elsewhere, symbolic links pointing out, NUL bytes). Nothing outside the root is opened.
 */
public class MediaPathResolver {
    private final Path root;

    public MediaPathResolver(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** @throws PermanentProcessingException {@code PATH_OUTSIDE_ROOT}, {@code INVALID_PATH} or {@code FILE_MISSING} */
    public Path resolve(String filePath) {
        if (filePath == null || filePath.isBlank()) {
            throw new PermanentProcessingException("INVALID_PATH", "the media file has no path");
        }
        if (filePath.indexOf('\0') >= 0) {
            throw new PermanentProcessingException("INVALID_PATH", "the media file path contains a NUL byte: "
                    + filePath.replace("\0", "\\0"));
        }
        Path p;
        try {
            Path given = Path.of(filePath);
            p = (given.isAbsolute() ? given : root.resolve(given)).normalize();
        } catch (InvalidPathException e) {
            throw new PermanentProcessingException("INVALID_PATH", "invalid media file path: " + e.getMessage());
        }
        if (!p.startsWith(root)) {
            throw new PermanentProcessingException("PATH_OUTSIDE_ROOT",
                    "media file path " + filePath + " lies outside the media root " + root);
        }
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new PermanentProcessingException("FILE_MISSING", "media file not found: " + p);
        }
        try {
            Path real = p.toRealPath();
            if (!real.startsWith(root.toRealPath())) {
                throw new PermanentProcessingException("PATH_OUTSIDE_ROOT",
                        "media file " + filePath + " links to " + real + ", outside the media root " + root);
            }
            return real;
        } catch (IOException e) {
            throw new PermanentProcessingException("FILE_MISSING", "media file not readable: " + p + " (" + e.getMessage() + ")");
        }
    }

    /** The path to store in {@code MediaFile.FilePath} for a file under the root: relative, with '/' separators. */
    public String relativize(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        if (!abs.startsWith(root)) {
            throw new IllegalArgumentException(file + " is not under the media root " + root);
        }
        return root.relativize(abs).toString().replace('\\', '/');
    }
}
