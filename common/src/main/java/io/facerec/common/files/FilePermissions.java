package io.facerec.common.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may read what facerec writes (thumbnails, face crops, video frames, logs, the embedded database): the faces of a
 * library are personal data, so by default only the account that runs facerec ({@link #OWNER}: folders 0700, files
 * 0600). {@link #GROUP} adds read access for the group (0750 / 0640), for an installation where another account of the
 * same group (e.g. the origin's web server) reads the thumbnails. On file systems without POSIX permissions nothing is
 * changed.
 */
public enum FilePermissions {
    /** Folders 0700, files 0600. */
    OWNER("rwx------", "rw-------"),
    /** Folders 0750, files 0640. */
    GROUP("rwxr-x---", "rw-r-----");

    private static final Logger log = LoggerFactory.getLogger(FilePermissions.class);
    private static final boolean POSIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final Set<PosixFilePermission> folder;
    private final Set<PosixFilePermission> file;

    FilePermissions(String folder, String file) {
        this.folder = PosixFilePermissions.fromString(folder);
        this.file = PosixFilePermissions.fromString(file);
    }

    /**
     * Creates the folder (and missing parents) with this mode; an existing folder owned by this account that others
     * could enter is narrowed to it. A folder owned by someone else is left as it is.
     *
     * @return the folder
     */
    public Path folder(Path dir) {
        try {
            if (!POSIX) {
                return Files.createDirectories(dir);
            }
            if (!Files.isDirectory(dir)) {
                FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(folder);
                Files.createDirectories(dir, attr);
                Files.setPosixFilePermissions(dir, folder); // the umask may have narrowed or widened the attribute
                return dir;
            }
            narrow(dir, folder);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create folder " + dir, e);
        }
    }

    /** Sets a file that facerec has just written to this mode. */
    public Path file(Path f) {
        if (POSIX) {
            try {
                Files.setPosixFilePermissions(f, file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot set the permissions of " + f, e);
            }
        }
        return f;
    }

    /** The file attribute to create files with, or none on file systems without POSIX permissions. */
    public FileAttribute<?>[] fileAttributes() {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(file)} : new FileAttribute<?>[0];
    }

    private static void narrow(Path dir, Set<PosixFilePermission> wanted) throws IOException {
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (now.equals(wanted) || !ownedByMe(dir)) {
            return;
        }
        if (!wanted.containsAll(now)) {
            log.info(
                    "folder {} was open to other accounts ({}): now {}",
                    dir,
                    PosixFilePermissions.toString(now),
                    PosixFilePermissions.toString(wanted));
        }
        Files.setPosixFilePermissions(dir, wanted);
    }

    /** Whether this process's account owns the path (by uid where the platform tells it, else by name). */
    public static boolean ownedByMe(Path p) throws IOException {
        Path self = Path.of("/proc/self");
        if (Files.exists(self)) {
            try {
                return Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)
                        .equals(Files.getAttribute(self, "unix:uid"));
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                // no "unix" attribute view: compare names below
            }
        }
        UserPrincipal owner = Files.getOwner(p, LinkOption.NOFOLLOW_LINKS);
        return owner.getName().equals(System.getProperty("user.name"));
    }

    /** True when the path's permissions give nothing to group or others beyond what this mode allows. */
    public boolean satisfiedBy(Path p) throws IOException {
        if (!POSIX) {
            return true;
        }
        Set<PosixFilePermission> wanted = Files.isDirectory(p) ? folder : file;
        return wanted.containsAll(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }
}
