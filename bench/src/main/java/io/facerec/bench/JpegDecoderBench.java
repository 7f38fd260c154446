package io.facerec.bench;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import io.facerec.common.image.ReferenceJpegDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * {@link ReferenceJpegDecoder} on a list of JPEG files, for {@code bench/jpeg-decoder.sh}: prints
 * {@code HASH <file> <sha256 of the RGB bytes>} (or {@code HASH <file> REFUSED <reason>}) for each file, then times N
 * warm-up + M measured passes over the files held in memory, of the port and of OpenCV's {@code imdecode}
 * (libjpeg-turbo) for comparison, and prints {@code BENCH {...}} (mean ms per image per measured pass).
 *
 * <pre>
 * java -cp bench/target/facerec-bench.jar -Dloader.main=io.facerec.bench.JpegDecoderBench \
 *     org.springframework.boot.loader.launch.PropertiesLauncher [--warmup N] [--passes M] [--timed K] FILE...
 * </pre>
 * {@code --timed K}: only the first K files are timed (all are hashed).
 */
public final class JpegDecoderBench {
    private JpegDecoderBench() {
    }

    public static void main(String[] args) throws Exception {
        int warmup = 1;
        int passes = 3;
        int timed = Integer.MAX_VALUE;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--passes" -> passes = Integer.parseInt(args[++i]);
                case "--timed" -> timed = Integer.parseInt(args[++i]);
                default -> files.add(Path.of(args[i]));
            }
        }
        List<byte[]> data = new ArrayList<>();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (Path f : files) {
            byte[] b = Files.readAllBytes(f);
            try {
                byte[] rgb = ReferenceJpegDecoder.decode(b, ReferenceJpegDecoder.Order.RGB).pixels();
                System.out.println("HASH " + f + " " + HexFormat.of().formatHex(sha.digest(rgb)));
                if (data.size() < timed) {
                    data.add(b);
                }
            } catch (ReferenceJpegDecoder.JpegDecodeException e) {
                System.out.println("HASH " + f + " REFUSED " + e.reason() + ": " + e.getMessage());
            }
        }
        double[] port = new double[passes];
        double[] opencv = new double[passes];
        for (int pass = 0; pass < warmup + passes; pass++) {
            long t0 = System.nanoTime();
            for (byte[] b : data) {
                ReferenceJpegDecoder.decode(b, ReferenceJpegDecoder.Order.BGR);
            }
            long t1 = System.nanoTime();
            for (byte[] b : data) {
                try (Mat raw = new Mat(1, b.length, CV_8UC1)) {
                    raw.data().put(b);
                    imdecode(raw, IMREAD_COLOR).close();
                }
            }
            long t2 = System.nanoTime();
            if (pass >= warmup) {
                port[pass - warmup] = (t1 - t0) / 1e6 / data.size();
                opencv[pass - warmup] = (t2 - t1) / 1e6 / data.size();
            }
        }
        System.out.printf(Locale.ROOT, "BENCH {\"images\":%d,\"portMsPerImage\":%s,\"opencvMsPerImage\":%s}%n",
                data.size(), json(port), json(opencv));
    }

    private static String json(double[] v) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            s.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.2f", v[i]));
        }
        return s.append(']').toString();
    }
}
