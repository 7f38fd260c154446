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
        ImageLoader loader = new ImageLoader(200_000_000L).withOpenCvOnly(); // as EmbedFacesHandler decodes
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
            // the reduced decode must not change the embeddings: cosine to the full-resolution path, per face
            List<Double> cos = new ArrayList<>();
            for (Face f : faces) {
                float[] full;
                float[] reduced;
                try (DecodedImage img = loader.load(f.file()); Mat a = aligner.align(img.bgr(), f.face().box(), f.face().landmarks())) {
                    full = embedder.embed(embedder.preprocess(a));
                }
                int r = io.facerec.embedder.embed.EmbedFacesHandler.reduction(List.of(asEvent(f)), spec.inputSize());
                try (DecodedImage img = loader.load(f.file(), r); Mat a = aligner.align(img.bgr(),
                        io.facerec.embedder.embed.EmbedFacesHandler.scaleBox(f.face().box(), r),
                        io.facerec.embedder.embed.EmbedFacesHandler.scaleLandmarks(f.face().landmarks(), r))) {
                    reduced = embedder.embed(embedder.preprocess(a));
                }
                double c = 0;
                for (int i = 0; i < full.length; i++) {
                    c += full[i] * reduced[i];
                }
                cos.add(c);
            }
            cos.sort(null);
            System.out.printf(Locale.ROOT, "reduced decode vs full decode, cosine per face: min %.4f, median %.4f%n",
                    cos.get(0), cos.get(cos.size() / 2));
        }
    }

    static io.facerec.common.event.FacesDetected.Face asEvent(Face f) {
        return new io.facerec.common.event.FacesDetected.Face(0, 0, 0, f.face().score(), f.face().box().toArray(),
                f.face().landmarks().points());
    }

    /** As the worker does it: each photo decoded once per media item (reduced when its faces allow), then every face. */
    static void stage(List<Face> faces, ImageLoader loader, FaceAligner aligner, FaceEmbedder embedder) {
        Path current = null;
        DecodedImage img = null;
        int r = 1;
        for (Face f : faces) {
            if (!f.file().equals(current)) {
                if (img != null) {
                    img.close();
                }
                current = f.file();
                Path file = current;
                r = io.facerec.embedder.embed.EmbedFacesHandler.reduction(
                        faces.stream().filter(x -> x.file().equals(file)).map(EmbedderBench::asEvent).toList(),
                        aligner.size());
                img = loader.load(f.file(), r);
            }
            try (Mat a = aligner.align(img.bgr(), io.facerec.embedder.embed.EmbedFacesHandler.scaleBox(f.face().box(), r),
                    io.facerec.embedder.embed.EmbedFacesHandler.scaleLandmarks(f.face().landmarks(), r))) {
                embedder.embed(embedder.preprocess(a));
            }
        }
        if (img != null) {
            img.close();
        }
    }
}
