package io.facerec.common.image;

import io.facerec.common.error.PermanentProcessingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a stored {@code MediaFile.FilePath} into a file under the media root, refusing anything that would leave it
 * ({@code ../}, absolute paths elsewhere, symbolic links pointing out, NUL bytes). Nothing outside the root is opened.
 *
 * <p>Paths the origin stored are paths of the machine it ran on (e.g. {@code C:/Users/me/Pictures/2024/a.jpg}). As
 * its {@code to_container_path} did, a path that starts with the origin's {@code DB_PREFIX} (case-insensitive, ''
 * read as '/') is mapped to the same relative path under the media root (the origin's {@code CONTAINER_IMAGES_ROOT});
 * a path of another machine that does not start with it falls back to its last two segments when the folder is a
 * number ({@code .../<digits>/<file>}, the origin's rule). Only whole segments match the prefix. The mapped path goes
 * through the same confinement as every other. A path of another machine that cannot be mapped is refused as
 * {@code PATH_NOT_MAPPED}, saying which setting maps it.
 */
public class MediaPathResolver {
    private static final Pattern FOREIGN = Pattern.compile("^(?:[A-Za-z]:/|//).*");
    private static final Pattern NUMBERED = Pattern.compile("/(\\d+)/([^/]+)$");

    private final Path root;
    private final String dbPrefix;

    public MediaPathResolver(Path root) {
        this(root, "");
    }

    /** @param dbPrefix the origin's {@code DB_PREFIX} (empty: none) */
    public MediaPathResolver(Path root, String dbPrefix) {
        this.root = root.toAbsolutePath().normalize();
        String p = dbPrefix == null ? "" : dbPrefix.strip().replace('\\', '/');
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        this.dbPrefix = p;
    }

    /**
     * The origin's path mapping: the path relative to the media root that an origin path stands for, or null when
     * {@code filePath} is not a path of another machine (it is then resolved as it is).
     *
     * @throws PermanentProcessingException {@code PATH_NOT_MAPPED} for a path of another machine that no rule maps
     */
    String mapOriginPath(String filePath) {
        String p = filePath.strip().replace('\\', '/');
        if (!dbPrefix.isEmpty()
                && p.length() >= dbPrefix.length()
                && p.regionMatches(true, 0, dbPrefix, 0, dbPrefix.length())
                && (p.length() == dbPrefix.length() || p.charAt(dbPrefix.length()) == '/')) {
            String rest = p.substring(dbPrefix.length());
            while (rest.startsWith("/")) {
                rest = rest.substring(1);
            }
            return rest;
        }
        if (!FOREIGN.matcher(p).matches()) {
            return null;
        }
        if (!dbPrefix.isEmpty()) {
            Matcher m = NUMBERED.matcher(p);
            if (m.find()) {
                return m.group(1) + "/" + m.group(2);
            }
        }
        throw new PermanentProcessingException(
                "PATH_NOT_MAPPED",
                "media file path " + filePath + " is a path of "
                        + "another machine"
                        + (dbPrefix.isEmpty()
                                ? "; set DB_PREFIX (facerec.origin.db-prefix) to the part "
                                        + "that stands for the media root " + root
                                : " that does not start with DB_PREFIX " + dbPrefix));
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
            throw new PermanentProcessingException(
                    "INVALID_PATH", "the media file path contains a NUL byte: " + filePath.replace("\0", "\\0"));
        }
        String mapped = mapOriginPath(filePath);
        if (mapped != null) {
            filePath = mapped;
        }
        Path p;
        try {
            Path given = Path.of(filePath);
            p = (given.isAbsolute() ? given : root.resolve(given)).normalize();
        } catch (InvalidPathException e) {
            throw new PermanentProcessingException("INVALID_PATH", "invalid media file path: " + e.getMessage());
        }
        if (!p.startsWith(root)) {
            throw new PermanentProcessingException(
                    "PATH_OUTSIDE_ROOT", "media file path " + filePath + " lies outside the media root " + root);
        }
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new PermanentProcessingException("FILE_MISSING", "media file not found: " + p);
        }
        try {
            Path real = p.toRealPath();
            if (!real.startsWith(root.toRealPath())) {
                throw new PermanentProcessingException(
                        "PATH_OUTSIDE_ROOT",
                        "media file " + filePath + " links to " + real + ", outside the media root " + root);
            }
            return real;
        } catch (IOException e) {
            throw new PermanentProcessingException(
                    "FILE_MISSING", "media file not readable: " + p + " (" + e.getMessage() + ")");
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
