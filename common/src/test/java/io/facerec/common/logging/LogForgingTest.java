package io.facerec.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/**
 * The workers' log configuration ({@code logback.xml}) against log forging (finding 10 of the security review): a media
 * path with a line feed used to start a new, made-up log line. Loaded here into its own logger context with a temporary
 * {@code LOG_DIR}; also checks the folder and files are private to this account.
 */
class LogForgingTest {
    @TempDir
    Path tmp;

    LoggerContext context;
    Path logs;

    @BeforeEach
    void configure() throws Exception {
        logs = tmp.resolve("logs");
        context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        context.putProperty("LOG_DIR", logs.toString());
        JoranConfigurator c = new JoranConfigurator();
        c.setContext(context);
        c.doConfigure(getClass().getResource("/logback.xml"));
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    List<String> lines() throws Exception {
        context.stop(); // flushes and closes the files
        return Files.readAllLines(logs.resolve("face_detection.log"));
    }

    @Test
    void aLineFeedInAPathCannotForgeALogLine() throws Exception {
        Logger log = context.getLogger("io.facerec.detector.detect.DetectFacesHandler");
        String path =
                "party/img.jpg\n2026-01-01 00:00:00.000 ERROR [main] i.f.d.DetectFacesHandler - admin logged in\rX";
        log.info("media item 7 ({}): 1 face(s)", path);
        List<String> lines = lines();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0))
                .contains("media item 7 (party/img.jpg\\n2026-01-01 00:00:00.000 ERROR [main]")
                .contains("admin logged in\\rX): 1 face(s)");
    }

    @Test
    void anExceptionMessageCannotForgeALineButItsStackTraceStaysReadable() throws Exception {
        Logger log = context.getLogger("io.facerec.detector.detect.DetectFacesHandler");
        log.warn("cannot read", new IllegalStateException("bad file x.jpg\n2026-01-01 00:00:00.000 INFO  forged"));
        List<String> lines = lines();
        assertThat(lines.get(0)).contains("WARN").endsWith("cannot read");
        assertThat(lines.get(1))
                .startsWith("java.lang.IllegalStateException: bad file x.jpg\\n2026-01-01 00:00:00.000 INFO");
        assertThat(lines.subList(2, lines.size()))
                .isNotEmpty()
                .allSatisfy(l -> assertThat(l).startsWith("\tat "));
        assertThat(lines).noneMatch(l -> l.startsWith("2026-01-01"));
    }

    @Test
    void theLogFolderAndFilesAreForThisAccountOnly() throws Exception {
        context.getLogger("io.facerec.embedder.X").info("hello");
        context.stop();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(logs)))
                .isEqualTo("rwx------");
        for (String f : List.of("face_detection.log", "embeddings_clustering.log")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(logs.resolve(f))))
                    .as(f)
                    .isEqualTo("rw-------");
        }
        assertThat(Files.readString(logs.resolve("embeddings_clustering.log"))).contains("hello");
    }
}
