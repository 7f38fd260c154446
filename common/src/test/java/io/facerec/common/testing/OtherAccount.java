package io.facerec.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Another local account (the system's {@code nobody}) trying to read what facerec wrote. The permission bits are always
 * checked; when this process runs as root (CI containers, our development machines) the attempt is also made for real,
 * as {@code nobody} through {@code runuser} (util-linux), so the test shows the read fails rather than only that the
 * bits look right. Without root nothing can switch accounts and the bits are the evidence.
 */
public final class OtherAccount {
    private OtherAccount() {}

    /** True when the tests can act as {@code nobody}. */
    public static boolean available() {
        return isRoot()
                && (Files.isExecutable(Path.of("/usr/sbin/runuser")) || Files.isExecutable(Path.of("/sbin/runuser")));
    }

    static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Runs a command as {@code nobody}; returns its exit status and output. */
    public static Result run(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Files.isExecutable(Path.of("/usr/sbin/runuser")) ? "/usr/sbin/runuser" : "/sbin/runuser",
                "-u",
                "nobody",
                "--"));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        return new Result(p.exitValue(), out);
    }

    /** What a command run as {@code nobody} did. */
    public record Result(int exit, String output) {}

    /**
     * Asserts another account can neither list (folders) nor read (files) the path: no permission for group or others
     * on it, and, where possible, {@code nobody}'s {@code ls} / {@code cat} fails. The parents of the path must be open
     * (0755) for the attempt to mean something: the caller's folder layout sees to that.
     */
    public static void cannotRead(Path p) throws IOException, InterruptedException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        assertThat(perms)
                .as("%s: %s gives group or others access", p, PosixFilePermissions.toString(perms))
                .doesNotContain(
                        PosixFilePermission.GROUP_READ,
                        PosixFilePermission.GROUP_EXECUTE,
                        PosixFilePermission.OTHERS_READ,
                        PosixFilePermission.OTHERS_EXECUTE,
                        PosixFilePermission.OTHERS_WRITE,
                        PosixFilePermission.GROUP_WRITE);
        if (available()) {
            Result r = Files.isDirectory(p) ? run("ls", p.toString()) : run("cat", p.toString());
            assertThat(r.exit()).as("nobody reading %s: %s", p, r.output()).isNotZero();
            assertThat(r.output()).as(p.toString()).containsIgnoringCase("permission denied");
        }
    }
}
