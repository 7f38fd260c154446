package io.facerec.bench;

import io.facerec.common.id.MediaItemId;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.launcher.EmbeddedPipeline;
import io.facerec.launcher.MediaImporter;
import io.facerec.launcher.ZeroSetupRun;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Warm latency from the commit of a {@code MediaItems} INSERT to {@code Faces.PersonId} written, on the real chain.
 * Warm-up: the first {@code warmupPerPerson} photos of each person folder are processed so the persons exist; then
 * each measured photo is inserted alone and the clock stops when every face of that item has a person.
 */
public class LatencyBench {

    /**
     * {@code DIR N}: the zero-setup chain on a temporary data folder over DIR (person folders), warm-up, then N measured
     * single INSERTs. <pre>bench/latency.sh DIR [N]</pre>
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path data = Files.createTempDirectory("facerec-latency");
        Map<String, Object> props = new HashMap<>();
        props.put("facerec.thumbnails-dir", data.resolve("thumbnails").toString());
        try (EmbeddedPipeline pipeline =
                EmbeddedPipeline.start(data, dir, props, s -> System.err.println("bench: " + s), false, null)) {
            new LatencyBench(pipeline, System.out).run(dir, 2, n);
        }
        System.exit(0);
    }

    private final EmbeddedPipeline pipeline;
    private final PrintStream out;

    public LatencyBench(EmbeddedPipeline pipeline, PrintStream out) {
        this.pipeline = pipeline;
        this.out = out;
    }

    public long[] run(Path dir, int warmupPerPerson, int measured) throws Exception {
        Map<Path, List<Path>> byFolder = new TreeMap<>();
        for (Path p : MediaImporter.scan(dir)) {
            byFolder.computeIfAbsent(p.getParent(), k -> new ArrayList<>()).add(p);
        }
        MediaImporter importer = new MediaImporter(
                pipeline.bean(MediaFileRepository.class),
                pipeline.bean(MediaItemRepository.class),
                pipeline.bean(MediaPathResolver.class));
        List<Path> warm = new ArrayList<>();
        List<Path> rest = new ArrayList<>();
        for (List<Path> photos : byFolder.values()) {
            warm.addAll(photos.subList(0, Math.min(warmupPerPerson, photos.size())));
        }
        // round-robin over people so consecutive photos are of different persons
        for (int i = warmupPerPerson; rest.size() < measured; i++) {
            boolean any = false;
            for (List<Path> photos : byFolder.values()) {
                if (i < photos.size() && rest.size() < measured) {
                    rest.add(photos.get(i));
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        importer.importFiles(warm);
        ZeroSetupRun run = new ZeroSetupRun(pipeline, out, out);
        if (!run.awaitCompletion(Duration.ofMinutes(10), false)) {
            throw new IllegalStateException("warm-up did not finish");
        }
        JdbcTemplate jdbc = pipeline.bean(JdbcTemplate.class);
        List<Long> lat = new ArrayList<>();
        for (Path p : rest) {
            long t0 = System.nanoTime();
            MediaItemId id = importer.importFiles(List.of(p)).get(0); // auto-commit: committed on return
            long deadline = t0 + 120_000_000_000L;
            while (System.nanoTime() < deadline) {
                Long pending = jdbc.queryForObject(
                        "SELECT CASE WHEN m.\"IsFacesExtracted\" THEN "
                                + "(SELECT COUNT(*) FROM \"Faces\" f WHERE f.\"MediaItemId\" = m.\"Id\" AND f.\"PersonId\" IS NULL) "
                                + "ELSE -1 END FROM \"MediaItems\" m WHERE m.\"Id\" = ?",
                        Long.class,
                        id.value());
                Long faceCount = jdbc.queryForObject(
                        "SELECT COUNT(*) FROM \"Faces\" WHERE \"MediaItemId\" = ?", Long.class, id.value());
                if (pending != null && pending == 0 && faceCount > 0) {
                    break;
                }
                Thread.sleep(5);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            lat.add(ms);
            out.printf("  %s: %d ms%n", dir.relativize(p), ms);
        }
        long[] a = lat.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        out.printf(
                "INSERT commit -> PersonId written, %d photos: p50 %d ms, max %d ms%n",
                a.length, a.length == 0 ? 0 : a[(a.length - 1) / 2], a.length == 0 ? 0 : a[a.length - 1]);
        return a;
    }
}
