package io.facerec.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Progress as a terminal shows it (a bar redrawn in place: carriage returns, one line in the end) and as a pipe or a
 * log file gets it (plain lines, at most one per interval plus the last, never a carriage return). The real terminal
 * and pipe, with the packaged command, are CommandLineIT's.
 */
class ProgressTest {
    final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

    String text() {
        return buffer.toString(StandardCharsets.UTF_8);
    }

    @Test
    void pipedProgressIsPlainLinesAtMostOnePerIntervalAndTheLast() throws Exception {
        try (Progress p = new Progress.Lines("items detected", 100, out, Duration.ofMillis(300))) {
            for (int i = 1; i <= 100; i++) {
                p.update(i, 100, "faces " + i);
                Thread.sleep(10); // 1 s in all: about 3 intervals
            }
        }
        String t = text();
        assertThat(t).doesNotContain("\r");
        var lines = t.lines().toList();
        assertThat(lines.get(0)).isEqualTo("facerec: items detected 0/100");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("facerec: items detected 100/100 | faces 100");
        assertThat(lines.size())
                .as("a line per 300 ms, not one per change: " + lines)
                .isBetween(3, 8);
    }

    @Test
    void terminalProgressIsABarRedrawnInPlace() throws Exception {
        try (Progress p = new Progress.Bar("items detected", 50, out)) {
            for (int i = 1; i <= 50; i++) {
                p.update(i, 50, "faces " + i);
                Thread.sleep(10);
            }
        }
        String t = text();
        assertThat(t)
                .contains("\r")
                .contains("items detected")
                .contains("50/50")
                .contains("faces 50");
        assertThat(t.chars().filter(c -> c == '\n').count())
                .as("one line, redrawn")
                .isEqualTo(1);
    }

    @Test
    void nothingWithNone() {
        try (Progress p = Progress.start("x", 3, Progress.Mode.NONE, out)) {
            p.update(3, 3, null);
        }
        assertThat(text()).isEmpty();
        assertThat(Progress.Mode.BAR.resolve()).isEqualTo(Progress.Mode.BAR);
        assertThat(Progress.Mode.LINES.resolve()).isEqualTo(Progress.Mode.LINES);
    }
}
