package io.facerec.bench;

import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.image.DecodedImage;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.model.ModelFile;
import io.facerec.common.model.ModelStore;
import io.facerec.detector.detect.DetectionSettings;
import io.facerec.detector.detect.RetinaFaceDetector;
import io.facerec.detector.thumbnail.ThumbnailWriter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Throughput of the detector stage on one thread, without Spring, database or broker: for every image of a folder,
 * decode ({@link ImageLoader}) → {@link RetinaFaceDetector#detect} (letterbox preprocessing, ONNX inference,
 * anchor decoding and NMS) → thumbnail crops ({@link ThumbnailWriter}, into a temporary folder). N warm-up passes, then
 * M measured passes; prints images/s over the measured wall time and per-stage medians per image.
 *
 * <p>Same settings as the reference harness ({@code detect_ref.mjs}): score 0.75, NMS 0.5, plain letterbox (no padding,
 * no close-up retry), JPEG and PNG files of the folder in name order. Model loading is not timed.
 *
 * <pre>
 * java -cp bench/target/facerec-bench.jar -Dloader.main=io.facerec.bench.DetectorBench \
 *     org.springframework.boot.loader.launch.PropertiesLauncher [DIR] [--warmup N] [--passes M] [--threads T]
 * </pre>
 * {@code --threads} is ONNX Runtime's intra-op thread count (0, the default: all cores, as the reference harness).
 * The last line, {@code BENCH {...}}, is JSON for scripts ({@code bench/detector.sh}).
 */
public final class DetectorBench {
    private static final Pattern IMAGES = Pattern.compile("(?i).*\\.(jpe?g|png)$");
    private static final String[] STAGES = {"decode", "preprocess", "inference", "postprocess", "thumbnails", "total"};

    private DetectorBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of("../shared/eval/detection");
        int warmup = 1;
        int passes = 3;
        int threads = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--passes" -> passes = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: DetectorBench [DIR] [--warmup N] [--passes M] [--threads T]");
                    return;
                }
                default -> {
                    if (args[i].startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + args[i]);
                    }
                    dir = Path.of(args[i]);
                }
            }
        }
        if (passes < 1 || warmup < 0) {
            throw new IllegalArgumentException("need --passes >= 1 and --warmup >= 0");
        }
        List<Path> images;
        try (Stream<Path> s = Files.list(dir)) {
            images = s.filter(p -> IMAGES.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        }
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no .jpg/.jpeg/.png files in " + dir);
        }

        DetectionSettings settings = new DetectionSettings(0.75, 0.5, 0);
        ImageLoader loader = new ImageLoader(200_000_000L);
        Path thumbDir = Files.createTempDirectory("facerec-bench-thumbs");
        ThumbnailWriter thumbnails = new ThumbnailWriter(thumbDir, 0.2, 112, 20);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        long tLoad = System.nanoTime();
        Path model = ModelStore.fromEnvironment().resolve(ModelFile.RETINAFACE_MNET25_V2);
        try (RetinaFaceDetector detector = new RetinaFaceDetector(model, threads, false, meters)) {
            double loadMs = (System.nanoTime() - tLoad) / 1e6;
            Timer pre = timer(meters, "preprocess");
            Timer inf = timer(meters, "inference");
            Timer post = timer(meters, "postprocess");
            System.err.printf(
                    Locale.ROOT,
                    "detector bench: %d images in %s, %d warm-up + %d measured passes, "
                            + "intra-op threads %s, model load %.0f ms (not timed)%n",
                    images.size(),
                    dir,
                    warmup,
                    passes,
                    threads == 0 ? "default (all cores)" : threads,
                    loadMs);

            int n = images.size();
            double[][] ms = new double[STAGES.length][n * passes];
            int faces = 0;
            double measuredWallMs = 0;
            for (int pass = 0; pass < warmup + passes; pass++) {
                boolean measured = pass >= warmup;
                int facesThisPass = 0;
                long passStart = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    Path img = images.get(i);
                    double pre0 = pre.totalTime(TimeUnit.NANOSECONDS);
                    double inf0 = inf.totalTime(TimeUnit.NANOSECONDS);
                    double post0 = post.totalTime(TimeUnit.NANOSECONDS);
                    long t0 = System.nanoTime();
                    long t1;
                    long t2;
                    long t3;
                    try (DecodedImage image = loader.load(img)) {
                        t1 = System.nanoTime();
                        List<DetectedFace> found = detector.detect(image, settings);
                        t2 = System.nanoTime();
                        String name = img.getFileName().toString();
                        for (int f = 0; f < found.size(); f++) {
                            thumbnails.write(
                                    image,
                                    found.get(f).box(),
                                    ThumbnailWriter.baseName(name),
                                    f,
                                    ThumbnailWriter.extensionFor(name));
                        }
                        facesThisPass += found.size();
                        t3 = System.nanoTime();
                    }
                    if (measured) {
                        int k = (pass - warmup) * n + i;
                        ms[0][k] = (t1 - t0) / 1e6;
                        ms[1][k] = (pre.totalTime(TimeUnit.NANOSECONDS) - pre0) / 1e6;
                        ms[2][k] = (inf.totalTime(TimeUnit.NANOSECONDS) - inf0) / 1e6;
                        ms[3][k] = (post.totalTime(TimeUnit.NANOSECONDS) - post0) / 1e6;
                        ms[4][k] = (t3 - t2) / 1e6;
                        ms[5][k] = (t3 - t0) / 1e6;
                    }
                }
                double passMs = (System.nanoTime() - passStart) / 1e6;
                System.err.printf(
                        Locale.ROOT,
                        "  pass %d%s: %.0f ms, %.2f images/s, %d faces%n",
                        pass + 1,
                        measured ? "" : " (warm-up)",
                        passMs,
                        n * 1000.0 / passMs,
                        facesThisPass);
                if (measured) {
                    measuredWallMs += passMs;
                    faces = facesThisPass;
                }
            }

            double imagesPerSecond = n * passes * 1000.0 / measuredWallMs;
            System.out.printf(
                    Locale.ROOT,
                    "java detector: %d images x %d passes, %d faces per pass, %.2f images/s "
                            + "(mean %.2f ms/image)%n",
                    n,
                    passes,
                    faces,
                    imagesPerSecond,
                    measuredWallMs / (n * passes));
            StringBuilder json = new StringBuilder();
            json.append(String.format(
                    Locale.ROOT,
                    "{\"images\":%d,\"passes\":%d,\"warmup\":%d,\"facesPerPass\":%d,"
                            + "\"imagesPerSecond\":%.3f,\"modelLoadMs\":%.1f",
                    n,
                    passes,
                    warmup,
                    faces,
                    imagesPerSecond,
                    loadMs));
            StringBuilder median = new StringBuilder(",\"medianMs\":{");
            StringBuilder mean = new StringBuilder(",\"meanMs\":{");
            System.out.println("  stage         median ms   mean ms   (per image)");
            for (int s = 0; s < STAGES.length; s++) {
                double med = median(ms[s]);
                double avg = Arrays.stream(ms[s]).average().orElse(0);
                System.out.printf(Locale.ROOT, "  %-12s %10.2f %9.2f%n", STAGES[s], med, avg);
                String sep = s == 0 ? "" : ",";
                median.append(String.format(Locale.ROOT, "%s\"%s\":%.3f", sep, STAGES[s], med));
                mean.append(String.format(Locale.ROOT, "%s\"%s\":%.3f", sep, STAGES[s], avg));
            }
            json.append(median).append('}').append(mean).append("}}");
            System.out.println("BENCH " + json);
        } finally {
            deleteTree(thumbDir);
        }
    }

    private static Timer timer(SimpleMeterRegistry meters, String stage) {
        return meters.get("facerec.detector.stage").tag("stage", stage).timer();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(s.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
