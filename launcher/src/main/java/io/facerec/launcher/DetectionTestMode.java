package io.facerec.launcher;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facerec.common.error.PermanentProcessingException;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.image.DecodedImage;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.messaging.EventCodec;
import io.facerec.common.model.ModelFile;
import io.facerec.common.model.ModelStore;
import io.facerec.detector.detect.DetectionSettings;
import io.facerec.detector.detect.RetinaFaceDetector;
import io.facerec.detector.thumbnail.ThumbnailWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origin's {@code --test IMAGE} mode, over files and folders: no database, no broker; detect, print the faces,
 * write thumbnails ({@code <image>_TN<i+1><ext>}, the origin's square crops) and log each face to
 * {@code logs/face_detection.log}. With a dry-run thumbnail writer nothing is written. With {@code --json} it prints
 * {@code {"images":[{"file","width","height","faces":[{"score","box","landmarks"}]}]}} in original pixels, the shape
 * {@code compare_json.py} reads.
 */
public class DetectionTestMode {
    private static final Logger log = LoggerFactory.getLogger(DetectionTestMode.class);

    private final ModelStore models;
    private final DetectionSettings settings;
    private final ThumbnailWriter thumbnails;
    private final int threads;

    public DetectionTestMode(ModelStore models, DetectionSettings settings, ThumbnailWriter thumbnails, int threads) {
        this.models = models;
        this.settings = settings;
        this.thumbnails = thumbnails;
        this.threads = threads;
    }

    private Progress.Mode progress = Progress.Mode.NONE;

    /** Shows the progress over the images on standard error ({@code --progress}). */
    public DetectionTestMode withProgress(Progress.Mode mode) {
        this.progress = mode;
        return this;
    }

    /** @return 0 when every image was read, 1 when some could not be */
    public int run(List<Path> inputs, boolean json, PrintStream out, PrintStream err) throws IOException {
        List<Path> images = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                images.addAll(MediaImporter.scan(in));
            } else {
                images.add(in);
            }
        }
        ImageLoader loader = new ImageLoader(ImageLoader.DEFAULT_MAX_PIXELS);
        ObjectNode root = EventCodec.mapper().createObjectNode();
        ArrayNode arr = root.putArray("images");
        int failures = 0;
        int done = 0;
        try (RetinaFaceDetector detector =
                        new RetinaFaceDetector(models.resolve(ModelFile.RETINAFACE_MNET25_V2), threads, false, null);
                Progress bar = Progress.start("images", images.size(), progress, err)) {
            for (Path img : images) {
                bar.update(done++, images.size(), failures > 0 ? failures + " failed" : "");
                String name = img.getFileName().toString();
                try (DecodedImage image = loader.load(img)) {
                    List<DetectedFace> faces = detector.detect(image, settings);
                    ObjectNode o = arr.addObject();
                    o.put("file", name);
                    o.put("width", image.width());
                    o.put("height", image.height());
                    ArrayNode fa = o.putArray("faces");
                    for (int i = 0; i < faces.size(); i++) {
                        DetectedFace f = faces.get(i);
                        ObjectNode fo = fa.addObject();
                        fo.put("score", f.score());
                        ArrayNode b = fo.putArray("box");
                        for (double v : f.box().toArray()) {
                            b.add(v);
                        }
                        ArrayNode l = fo.putArray("landmarks");
                        for (double[] p : f.landmarks().points()) {
                            l.addArray().add(p[0]).add(p[1]);
                        }
                        Path thumb;
                        try (var crop = thumbnails.cropRect(f.box(), image.width(), image.height())) {
                            thumb = thumbnails.write(image, crop, thumbnails.fileName(0, name, null, i));
                        }
                        log.info(
                                "test {}: face {} score {} box [{}, {}, {}, {}] thumbnail {}",
                                img,
                                i + 1,
                                String.format(Locale.ROOT, "%.3f", f.score()),
                                f.box().x1(),
                                f.box().y1(),
                                f.box().x2(),
                                f.box().y2(),
                                thumb == null ? "none (too small)" : thumb);
                        if (!json) {
                            out.printf(
                                    "%s  face %d  score %.3f  box [%.1f, %.1f, %.1f, %.1f]%s%n",
                                    name,
                                    i,
                                    f.score(),
                                    f.box().x1(),
                                    f.box().y1(),
                                    f.box().x2(),
                                    f.box().y2(),
                                    thumb == null
                                            ? "  (too small for a thumbnail)"
                                            : (thumbnails.isDryRun() ? "  -> would write " : "  -> ") + thumb);
                        }
                    }
                    log.info("test {}: {} face(s) ({}x{})", img, faces.size(), image.width(), image.height());
                    if (!json) {
                        out.printf("%s: %d face(s) (%dx%d)%n", name, faces.size(), image.width(), image.height());
                    }
                } catch (PermanentProcessingException e) {
                    failures++;
                    log.warn("test {}: {}: {}", img, e.errorKind(), e.getMessage());
                    err.printf("%s: %s: %s%n", name, e.errorKind(), e.getMessage());
                }
            }
            bar.update(done, images.size(), failures > 0 ? failures + " failed" : "");
        }
        if (json) {
            out.println(root.toPrettyString());
        }
        return failures == 0 ? 0 : 1;
    }
}
