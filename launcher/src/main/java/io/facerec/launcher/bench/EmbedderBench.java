package io.facerec.launcher.bench;

import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.image.DecodedImage;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.model.ModelFile;
import io.facerec.common.model.ModelStore;
import io.facerec.detector.detect.DetectionSettings;
import io.facerec.detector.detect.RetinaFaceDetector;
import io.facerec.embedder.align.FaceAligner;
import io.facerec.embedder.embed.EmbeddingModelSpec;
import io.facerec.embedder.embed.FaceEmbedder;
import io.facerec.launcher.MediaImporter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Embedder stage throughput next to bare model inference, in one run: the stage is what the embedder worker does per
 * face (decode the photo, align with the 5 landmarks, preprocess, infer, L2-normalise); the bare loop runs the model on
 * one fixed, already preprocessed input. Faces come from the detector on the given folder (detected once, up front).
 *
 * <pre>java -cp launcher/target/facerec.jar -Dloader.main=io.facerec.launcher.bench.EmbedderBench \
 *   org.springframework.boot.loader.launch.PropertiesLauncher ../shared/eval/detection [passes]</pre>
 */
public final class EmbedderBench {
    record Face(Path file, DetectedFace face) {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "../shared/eval/detection");
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        ModelStore models = ModelStore.fromEnvironment();
        ImageLoader loader = new ImageLoader(200_000_000L);
        List<Face> faces = new ArrayList<>();
        try (RetinaFaceDetector detector = new RetinaFaceDetector(models.resolve(ModelFile.RETINAFACE_MNET25_V2), 0, false, null)) {
            for (Path p : MediaImporter.scan(dir)) {
                try (DecodedImage img = loader.load(p)) {
                    for (DetectedFace f : detector.detect(img, new DetectionSettings(0.9, 0.4, 20, 0, true))) {
                        faces.add(new Face(p, f));
                    }
                }
            }
        }
        EmbeddingModelSpec spec = EmbeddingModelSpec.FR_FEATURE;
        FaceAligner aligner = new FaceAligner(spec.alignment(), spec.inputSize());
        try (FaceEmbedder embedder = new FaceEmbedder(spec, models.resolve(ModelFile.FR_FEATURE), 0, false)) {
            float[] fixed;
            try (DecodedImage img = loader.load(faces.get(0).file()); Mat a = aligner.align(img.bgr(), faces.get(0).face().box(),
                    faces.get(0).face().landmarks())) {
                fixed = embedder.preprocess(a);
            }
            for (int i = 0; i < 50; i++) {
                embedder.embed(fixed); // warm-up
            }
            int n = faces.size() * passes;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                embedder.embed(fixed);
            }
            double bare = n / ((System.nanoTime() - t0) / 1e9);
            stage(faces, loader, aligner, embedder); // warm-up pass
            long t1 = System.nanoTime();
            for (int p = 0; p < passes; p++) {
                stage(faces, loader, aligner, embedder);
            }
            double staged = n / ((System.nanoTime() - t1) / 1e9);
            System.out.printf(Locale.ROOT, "%d faces x %d passes: embedder stage %.1f faces/s, bare model %.1f faces/s, "
                    + "stage / bare = %.0f%%%n", faces.size(), passes, staged, bare, 100 * staged / bare);
        }
    }

    /** As the worker does it: each photo decoded once per media item, then every face aligned and embedded. */
    static void stage(List<Face> faces, ImageLoader loader, FaceAligner aligner, FaceEmbedder embedder) {
        Path current = null;
        DecodedImage img = null;
        for (Face f : faces) {
            if (!f.file().equals(current)) {
                if (img != null) {
                    img.close();
                }
                img = loader.load(f.file());
                current = f.file();
            }
            try (Mat a = aligner.align(img.bgr(), f.face().box(), f.face().landmarks())) {
                embedder.embed(embedder.preprocess(a));
            }
        }
        if (img != null) {
            img.close();
        }
    }
}
