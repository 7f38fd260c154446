package io.facerec.launcher;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facerec.common.config.FacerecProperties;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.messaging.EventCodec;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.common.persistence.PipelineQueries;
import io.facerec.common.persistence.PipelineQueries.FaceView;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code facerec --images DIR}: inserts a row per image into the embedded database and lets the real chain (capture,
 * detector, embedder, clusterer) do the rest; shows progress, waits until every item is processed, prints the persons.
 */
public class ZeroSetupRun {
    private final EmbeddedPipeline pipeline;
    private final PrintStream out;
    private final PrintStream err;

    public ZeroSetupRun(EmbeddedPipeline pipeline, PrintStream out, PrintStream err) {
        this.pipeline = pipeline;
        this.out = out;
        this.err = err;
    }

    /** @return the number of media items inserted */
    public int importImages(Path dir) throws IOException {
        return importFiles(MediaImporter.scanMedia(dir));
    }

    /** @return the number of media items inserted (files already known are skipped) */
    public int importFiles(List<Path> media) {
        MediaImporter importer = new MediaImporter(
                pipeline.bean(MediaFileRepository.class),
                pipeline.bean(MediaItemRepository.class),
                pipeline.bean(MediaPathResolver.class));
        return importer.importFiles(media).size();
    }

    /** Polls until every item is processed; false on timeout. */
    public boolean awaitCompletion(Duration timeout, boolean showProgress) throws InterruptedException {
        return awaitCompletion(timeout, showProgress ? Progress.Mode.AUTO : Progress.Mode.NONE);
    }

    /** Polls until every item is processed, showing the progress as {@code mode}; false on timeout. */
    public boolean awaitCompletion(Duration timeout, Progress.Mode mode) throws InterruptedException {
        PipelineQueries q = pipeline.queries();
        long deadline = System.nanoTime() + timeout.toNanos();
        PipelineQueries.Progress first = q.progress();
        try (Progress bar = Progress.start("items detected", first.items(), mode, err)) {
            while (System.nanoTime() < deadline) {
                PipelineQueries.Progress p = q.progress();
                bar.update(
                        p.detected(),
                        p.items(),
                        String.format(
                                "faces %d, embedded %d, clustered %d%s",
                                p.faces(),
                                p.embedded(),
                                p.clustered(),
                                p.failed() > 0 ? ", " + p.failed() + " failed" : ""));
                if (p.complete()) {
                    return true;
                }
                Thread.sleep(250);
            }
        }
        return false;
    }

    public void printPersons(Path mediaRoot, boolean json) {
        Map<Long, List<FaceView>> byPerson = pipeline.queries().facesByPerson();
        Path thumbs = pipeline.bean(FacerecProperties.class).thumbnailsDir().toAbsolutePath();
        if (json) {
            ObjectNode root = EventCodec.mapper().createObjectNode();
            ArrayNode persons = root.putArray("persons");
            for (var e : byPerson.entrySet()) {
                if (e.getKey() == null) {
                    continue;
                }
                ObjectNode p = persons.addObject();
                p.put("id", e.getKey());
                faces(p.putArray("faces"), e.getValue());
            }
            faces(root.putArray("unassigned"), byPerson.getOrDefault(null, List.of()));
            ArrayNode failed = root.putArray("failed");
            for (String[] f : pipeline.queries().failures()) {
                failed.addObject().put("file", f[0]).put("error", f[1]).put("message", f[2]);
            }
            out.println(root.toPrettyString());
            return;
        }
        int persons = 0;
        for (var e : byPerson.entrySet()) {
            if (e.getKey() == null) {
                continue;
            }
            persons++;
            List<String> files =
                    e.getValue().stream().map(FaceView::filePath).distinct().toList();
            out.printf("person %d: %d face(s) in %s%n", e.getKey(), e.getValue().size(), String.join(", ", files));
        }
        List<FaceView> unassigned = byPerson.getOrDefault(null, List.of());
        if (!unassigned.isEmpty()) {
            out.printf(
                    "unassigned: %d face(s) in %s%n",
                    unassigned.size(),
                    String.join(
                            ", ",
                            unassigned.stream()
                                    .map(FaceView::filePath)
                                    .distinct()
                                    .toList()));
        }
        for (String[] f : pipeline.queries().failures()) {
            out.printf("failed: %s: %s %s%n", f[0], f[1], f[2]);
        }
        out.printf("%d person(s); thumbnails in %s%n", persons, thumbs);
    }

    private static void faces(ArrayNode arr, List<FaceView> faces) {
        for (FaceView f : faces) {
            ObjectNode o = arr.addObject();
            o.put("file", f.filePath());
            ArrayNode b = o.putArray("box");
            for (double v : f.box().toArray()) {
                b.add(Math.round(v * 100) / 100.0);
            }
        }
    }
}
