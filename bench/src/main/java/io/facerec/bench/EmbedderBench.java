package io.facerec.bench;

import io.facerec.common.event.FacesDetected;
import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.geometry.Landmarks;
import io.facerec.common.image.DecodedImage;
import io.facerec.common.image.FaceCrop;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.model.ModelFile;
import io.facerec.common.model.ModelStore;
import io.facerec.detector.detect.DetectionSettings;
import io.facerec.detector.detect.RetinaFaceDetector;
import io.facerec.detector.thumbnail.FaceCropWriter;
import io.facerec.embedder.align.FaceAligner;
import io.facerec.embedder.embed.EmbeddingModelSpec;
import io.facerec.embedder.embed.FaceEmbedder;
import io.facerec.embedder.embed.FaceInputs;
import io.facerec.launcher.MediaImporter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Embedder stage throughput next to bare model inference, in one run. The stage is the embedder worker's own code
 * ({@link FaceInputs} then {@link FaceEmbedder#embedAll}) per media item: read each face from the crop the detector
 * left (decode a few KB, align, preprocess) or decode the photo (reduced when its faces allow), infer, L2-normalise.
 * The bare loop runs the model on one fixed, already preprocessed input, in the same batches (one per photo, as many
 * copies as the photo has faces). Faces come from the detector on the given
 * folder (detected once, up front, with the worker's default settings); the crops are written then, as the detector
 * writes them, and that cost is reported separately (it is the detector's, paid while it has the photo decoded).
 * Also prints, per face, the cosine between each path's embedding and the full-resolution photo path's.
 *
 * <pre>java -cp bench/target/facerec-bench.jar -Dloader.main=io.facerec.bench.EmbedderBench \
 *   org.springframework.boot.loader.launch.PropertiesLauncher ../shared/eval/detection [passes] [face crop size]</pre>
 */
public final class EmbedderBench {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "../shared/eval/detection")
                .toAbsolutePath()
                .normalize();
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int cropSize = args.length > 2 ? Integer.parseInt(args[2]) : 448; // the detector's default face-crop-size
        ModelStore models = ModelStore.fromEnvironment();
        ImageLoader detectorLoader = new ImageLoader(200_000_000L);
        ImageLoader embedderLoader = detectorLoader;
        MediaPathResolver paths = new MediaPathResolver(dir);
        EmbeddingModelSpec spec = EmbeddingModelSpec.FR_FEATURE;
        Path work = Files.createTempDirectory("embedder-bench");
        Map<FaceCropWriter.Format, Path> cropDirs = new EnumMap<>(FaceCropWriter.Format.class);
        Map<FaceCropWriter.Format, Long> writeNanos = new EnumMap<>(FaceCropWriter.Format.class);
        Map<FaceCropWriter.Format, List<FacesDetected>> cropEvents = new EnumMap<>(FaceCropWriter.Format.class);
        List<FacesDetected> photoEvents = new ArrayList<>();
        long faceId = 0;
        try (RetinaFaceDetector detector =
                new RetinaFaceDetector(models.resolve(ModelFile.RETINAFACE_MNET25_V2), 0, false, null)) {
            Map<FaceCropWriter.Format, FaceCropWriter> writers = new EnumMap<>(FaceCropWriter.Format.class);
            for (FaceCropWriter.Format format : FaceCropWriter.Format.values()) {
                cropDirs.put(format, Files.createDirectories(work.resolve(format.name())));
                writers.put(format, new FaceCropWriter(cropDirs.get(format), cropSize, format));
                writeNanos.put(format, 0L);
                cropEvents.put(format, new ArrayList<>());
            }
            for (Path p : MediaImporter.scan(dir)) {
                String rel = paths.relativize(p);
                try (DecodedImage img = detectorLoader.load(p)) {
                    List<DetectedFace> found = detector.detect(img, new DetectionSettings(0.9, 0.4, 20, 0, true));
                    if (found.isEmpty()) {
                        continue;
                    }
                    List<FacesDetected.Face> plain = new ArrayList<>();
                    Map<FaceCropWriter.Format, List<FacesDetected.Face>> withCrops =
                            new EnumMap<>(FaceCropWriter.Format.class);
                    for (int i = 0; i < found.size(); i++) {
                        DetectedFace f = found.get(i);
                        faceId++;
                        plain.add(new FacesDetected.Face(
                                faceId,
                                0,
                                i,
                                f.score(),
                                f.box().toArray(),
                                f.landmarks().points()));
                        for (FaceCropWriter.Format format : FaceCropWriter.Format.values()) {
                            long t0 = System.nanoTime();
                            FaceCrop crop = writers.get(format).write(img, f.box(), "item_" + faceId);
                            writeNanos.merge(format, System.nanoTime() - t0, Long::sum);
                            withCrops
                                    .computeIfAbsent(format, k -> new ArrayList<>())
                                    .add(new FacesDetected.Face(
                                            faceId,
                                            0,
                                            i,
                                            f.score(),
                                            f.box().toArray(),
                                            f.landmarks().points(),
                                            crop));
                        }
                    }
                    photoEvents.add(FacesDetected.of(0, rel, plain));
                    for (var e : withCrops.entrySet()) {
                        cropEvents.get(e.getKey()).add(FacesDetected.of(0, rel, e.getValue()));
                    }
                }
            }
        }
        int faces = photoEvents.stream().mapToInt(e -> e.faces().size()).sum();
        FaceAligner aligner = new FaceAligner(spec.alignment(), spec.inputSize());
        try (FaceEmbedder embedder = new FaceEmbedder(spec, models.resolve(ModelFile.FR_FEATURE), 0, false)) {
            FaceInputs fromPhotos = new FaceInputs(paths, embedderLoader, aligner, embedder, null, null);
            float[] fixed = fromPhotos.photo(photoEvents.get(0)).get(0);
            for (FacesDetected e : photoEvents) {
                embedder.embedAll(Collections.nCopies(e.faces().size(), fixed), 16); // warm-up
            }
            // interleaved passes (bare, photo stage, one crop stage per format), so drift on a shared machine hits all
            Map<FaceCropWriter.Format, FaceInputs> fromCrops = new EnumMap<>(FaceCropWriter.Format.class);
            Map<FaceCropWriter.Format, SimpleMeterRegistry> meters = new EnumMap<>(FaceCropWriter.Format.class);
            for (FaceCropWriter.Format format : FaceCropWriter.Format.values()) {
                meters.put(format, new SimpleMeterRegistry());
                fromCrops.put(
                        format,
                        new FaceInputs(
                                paths, embedderLoader, aligner, embedder, cropDirs.get(format), meters.get(format)));
                embedAllOf(cropEvents.get(format), fromCrops.get(format), embedder); // warm-up
            }
            embedAllOf(photoEvents, fromPhotos, embedder);
            long bareNanos = 0;
            long photoNanos = 0;
            Map<FaceCropWriter.Format, Long> cropNanos = new EnumMap<>(FaceCropWriter.Format.class);
            // each pass runs the variants in a different order (bare, photo, the crop formats), so no variant is always
            // the one right after another
            int variants = 2 + FaceCropWriter.Format.values().length;
            for (int p = 0; p < passes; p++) {
                for (int v = 0; v < variants; v++) {
                    int which = (v + p) % variants;
                    long t0 = System.nanoTime();
                    if (which == 0) {
                        for (FacesDetected e : photoEvents) {
                            embedder.embedAll(Collections.nCopies(e.faces().size(), fixed), 16);
                        }
                        bareNanos += System.nanoTime() - t0;
                    } else if (which == 1) {
                        embedAllOf(photoEvents, fromPhotos, embedder);
                        photoNanos += System.nanoTime() - t0;
                    } else {
                        FaceCropWriter.Format format = FaceCropWriter.Format.values()[which - 2];
                        embedAllOf(cropEvents.get(format), fromCrops.get(format), embedder);
                        cropNanos.merge(format, System.nanoTime() - t0, Long::sum);
                    }
                }
            }
            double bare = faces * (double) passes / (bareNanos / 1e9);
            double photo = faces * (double) passes / (photoNanos / 1e9);
            System.out.printf(
                    Locale.ROOT,
                    "%d faces in %d photos x %d interleaved passes; face crop size %d; model " + "batches: %s%n",
                    faces,
                    photoEvents.size(),
                    passes,
                    cropSize,
                    embedder.batches());
            System.out.printf(Locale.ROOT, "bare model                    %6.1f faces/s%n", bare);
            System.out.printf(
                    Locale.ROOT,
                    "stage, photo decode           %6.1f faces/s = %3.0f%% of bare%n",
                    photo,
                    100 * photo / bare);
            List<float[]> full = fullResolution(photoEvents, embedderLoader, paths, fromPhotos, embedder);
            report("photo (reduced) decode", embedAllOf(photoEvents, fromPhotos, embedder), full);
            for (FaceCropWriter.Format format : FaceCropWriter.Format.values()) {
                double staged = faces * (double) passes / (cropNanos.get(format) / 1e9);
                long bytes;
                try (var s = Files.list(cropDirs.get(format))) {
                    bytes = s.mapToLong(f -> f.toFile().length()).sum();
                }
                double crops = meters.get(format)
                        .counter("facerec.embedder.faces", "source", "crop")
                        .count();
                double fallback = meters.get(format)
                        .counter("facerec.embedder.faces", "source", "photo")
                        .count();
                System.out.printf(
                        Locale.ROOT,
                        "stage, crops %-5s            %6.1f faces/s = %3.0f%% of bare "
                                + "(%.1f%% of faces from crops; crop %.0f KB/face, written by the detector in %.2f ms/face)%n",
                        format,
                        staged,
                        100 * staged / bare,
                        100 * crops / (crops + fallback),
                        bytes / 1024.0 / faces,
                        writeNanos.get(format) / 1e6 / faces);
                report("crops " + format, embedAllOf(cropEvents.get(format), fromCrops.get(format), embedder), full);
            }
        } finally {
            try (var s = Files.walk(work)) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** As the worker does it, per media item: the inputs of its faces, then the model on them. */
    static List<float[]> embedAllOf(List<FacesDetected> events, FaceInputs inputs, FaceEmbedder embedder) {
        List<float[]> out = new ArrayList<>();
        for (FacesDetected e : events) {
            out.addAll(embedder.embedAll(inputs.photo(e), 16));
        }
        return out;
    }

    /** The reference: every photo decoded in full, every face aligned from it. */
    static List<float[]> fullResolution(
            List<FacesDetected> events,
            ImageLoader loader,
            MediaPathResolver paths,
            FaceInputs inputs,
            FaceEmbedder embedder) {
        List<float[]> out = new ArrayList<>();
        for (FacesDetected e : events) {
            try (DecodedImage img = loader.load(paths.resolve(e.filePath()))) {
                for (FacesDetected.Face f : e.faces()) {
                    out.add(embedder.embed(inputs.prepare(img, BoundingBox.of(f.box()), new Landmarks(f.landmarks()))));
                }
            }
        }
        return out;
    }

    static void report(String label, List<float[]> got, List<float[]> full) {
        List<Double> cos = new ArrayList<>();
        for (int i = 0; i < got.size(); i++) {
            double c = 0;
            for (int k = 0; k < got.get(i).length; k++) {
                c += got.get(i)[k] * full.get(i)[k];
            }
            cos.add(c);
        }
        cos.sort(null);
        System.out.printf(
                Locale.ROOT,
                "  %-24s vs full-resolution photo, cosine per face: min %.4f, 1st pct %.4f, " + "median %.4f%n",
                label,
                cos.get(0),
                cos.get(cos.size() / 100),
                cos.get(cos.size() / 2));
    }
}
