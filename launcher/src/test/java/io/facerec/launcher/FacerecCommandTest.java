package io.facerec.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.common.FacerecVersion;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command line's rules, in process and fast (nothing here starts a database or a broker): one mode per run, usage
 * errors with exit code 2 and a message, an empty folder told before anything starts, the version from the build.
 * The exit codes of runs that process items are checked on the packaged jar (CommandLineIT, OriginDatabaseIT).
 */
class FacerecCommandTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {}

    static Run facerec(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        int rc;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine cli = FacerecCommand.commandLine();
            cli.setOut(new PrintWriter(System.out, true));
            cli.setErr(new PrintWriter(System.err, true));
            rc = cli.execute(args);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void twoModesAreAUsageErrorNotOneSilentlyWinning() throws Exception {
        Files.createDirectories(tmp.resolve("a"));
        Run r = facerec(
                "--images",
                tmp.resolve("a").toString(),
                "--test",
                tmp.resolve("a").toString());
        assertThat(r.exit()).isEqualTo(FacerecCommand.USAGE);
        assertThat(r.err()).contains("mutually exclusive").contains("--images").contains("--test");
        assertThat(facerec("--images", "x", "--db").exit()).isEqualTo(FacerecCommand.USAGE);
        assertThat(facerec("--evaluate", "x", "--all").exit()).isEqualTo(FacerecCommand.USAGE);
        assertThat(facerec("--hash-password", "--test", "x").exit()).isEqualTo(FacerecCommand.USAGE);
    }

    @Test
    void anOptionOfAnotherModeIsAUsageError() {
        Run r = facerec("--db", "--serve");
        assertThat(r.exit()).isEqualTo(FacerecCommand.USAGE);
        assertThat(r.err()).contains("--images");
        assertThat(facerec("--test", "x.jpg", "--labels-out", "y").exit()).isEqualTo(FacerecCommand.USAGE);
        assertThat(facerec("--images", tmp.toString(), "--dry-run").err()).contains("--dry-run goes with");
    }

    @Test
    void databaseModeCombinationsTheOriginDoesNotHaveAreUsageErrors() {
        assertThat(facerec("--watch", "--automate").err()).contains("run alone");
        assertThat(facerec("--watch", "--all").exit()).isEqualTo(FacerecCommand.USAGE);
        assertThat(facerec("--replay").err()).contains("--replay goes with --recluster");
        assertThat(facerec("--interval", "5s").err()).contains("name a database mode");
        assertThat(facerec("--db", "--interval", "5s").err()).contains("--interval goes with --watch or --automate");
    }

    @Test
    void anEmptyFolderIsToldAtOnceWithExitCode2() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(empty.resolve("notes.txt"), "not a photo");
        long t0 = System.nanoTime();
        Run images = facerec("--images", empty.toString());
        assertThat(images.exit()).isEqualTo(FacerecCommand.USAGE);
        assertThat(images.err()).contains("no images found in " + empty).doesNotContain("starting");
        assertThat((System.nanoTime() - t0) / 1e9).as("nothing was started").isLessThan(10);
        Run test = facerec("--test", empty.toString());
        assertThat(test.exit()).isEqualTo(FacerecCommand.USAGE);
        assertThat(test.err()).contains("no images found in " + empty);
        assertThat(facerec("--test", tmp.resolve("missing.jpg").toString()).err())
                .contains("does not exist");
        assertThat(facerec("--images", tmp.resolve("missing").toString()).err()).contains("is not a folder");
        assertThat(facerec("--evaluate", empty.toString()).exit()).isEqualTo(FacerecCommand.USAGE);
    }

    @Test
    void noModeShowsTheUsageWithTheExitCodes() {
        Run r = facerec();
        assertThat(r.exit()).isEqualTo(FacerecCommand.USAGE);
        assertThat(r.err()).contains("Exit codes").contains("some items failed").contains("Zero-setup run:");
        Run help = facerec("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out())
                .contains("--images=DIR")
                .contains("--progress=WHEN")
                .contains("3   facerec could not run");
    }

    @Test
    void theVersionComesFromTheBuild() {
        Run r = facerec("--version");
        assertThat(r.exit()).isZero();
        assertThat(FacerecVersion.get()).isNotEqualTo("unknown").doesNotContain("$");
        assertThat(r.out().strip()).isEqualTo("facerec " + FacerecVersion.get());
    }

    @Test
    void aDatabaseThatCannotBeReachedIsExitCode3WithOneLine() {
        Run r = facerec("--database", "jdbc:postgresql://127.0.0.1:1/none", "--db");
        assertThat(r.exit()).isEqualTo(FacerecCommand.CANNOT_RUN);
        assertThat(r.err()).contains("facerec: could not run:");
    }
}
