package io.facerec.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.common.testing.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged command ({@code target/facerec.jar}) as a user runs it: exit codes 0 / 1 / 2 for the same kind of
 * outcome in every mode, an empty folder told at once, progress as a bar on a real terminal (a pseudo-terminal from
 * util-linux's {@code script}) and as plain lines when standard error is a pipe, and no temporary database or broker
 * folder left behind by a run without {@code --data-dir}.
 */
class CommandLineIT {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {}

    List<String> command(String... args) {
        List<String> c = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g",
                "-Djava.io.tmpdir=" + tmp.resolve("jtmp"),
                "-Dfacerec.models.dir=" + System.getProperty("facerec.models.dir", "../models"),
                "-jar",
                Path.of(System.getProperty("facerec.jar", "target/facerec.jar"))
                        .toAbsolutePath()
                        .toString()));
        c.addAll(List.of(args));
        return c;
    }

    /** Runs the jar with standard output and error piped. */
    Run run(String... args) throws Exception {
        Files.createDirectories(tmp.resolve("jtmp"));
        ProcessBuilder pb = new ProcessBuilder(command(args))
                .directory(tmp.toFile())
                .redirectOutput(tmp.resolve("out.txt").toFile())
                .redirectError(tmp.resolve("err.txt").toFile());
        Process p = pb.start();
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        Run r = new Run(
                p.exitValue(), Files.readString(tmp.resolve("out.txt")), Files.readString(tmp.resolve("err.txt")));
        System.out.println("facerec " + String.join(" ", args) + " -> " + r.exit() + "\n" + r.out() + r.err());
        return r;
    }

    Path photos(int n) throws IOException {
        Path dir = tmp.resolve("photos");
        SharedData.copyIdentityPhotos(dir, List.of("Al_Gore"), n);
        return dir;
    }

    @Test
    void testModeExitsZeroWhenEveryImageWasReadAndOneWhenOneWasNot() throws Exception {
        Path dir = photos(2);
        Run ok = run("--test", dir.toString(), "--thumbnails", tmp.resolve("t").toString());
        assertThat(ok.exit()).isZero();
        Files.writeString(dir.resolve("broken.jpg"), "not a photo");
        Run failed =
                run("--test", dir.toString(), "--thumbnails", tmp.resolve("t").toString());
        assertThat(failed.exit()).isEqualTo(1);
        assertThat(failed.err()).contains("broken.jpg: NOT_AN_IMAGE");
    }

    @Test
    void usageErrorsAndAnEmptyFolderAreExitCode2AtOnce() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        long t0 = System.nanoTime();
        Run images = run("--images", empty.toString());
        assertThat(images.exit()).isEqualTo(2);
        assertThat(images.err()).contains("no images found in").doesNotContain("starting embedded PostgreSQL");
        assertThat((System.nanoTime() - t0) / 1e9).as("before anything starts").isLessThan(30);
        assertThat(run("--test", empty.toString()).exit()).isEqualTo(2);
        Run both = run("--images", empty.toString(), "--test", empty.toString());
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
    }

    @Test
    void pipedProgressHasNoCarriageReturnsAndATerminalGetsTheBar() throws Exception {
        Path dir = photos(3);
        Run piped =
                run("--test", dir.toString(), "--thumbnails", tmp.resolve("t").toString());
        assertThat(piped.exit()).isZero();
        assertThat(piped.err()).doesNotContain("\r").contains("facerec: images 3/3");

        // a real terminal: util-linux's script runs the command on a pseudo-terminal and records what it wrote
        String cmd = String.join(
                " ",
                command(
                                "--test",
                                dir.toString(),
                                "--thumbnails",
                                tmp.resolve("t").toString())
                        .stream()
                        .map(a -> "'" + a.replace("'", "'\\''") + "'")
                        .toList());
        Process p = new ProcessBuilder(
                        "script", "-qefc", cmd, tmp.resolve("typescript").toString())
                .directory(tmp.toFile())
                .redirectOutput(tmp.resolve("tty.txt").toFile())
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String tty = Files.readString(tmp.resolve("typescript"), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(tty).isZero();
        assertThat(tty).contains("\r").contains("images").contains("3/3").doesNotContain("facerec: images 0/3");
    }

    @Test
    void aRunWithoutDataDirLeavesNoTemporaryFolderAndExitsOneWhenAFileFailed() throws Exception {
        Path dir = photos(2);
        Files.writeString(dir.resolve("broken.jpg"), "not a photo");
        Run r = run(
                "--images",
                dir.toString(),
                "--port",
                "0",
                "--thumbnails",
                tmp.resolve("t").toString());
        assertThat(r.exit()).as("a file failed").isEqualTo(1);
        assertThat(r.out()).contains("failed: broken.jpg").contains("1 person(s)");
        assertThat(r.err()).contains("facerec: 1 file(s) failed");
        try (Stream<Path> left = Files.list(tmp.resolve("jtmp"))) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("facerec-run")))
                    .as("the temporary database and broker folder is removed")
                    .isEmpty();
        }
    }
}
