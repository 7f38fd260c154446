package io.facerec.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long step on standard error: on a terminal a bar redrawn in place (me.tongfei's progressbar); piped
 * or redirected (a log file, CI) plain lines, at most one per {@link #LINE_INTERVAL}, and the last one when the step
 * ends, never a carriage return. {@link Mode#AUTO} tells the two apart by what standard error is.
 */
public abstract class Progress implements AutoCloseable {
    /** How often a piped progress line is written at most. */
    public static final Duration LINE_INTERVAL = Duration.ofSeconds(10);

    /** {@code --progress}: how progress is shown. */
    public enum Mode {
        /** a bar when standard error is a terminal, plain lines otherwise */
        AUTO,
        /** always the bar */
        BAR,
        /** always plain lines */
        LINES,
        /** nothing */
        NONE;

        /** The mode this one means for standard error here. */
        public Mode resolve() {
            return this != AUTO ? this : standardErrorIsATerminal() ? BAR : LINES;
        }
    }

    /** A progress of {@code total} steps named {@code what}, shown as {@code mode} on {@code out}. */
    public static Progress start(String what, long total, Mode mode, PrintStream out) {
        return switch (mode.resolve()) {
            case BAR -> new Bar(what, total, out);
            case LINES -> new Lines(what, total, out, LINE_INTERVAL);
            default -> new None();
        };
    }

    /** Moves to {@code done} steps, with a note after the count (e.g. faces embedded). */
    public abstract void update(long done, long total, String note);

    /** Ends the step: the final state is shown (a bar ends its line). */
    @Override
    public abstract void close();

    /**
     * Whether standard error is a terminal: on Linux, where {@code /proc/self/fd/2} leads (a pseudo-terminal or a
     * console); elsewhere, whether Java has a console (standard input and output are terminals).
     */
    static boolean standardErrorIsATerminal() {
        Path fd = Path.of("/proc/self/fd/2");
        if (Files.exists(fd)) {
            try {
                String target = Files.readSymbolicLink(fd).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return false;
            }
        }
        return System.console() != null;
    }

    /** The bar, redrawn in place on a terminal. */
    static final class Bar extends Progress {
        private final ProgressBar bar;

        Bar(String what, long total, PrintStream out) {
            int columns = 100;
            try {
                columns = Math.max(40, Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "100")));
            } catch (NumberFormatException e) {
                // keep 100
            }
            bar = new ProgressBarBuilder()
                    .setTaskName(what)
                    .setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(200)
                    .setConsumer(new ConsoleProgressBarConsumer(out, columns))
                    .build();
        }

        @Override
        public void update(long done, long total, String note) {
            if (total != bar.getMax()) {
                bar.maxHint(total);
            }
            bar.stepTo(done);
            bar.setExtraMessage(note == null ? "" : note);
        }

        @Override
        public void close() {
            bar.close();
        }
    }

    /** Plain lines for a pipe or a file: the first at once, then at most one per interval, and the last. */
    static final class Lines extends Progress {
        private final String what;
        private final PrintStream out;
        private final long intervalNanos;
        private long lastWritten;
        private String pending;
        private String written;

        Lines(String what, long total, PrintStream out, Duration interval) {
            this.what = what;
            this.out = out;
            this.intervalNanos = interval.toNanos();
            update(0, total, null);
        }

        @Override
        public synchronized void update(long done, long total, String note) {
            pending = String.format(
                    Locale.ROOT,
                    "facerec: %s %d/%d%s",
                    what,
                    done,
                    total,
                    note == null || note.isEmpty() ? "" : " | " + note);
            long now = System.nanoTime();
            if (written == null || now - lastWritten >= intervalNanos) {
                write(now);
            }
        }

        private void write(long now) {
            if (!pending.equals(written)) {
                out.println(pending);
                out.flush();
                written = pending;
            }
            lastWritten = now;
        }

        @Override
        public synchronized void close() {
            write(System.nanoTime());
        }
    }

    /** {@code --progress none}. */
    static final class None extends Progress {
        @Override
        public void update(long done, long total, String note) {}

        @Override
        public void close() {}
    }
}
