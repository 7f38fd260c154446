package io.facerec.bench.reliability;

import io.facerec.launcher.MediaImporter;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The fault suite: each scenario starts the real chain with every worker in its own JVM ({@link PipelineStack}),
 * inserts a batch of media items (the dev photos), hits one part while the batch is in flight, lets it recover, and
 * checks that nothing was lost or duplicated and that the persons group the faces exactly as a run without faults.
 *
 * <pre>java -cp bench/target/facerec-bench.jar -Dloader.main=io.facerec.bench.reliability.FaultSuite \
 *   org.springframework.boot.loader.launch.PropertiesLauncher [--photos DIR] [--items 200] [--burst 2000] [SCENARIO...]</pre>
 *
 * Scenarios: {@code baseline kill-detector kill-embedder kill-clusterer broker-down database-down capture-restart
 * hostile} (default: all) and {@code burst}, which inserts {@code --burst} rows at once and reports throughput, the
 * largest consumer lag and the peak heap of every worker.
 */
public final class FaultSuite {

    /** One part hit while the batch is in flight. */
    public enum Fault {
        NONE("baseline (no fault)"),
        KILL_DETECTOR("kill -9 detector, restart"),
        KILL_EMBEDDER("kill -9 embedder, restart"),
        KILL_CLUSTERER("kill -9 clusterer, restart"),
        BROKER_DOWN("broker stopped 20 s, restarted"),
        DATABASE_DOWN("database down 30 s, restarted"),
        CAPTURE_RESTART("kill -9 capture engine, restart");

        final String label;

        Fault(String label) {
            this.label = label;
        }
    }

    /** One line of the table. */
    public record Row(
            String scenario,
            int items,
            long faces,
            long duplicates,
            long lost,
            String personsEqual,
            double recoverySeconds,
            double totalSeconds,
            String notes) {
        String line() {
            return String.format(
                    Locale.ROOT,
                    "| %s | %d | %d | %d | %d | %s | %s | %.1f | %s |",
                    scenario,
                    items,
                    faces,
                    duplicates,
                    lost,
                    personsEqual,
                    recoverySeconds < 0 ? "-" : String.format(Locale.ROOT, "%.1f", recoverySeconds),
                    totalSeconds,
                    notes);
        }
    }

    static final String HEADER =
            "| scenario | items | faces | duplicates | lost | persons equal | recovery s | total s | notes |\n"
                    + "| --- | --- | --- | --- | --- | --- | --- | --- | --- |";

    private final List<Path> photos;
    private final Path root;
    private final PrintStream out;
    private Set<Set<String>> baseline;

    public FaultSuite(List<Path> photos, Path root, PrintStream out) {
        this.photos = photos;
        this.root = root;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Path photosDir = Path.of("../shared/eval/identity");
        int items = 200;
        int burst = 2000;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--photos" -> photosDir = Path.of(args[++i]);
                case "--items" -> items = Integer.parseInt(args[++i]);
                case "--burst" -> burst = Integer.parseInt(args[++i]);
                default -> names.add(args[i]);
            }
        }
        if (names.isEmpty()) {
            names = List.of(
                    "baseline",
                    "kill-detector",
                    "kill-embedder",
                    "kill-clusterer",
                    "broker-down",
                    "database-down",
                    "capture-restart",
                    "hostile",
                    "burst");
        }
        List<Path> photos = MediaImporter.scan(photosDir.toAbsolutePath().normalize());
        FaultSuite suite = new FaultSuite(photos, Files.createTempDirectory("facerec-faults"), System.out);
        List<Row> rows = new ArrayList<>();
        for (String n : names) {
            Row r = switch (n) {
                case "baseline" -> suite.run(Fault.NONE, items);
                case "hostile" -> suite.hostile();
                case "burst" -> suite.burst(burst);
                default -> suite.run(Fault.valueOf(n.toUpperCase(Locale.ROOT).replace('-', '_')), items);
            };
            rows.add(r);
            System.out.println(HEADER);
            rows.forEach(x -> System.out.println(x.line()));
        }
        System.exit(rows.stream().allMatch(FaultSuite::passed) ? 0 : 1);
    }

    /** 0 lost, 0 duplicated, persons equal (or not applicable). */
    public static boolean passed(Row r) {
        return r.lost() == 0 && r.duplicates() == 0 && !r.personsEqual().startsWith("no");
    }

    // ------------------------------------------------------------------------------------------------ fault scenarios

    public Row run(Fault fault, int n) throws Exception {
        if (fault != Fault.NONE && baseline == null) {
            run(Fault.NONE, n); // the grouping to compare with
        }
        Path work = Files.createTempDirectory(root, fault.name().toLowerCase(Locale.ROOT));
        Path media = copyPhotos(work);
        out.printf("%n== %s: %d items ==%n", fault.label, n);
        try (PipelineStack stack = new PipelineStack(work, media)) {
            stack.start();
            JdbcTemplate jdbc = stack.jdbc();
            List<Long> files = insertFiles(jdbc, media);
            long t0 = System.nanoTime();
            Progress p = new Progress(jdbc);
            double faultEnd = -1;
            ToLongFunction<long[]> stage = stageOf(fault);
            long atFaultEnd = 0;
            // inserts in 20 small transactions, as a library import would trickle in
            for (int b = 0; b < 20; b++) {
                insertItems(jdbc, files, b * n / 20, (b + 1) * n / 20, "item-");
                if (fault == Fault.CAPTURE_RESTART && b == 9) {
                    stack.capture.killHard();
                    stack.capture.start();
                    stack.capture.awaitReady(Duration.ofMinutes(3), null);
                    faultEnd = secondsSince(t0);
                    atFaultEnd = stage.applyAsLong(p.poll());
                }
                Thread.sleep(150);
            }
            if (fault != Fault.NONE && fault != Fault.CAPTURE_RESTART) {
                // hit the part while a quarter of the batch is through detection
                while (p.poll()[0] < n / 4) {
                    Thread.sleep(100);
                }
                out.printf("  %s at %.1f s: %s%n", fault.label, secondsSince(t0), Arrays.toString(p.last));
                switch (fault) {
                    case KILL_DETECTOR -> restartHard(stack.detector);
                    case KILL_EMBEDDER -> restartHard(stack.embedder);
                    case KILL_CLUSTERER -> restartHard(stack.clusterer);
                    case BROKER_DOWN -> stack.brokerOutage(Duration.ofSeconds(20));
                    case DATABASE_DOWN -> stack.databaseOutage(Duration.ofSeconds(30));
                    default -> throw new IllegalStateException();
                }
                faultEnd = secondsSince(t0);
                atFaultEnd = stage.applyAsLong(p.poll());
            }
            double recovered = -1;
            long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
            while (!p.done(n)) {
                if (System.nanoTime() > deadline) {
                    out.printf("  not finished after 15 minutes: %s%n", Arrays.toString(p.last));
                    break;
                }
                Thread.sleep(250);
                if (faultEnd >= 0 && recovered < 0 && stage.applyAsLong(p.poll()) > atFaultEnd) {
                    recovered = secondsSince(t0) - faultEnd;
                }
            }
            double total = secondsSince(t0);
            if (faultEnd >= 0 && recovered < 0) {
                recovered = 0; // the stage had already finished its work when the part came back
            }
            Check c = check(jdbc, n);
            String equal;
            if (fault == Fault.NONE) {
                baseline = c.grouping;
                equal = "(reference)";
            } else {
                equal = c.grouping.equals(baseline) ? "yes" : "no (" + difference(baseline, c.grouping) + ")";
            }
            String notes = "restarts: " + restarts(stack) + "; persons " + c.persons;
            Row row = new Row(fault.label, n, c.faces, c.duplicates, c.lost, equal, recovered, total, notes);
            out.println(HEADER);
            out.println(row.line());
            return cleanUp(work, row, stack);
        }
    }

    /** Stops the stack, then deletes the scenario's folder when it passed (a failed one is kept to be looked at). */
    private Row cleanUp(Path work, Row row, PipelineStack stack) throws Exception {
        stack.close();
        if (passed(row)) {
            try (var files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        } else {
            out.println("  kept for inspection: " + work);
        }
        return row;
    }

    private static void restartHard(ChildJvm jvm) throws Exception {
        jvm.killHard();
        jvm.start();
        jvm.awaitReady(Duration.ofMinutes(3), null);
    }

    private static String restarts(PipelineStack s) {
        List<String> r = new ArrayList<>();
        for (ChildJvm j : List.of(s.broker, s.capture, s.detector, s.embedder, s.clusterer)) {
            if (j.starts() > 1) {
                r.add(j.name + " " + (j.starts() - 1));
            }
        }
        return r.isEmpty() ? "none" : String.join(", ", r);
    }

    /** Which progress count shows that the part hit has resumed its work. */
    private static ToLongFunction<long[]> stageOf(Fault f) {
        return switch (f) {
            case KILL_EMBEDDER -> c -> c[1];
            case KILL_CLUSTERER -> c -> c[2];
            case KILL_DETECTOR, CAPTURE_RESTART -> c -> c[0];
            default -> c -> c[0] + c[1] + c[2];
        };
    }

    // ------------------------------------------------------------------------------------------------ burst

    public Row burst(int n) throws Exception {
        Path work = Files.createTempDirectory(root, "burst");
        Path media = copyPhotos(work);
        out.printf("%n== burst: %d items inserted at once ==%n", n);
        try (PipelineStack stack = new PipelineStack(work, media)) {
            stack.start();
            JdbcTemplate jdbc = stack.jdbc();
            List<Long> files = insertFiles(jdbc, media);
            Map<String, Long> maxLag = new LinkedHashMap<>();
            Map<String, double[]> heap = new LinkedHashMap<>(); // worker -> {peak used, max}
            try (Admin a = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
                long t0 = System.nanoTime();
                insertItems(jdbc, files, 0, n, "burst-");
                Progress p = new Progress(jdbc);
                long deadline = System.nanoTime() + Duration.ofMinutes(40).toNanos();
                while (!p.done(n) && System.nanoTime() < deadline) {
                    stack.lag(a).forEach((g, l) -> maxLag.merge(g, l, Math::max));
                    for (ChildJvm w : stack.workers()) {
                        double[] h = heapOf(w);
                        if (h != null) {
                            heap.merge(w.name, h, (x, y) -> new double[] {Math.max(x[0], y[0]), Math.max(x[1], y[1])});
                        }
                    }
                    Thread.sleep(1000);
                }
                double total = secondsSince(t0);
                Check c = check(jdbc, n);
                StringBuilder notes = new StringBuilder(String.format(Locale.ROOT, "%.2f items/s; max lag", n / total));
                maxLag.forEach((g, l) -> notes.append(' ')
                        .append(g.replace("facerec-", ""))
                        .append(' ')
                        .append(l));
                notes.append("; peak heap MB");
                heap.forEach(
                        (w, h) -> notes.append(String.format(Locale.ROOT, " %s %.0f/%.0f", w, h[0] / 1e6, h[1] / 1e6)));
                Row row = new Row(
                        "burst: " + n + " rows at once",
                        n,
                        c.faces,
                        c.duplicates,
                        c.lost,
                        "n/a",
                        -1,
                        total,
                        notes.toString());
                out.println(HEADER);
                out.println(row.line());
                return cleanUp(work, row, stack);
            }
        }
    }

    /** {used, max} heap bytes from the worker's Prometheus endpoint; null when it does not answer. */
    static double[] heapOf(ChildJvm w) {
        String body = w.get("/actuator/prometheus");
        if (body == null) {
            return null;
        }
        double used = 0;
        double max = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                used += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            } else if (line.startsWith("jvm_memory_max_bytes{") && line.contains("area=\"heap\"")) {
                double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                max += Math.max(0, v);
            }
        }
        return new double[] {used, max};
    }

    // ------------------------------------------------------------------------------------------------ hostile input

    public Row hostile() throws Exception {
        Path work = Files.createTempDirectory(root, "hostile");
        Path media = copyPhotos(work);
        out.printf("%n== hostile input ==%n");
        HostileInputs h = HostileInputs.create(work, media, photos.get(0));
        try (PipelineStack stack = new PipelineStack(work, media)) {
            stack.start();
            JdbcTemplate jdbc = stack.jdbc();
            long t0 = System.nanoTime();
            Map<Long, HostileInputs.Case> byItem = h.insert(jdbc);
            Progress p = new Progress(jdbc);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (!p.done(byItem.size()) && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            HostileInputs.Verdict v = h.verify(jdbc, byItem, work.resolve("thumbs"));
            v.details().forEach(d -> out.println("  " + d));
            Check c = check(jdbc, byItem.size());
            Row row = new Row(
                    "hostile input (" + h.cases().size() + " cases)",
                    byItem.size(),
                    c.faces,
                    c.duplicates,
                    v.wrong(),
                    "n/a",
                    -1,
                    secondsSince(t0),
                    v.summary()
                            + (h.refusedByDatabase().isEmpty()
                                    ? ""
                                    : "; refused by PostgreSQL at INSERT: "
                                            + String.join(", ", h.refusedByDatabase())));
            out.println(HEADER);
            out.println(row.line());
            return cleanUp(work, row, stack);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** The photos, copied under {@code work/media} (a symbolic link out of the media root would be refused). */
    private Path copyPhotos(Path work) throws Exception {
        Path media = work.resolve("media");
        Files.createDirectories(media);
        for (int i = 0; i < photos.size(); i++) {
            Files.copy(photos.get(i), media.resolve(String.format(Locale.ROOT, "p%04d.jpg", i)));
        }
        return media;
    }

    private List<Long> insertFiles(JdbcTemplate jdbc, Path media) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < photos.size(); i++) {
            String name = String.format(Locale.ROOT, "p%04d.jpg", i);
            ids.add(jdbc.queryForObject(
                    "INSERT INTO \"MediaFile\" (\"FilePath\", \"FileName\", \"Extensions\") VALUES (?, ?, ?) "
                            + "RETURNING \"Id\"",
                    Long.class,
                    name,
                    name,
                    ".jpg"));
        }
        return ids;
    }

    private static void insertItems(JdbcTemplate jdbc, List<Long> files, int from, int to, String prefix) {
        jdbc.execute((Connection c) -> {
            c.setAutoCommit(false);
            try (var ps = c.prepareStatement("INSERT INTO \"MediaItems\" (\"MediaFileId\", \"Name\") VALUES (?, ?)")) {
                for (int i = from; i < to; i++) {
                    ps.setLong(1, files.get(i % files.size()));
                    ps.setString(2, prefix + i);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
            c.setAutoCommit(true);
            return null;
        });
    }

    static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Counts polled from the database: {items done, faces embedded, faces clustered, items, faces}. */
    static final class Progress {
        private final JdbcTemplate jdbc;
        long[] last = new long[5];
        private int stable;

        Progress(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        long[] poll() {
            try {
                last = jdbc.queryForObject(
                        "SELECT "
                                + "(SELECT COUNT(*) FROM \"MediaItems\" WHERE \"Status\" <> 'PENDING'), "
                                + "(SELECT COUNT(*) FROM \"Faces\" WHERE \"Embedding\" IS NOT NULL), "
                                + "(SELECT COUNT(*) FROM \"Faces\" WHERE \"PersonId\" IS NOT NULL OR \"ClusteredAt\" IS NOT NULL), "
                                + "(SELECT COUNT(*) FROM \"MediaItems\"), (SELECT COUNT(*) FROM \"Faces\")",
                        (rs, i) ->
                                new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)});
            } catch (RuntimeException e) {
                // the database is down: keep the last counts
            }
            return last;
        }

        /** Every item done, every face embedded and clustered, the same for three polls in a row. */
        boolean done(int items) {
            long[] c = poll();
            boolean complete = c[3] >= items && c[0] == c[3] && c[1] == c[4] && c[2] == c[4];
            stable = complete ? stable + 1 : 0;
            return stable >= 3;
        }
    }

    record Check(long faces, long duplicates, long lost, long persons, Set<Set<String>> grouping) {}

    /** Duplicates: two face rows of one item with the same box. Lost: items not done, faces not embedded or clustered. */
    static Check check(JdbcTemplate jdbc, int items) {
        long faces = jdbc.queryForObject("SELECT COUNT(*) FROM \"Faces\"", Long.class);
        long dup = jdbc.queryForObject(
                "SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM \"Faces\" "
                        + "GROUP BY \"MediaItemId\", \"FrameNumber\", \"BoundingBox\" HAVING COUNT(*) > 1) d",
                Long.class);
        long itemRows = jdbc.queryForObject("SELECT COUNT(*) FROM \"MediaItems\"", Long.class);
        long notDone =
                jdbc.queryForObject("SELECT COUNT(*) FROM \"MediaItems\" WHERE \"Status\" = 'PENDING'", Long.class);
        long notEmbedded =
                jdbc.queryForObject("SELECT COUNT(*) FROM \"Faces\" WHERE \"Embedding\" IS NULL", Long.class);
        long notClustered = jdbc.queryForObject(
                "SELECT COUNT(*) FROM \"Faces\" WHERE \"PersonId\" IS NULL " + "AND \"ClusteredAt\" IS NULL",
                Long.class);
        long persons = jdbc.queryForObject("SELECT COUNT(*) FROM \"Persons\"", Long.class);
        Map<Long, Set<String>> byPerson = new HashMap<>();
        jdbc.query(
                "SELECT f.\"PersonId\", m.\"Name\", f.\"FrameNumber\", f.\"FaceIndex\" FROM \"Faces\" f "
                        + "JOIN \"MediaItems\" m ON m.\"Id\" = f.\"MediaItemId\" WHERE f.\"PersonId\" IS NOT NULL",
                rs -> {
                    byPerson.computeIfAbsent(rs.getLong(1), k -> new HashSet<>())
                            .add(rs.getString(2) + "#" + rs.getInt(3) + "#" + rs.getInt(4));
                });
        long lost = Math.max(0, items - itemRows) + notDone + notEmbedded + notClustered;
        return new Check(faces, dup, lost, persons, new HashSet<>(byPerson.values()));
    }

    /** How two groupings differ, in a few words. */
    static String difference(Set<Set<String>> a, Set<Set<String>> b) {
        Set<Set<String>> onlyA = new HashSet<>(a);
        onlyA.removeAll(b);
        Set<Set<String>> onlyB = new HashSet<>(b);
        onlyB.removeAll(a);
        return onlyA.size() + " person(s) of the reference differ, " + onlyB.size() + " here";
    }
}
