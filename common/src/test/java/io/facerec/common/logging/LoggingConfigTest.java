package io.facerec.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/**
 * The operator's side of {@code logback.xml}: per-instance files where several processes share a log folder
 * ({@code LOG_INSTANCE}), the console's level ({@code CONSOLE_LOG_LEVEL}, what containers show) and its JSON form
 * ({@code LOG_FORMAT=json}), each line with the media item and face ids of the handler that wrote it.
 */
class LoggingConfigTest {
    @TempDir
    Path tmp;

    LoggerContext context;
    PrintStream err = System.err;
    ByteArrayOutputStream console = new ByteArrayOutputStream();

    LoggerContext configure(Map<String, String> properties) throws Exception {
        System.setErr(new PrintStream(console, true, StandardCharsets.UTF_8));
        context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        context.putProperty("LOG_DIR", tmp.resolve("logs").toString());
        properties.forEach(context::putProperty);
        JoranConfigurator c = new JoranConfigurator();
        c.setContext(context);
        c.doConfigure(getClass().getResource("/logback.xml"));
        return context;
    }

    @AfterEach
    void stop() {
        if (context != null) {
            context.stop();
        }
        System.setErr(err);
    }

    List<Path> logFiles() throws Exception {
        try (Stream<Path> s = Files.list(tmp.resolve("logs"))) {
            return s.sorted().toList();
        }
    }

    @Test
    void twoProcessesSharingALogFolderEachWriteTheirOwnFiles() throws Exception {
        // the first "process": LOG_INSTANCE=auto names its files after the host and the process id
        configure(Map.of("LOG_INSTANCE", "auto"))
                .getLogger("io.facerec.detector.X")
                .info("from the first");
        context.stop();
        // a second one with its own name (as a replica would have another host name)
        configure(Map.of("LOG_INSTANCE", "replica 2/x"))
                .getLogger("io.facerec.detector.X")
                .info("from the second");
        context.stop();
        String first = "face_detection-" + LogInstance.suffix("auto").substring(1) + ".log";
        assertThat(logFiles())
                .extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder(
                        first,
                        "embeddings_clustering" + LogInstance.suffix("auto") + ".log",
                        "face_detection-replica_2_x.log",
                        "embeddings_clustering-replica_2_x.log");
        assertThat(first).contains("-" + ProcessHandle.current().pid() + ".log");
        assertThat(Files.readString(tmp.resolve("logs").resolve(first)))
                .contains("from the first")
                .doesNotContain("from the second");
        assertThat(Files.readString(tmp.resolve("logs/face_detection-replica_2_x.log")))
                .contains("from the second");
        for (Path f : logFiles()) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                    .as(f.toString())
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void withoutAnInstanceTheOriginsTwoFileNamesAreKept() throws Exception {
        configure(Map.of()).getLogger("io.facerec.embedder.X").info("hello");
        context.stop();
        assertThat(logFiles())
                .extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder("face_detection.log", "embeddings_clustering.log");
    }

    @Test
    void theConsoleShowsWarningsOnlyByDefaultAndWhatTheFilesShowWithInfo() throws Exception {
        Logger log = configure(Map.of()).getLogger("io.facerec.detector.X");
        log.info("an info line");
        log.warn("a warning");
        assertThat(console.toString(StandardCharsets.UTF_8))
                .contains("a warning")
                .doesNotContain("an info line");
        context.stop();
        console.reset();
        log = configure(Map.of("CONSOLE_LOG_LEVEL", "INFO")).getLogger("io.facerec.detector.X");
        context.getMDCAdapter().put("mediaItemId", "42"); // the MDC of this test's own logger context
        context.getMDCAdapter().put("faceId", "7");
        try {
            log.info("an info line");
        } finally {
            context.getMDCAdapter().clear();
        }
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("item=42 face=7 - an info line");
    }

    @Test
    void jsonConsoleWritesOneObjectPerLineWithTheIds() throws Exception {
        Logger log = configure(Map.of("LOG_FORMAT", "json", "CONSOLE_LOG_LEVEL", "INFO"))
                .getLogger("io.facerec.detector.X");
        context.getMDCAdapter().put("mediaItemId", "42");
        try {
            log.info("file {}", "a\nb.jpg");
        } finally {
            context.getMDCAdapter().clear();
        }
        List<String> lines = console.toString(StandardCharsets.UTF_8)
                .lines()
                .filter(l -> l.startsWith("{"))
                .toList();
        assertThat(lines).hasSize(1);
        JsonNode n = new ObjectMapper().readTree(lines.get(0));
        assertThat(n.get("level").asText()).isEqualTo("INFO");
        assertThat(n.get("loggerName").asText()).isEqualTo("io.facerec.detector.X");
        assertThat(n.get("mdc").get("mediaItemId").asText()).isEqualTo("42");
        assertThat(n.get("formattedMessage").asText()).isEqualTo("file a\nb.jpg");
    }
}
