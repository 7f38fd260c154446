package io.facerec.bench;

import io.facerec.clusterer.cluster.IvfNeighbourhoods;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Clustering time against N, next to the reference ({@code cluster_ref.py}: sklearn DBSCAN, cosine, brute force) on
 * the same data in the same run. Data: synthetic identities — {@code N/10} random unit centroids in 512-d, each face a
 * noisy copy (within-identity cosine about 0.65, like real genuine pairs; between identities about 0 ± 0.045), written
 * as raw float32 so the reference reads exactly the same vectors. Both sides run DBSCAN with the same eps and
 * min_samples; ours finds the ε-neighbourhoods with {@link IvfNeighbourhoods} (inverted file + OpenBLAS). Prints time,
 * ratio, pairwise F1 of both against the true identities, and the recall of our neighbour pairs against the exhaustive
 * search (sampled). Optionally also a real embeddings file ({@code --real FILE.f32 LABELS.txt}).
 *
 * Run with {@code OPENBLAS_NUM_THREADS=1}: the neighbourhood search makes many small matrix products, for which
 * OpenBLAS's thread hand-offs cost more than they gain on 2 cores (20k: 1.4 s single-threaded, 3.6 s with its
 * default threads); the reference process keeps its own BLAS defaults.
 *
 * <pre>OPENBLAS_NUM_THREADS=1 java -Xmx6g -cp bench/target/facerec-bench.jar -Dloader.main=io.facerec.bench.ClusteringScaleBench \
 *   org.springframework.boot.loader.launch.PropertiesLauncher --peer ../shared/peer 1000 5000 20000 100000</pre>
 */
public final class ClusteringScaleBench {
    static final int DIM = 512;
    static final double EPS = 0.5;
    static final int MIN_SAMPLES = 3;
    static final int PROBES = 3;

    private ClusteringScaleBench() {}

    public static void main(String[] args) throws Exception {
        Path peer = Path.of("../shared/peer");
        List<Integer> sizes = new ArrayList<>();
        Path realEmb = null;
        Path realLabels = null;
        boolean noRef = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--peer" -> peer = Path.of(args[++i]);
                case "--real" -> {
                    realEmb = Path.of(args[++i]);
                    realLabels = Path.of(args[++i]);
                }
                case "--no-reference" -> noRef = true;
                default -> sizes.add(Integer.parseInt(args[i]));
            }
        }
        if (sizes.isEmpty()) {
            sizes = List.of(1000, 5000, 20000, 100000);
        }
        Path tmp = Files.createTempDirectory("facerec-cluster-bench");
        System.out.printf(
                Locale.ROOT,
                "DBSCAN eps %.2f min_samples %d, 512-d, %d cores; ours: IVF (2*sqrt(N) cells, %d probes) "
                        + "+ OpenBLAS; reference: sklearn brute force (cluster_ref.py)%n",
                EPS,
                MIN_SAMPLES,
                Runtime.getRuntime().availableProcessors(),
                PROBES);
        System.out.println(
                "| data | N | ours s | reference s | reference / ours | ours F1 | reference F1 | neighbour recall |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        if (realEmb != null) {
            float[][] x = read(realEmb, DIM);
            int[] truth = labels(Files.readAllLines(realLabels));
            row("real (" + realEmb.getFileName() + ")", x, truth, realEmb, peer, tmp, noRef, EPS, MIN_SAMPLES);
        }
        for (int n : sizes) {
            Random r = new Random(n);
            int identities = Math.max(1, n / 10);
            float[][] centroids = new float[identities][];
            for (int k = 0; k < identities; k++) {
                centroids[k] = unit(r, null, 1);
            }
            float[][] x = new float[n][];
            int[] truth = new int[n];
            for (int i = 0; i < n; i++) {
                truth[i] = r.nextInt(identities);
                x[i] = unit(r, centroids[truth[i]], 0.73 / Math.sqrt(DIM));
            }
            Path f = tmp.resolve("synthetic_" + n + ".f32");
            write(f, x);
            row("synthetic identities", x, truth, f, peer, tmp, noRef, EPS, MIN_SAMPLES);
            Files.deleteIfExists(f);
        }
    }

    static void row(
            String what,
            float[][] x,
            int[] truth,
            Path file,
            Path peer,
            Path tmp,
            boolean noRef,
            double eps,
            int minSamples)
            throws Exception {
        IvfNeighbourhoods.dbscan(IvfNeighbourhoods.neighbours(x, 1 - eps, 0, PROBES, 1), minSamples); // warm-up
        long t0 = System.nanoTime();
        int[][] nb = IvfNeighbourhoods.neighbours(x, 1 - eps, 0, PROBES, 1);
        int[] ours = IvfNeighbourhoods.dbscan(nb, minSamples);
        double oursS = (System.nanoTime() - t0) / 1e9;
        double recall = recall(x, nb, 1 - eps, 300);
        String refS = "-";
        String ratio = "-";
        String refF1 = "-";
        if (!noRef) {
            Path json = tmp.resolve("ref.json");
            Path labelsOut = tmp.resolve("ref_labels.txt");
            ProcessBuilder pb = new ProcessBuilder(
                            "/usr/bin/python3",
                            peer.resolve("cluster_ref.py").toString(),
                            file.toString(),
                            "--dim",
                            Integer.toString(DIM),
                            "--eps",
                            Double.toString(eps),
                            "--min-samples",
                            Integer.toString(minSamples),
                            "--json",
                            json.toString(),
                            "--labels-out",
                            labelsOut.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().remove("OPENBLAS_NUM_THREADS"); // the reference keeps its BLAS defaults
            Process p = pb.start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("cluster_ref.py failed for " + file);
            }
            String j = Files.readString(json);
            int at = j.indexOf("\"dbscan_wall_s\"");
            double s = Double.parseDouble(
                    j.substring(j.indexOf(':', at) + 1, j.indexOf(',', at)).trim());
            refS = String.format(Locale.ROOT, "%.2f", s);
            ratio = String.format(Locale.ROOT, "%.1f×", s / oursS);
            refF1 = String.format(Locale.ROOT, "%.4f", f1(truth, labels(Files.readAllLines(labelsOut))));
        }
        System.out.printf(
                Locale.ROOT,
                "| %s | %d | %.2f | %s | %s | %.4f | %s | %.4f |%n",
                what,
                x.length,
                oursS,
                refS,
                ratio,
                f1(truth, ours),
                refF1,
                recall);
    }

    /** Share of the true ε-neighbour pairs of {@code sample} random vectors that the graph holds. */
    static double recall(float[][] x, int[][] nb, double minSim, int sample) {
        Random r = new Random(7);
        long found = 0;
        long total = 0;
        for (int s = 0; s < Math.min(sample, x.length); s++) {
            int i = r.nextInt(x.length);
            for (int j = 0; j < x.length; j++) {
                if (j != i && dot(x[i], x[j]) >= minSim) {
                    total++;
                    if (Arrays.binarySearch(nb[i], j) >= 0) {
                        found++;
                    }
                }
            }
        }
        return total == 0 ? 1 : (double) found / total;
    }

    /** Pairwise F1 of predicted labels (-1 = noise, each its own singleton) against the truth. */
    static double f1(int[] truth, int[] pred) {
        Map<Long, Long> joint = new HashMap<>();
        Map<Integer, Long> t = new HashMap<>();
        Map<Long, Long> p = new HashMap<>();
        for (int i = 0; i < truth.length; i++) {
            long pl = pred[i] == -1 ? -1L - i : pred[i];
            t.merge(truth[i], 1L, Long::sum);
            p.merge(pl, 1L, Long::sum);
            joint.merge(pl * 1_000_003L + truth[i], 1L, Long::sum);
        }
        double tp = joint.values().stream().mapToDouble(c -> c * (c - 1) / 2.0).sum();
        double predPairs =
                p.values().stream().mapToDouble(c -> c * (c - 1) / 2.0).sum();
        double truePairs =
                t.values().stream().mapToDouble(c -> c * (c - 1) / 2.0).sum();
        double precision = predPairs == 0 ? 1 : tp / predPairs;
        double rec = truePairs == 0 ? 1 : tp / truePairs;
        return precision + rec == 0 ? 0 : 2 * precision * rec / (precision + rec);
    }

    static int[] labels(List<String> lines) {
        Map<String, Integer> ids = new HashMap<>();
        return lines.stream()
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .mapToInt(s -> s.equals("-1") ? -1 : ids.computeIfAbsent(s, k -> ids.size()))
                .toArray();
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static float[] unit(Random r, float[] around, double noise) {
        float[] v = new float[DIM];
        double s = 0;
        for (int i = 0; i < DIM; i++) {
            v[i] = (float)
                    ((around == null ? 0 : around[i]) + (around == null ? r.nextGaussian() : noise * r.nextGaussian()));
            s += v[i] * v[i];
        }
        float inv = (float) (1 / Math.sqrt(s));
        for (int i = 0; i < DIM; i++) {
            v[i] *= inv;
        }
        return v;
    }

    static void write(Path f, float[][] x) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(x.length * DIM * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] v : x) {
            for (float f2 : v) {
                b.putFloat(f2);
            }
        }
        Files.write(f, b.array());
    }

    static float[][] read(Path f, int dim) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        int n = b.remaining() / 4 / dim;
        float[][] x = new float[n][dim];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < dim; j++) {
                x[i][j] = b.getFloat();
            }
        }
        return x;
    }
}
