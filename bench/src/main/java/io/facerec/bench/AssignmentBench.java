package io.facerec.bench;

import io.facerec.clusterer.index.FaceIndex;
import io.facerec.clusterer.index.FaceVectorIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Incremental assignment benchmark: N indexed faces (synthetic identities: noisy copies around random unit centroids,
 * 512-d, N/10 identities), then per new face the lookup the clusterer does (its 16 nearest assigned faces from the
 * persisted HNSW index, one face at a time), timed per face. Prints build time, segments, heap after a full GC with
 * only the index open (the benchmark keeps no copy of the vectors: they are regenerated from their seeds), the
 * index's size on disk (memory-mapped, outside the heap), p50/p99 per lookup and, for the first 200 queries, the
 * recall of the nearest person against an exhaustive scan of the same vectors.
 *
 * <p>With {@code --index-dir DIR} the index of size N is kept in {@code DIR/N} and reused by later runs (building 1M
 * takes long on two cores); without it, a temporary folder. {@code --in-memory} keeps the index on the heap instead
 * (what the clusterer does without {@code facerec.clusterer.index-dir}).
 *
 * <pre>java -Xmx4g -cp bench/target/facerec-bench.jar -Dloader.main=io.facerec.bench.AssignmentBench \
 *   org.springframework.boot.loader.launch.PropertiesLauncher [--index-dir DIR] [--in-memory] \
 *   [--calibrate EMBEDDINGS.f32 [--identity-dir DIR]] [--ivf PROBES] 10000 100000 1000000</pre>
 * {@code --ivf PROBES} measures {@link io.facerec.clusterer.index.IvfFaceIndex} (in memory) instead of the Lucene index.
 * {@code --calibrate} takes the embeddings {@code facerec --evaluate DIR --embeddings-out FILE} wrote for the labelled
 * folder (default {@code ../shared/eval/identity}) and draws identities from their covariance ({@link Calibrated}).
 */
public final class AssignmentBench {
    static final int DIM = 512;
    /** Noise 0.045 per dimension gives a genuine cosine of about 0.5, like fr_feature's genuine pairs. */
    static final double NOISE = 0.045;
    static final int LOOKUPS = 2000;
    static final int RECALL_QUERIES = 200;

    public static void main(String[] args) throws IOException {
        Path indexDir = null;
        boolean inMemory = false;
        Path calibrate = null;
        int[] ivfProbes = {0};
        Path identityDir = Path.of("../shared/eval/identity");
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--index-dir" -> indexDir = Path.of(args[++i]);
                case "--in-memory" -> inMemory = true;
                case "--calibrate" -> calibrate = Path.of(args[++i]);
                case "--ivf" -> ivfProbes = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--identity-dir" -> identityDir = Path.of(args[++i]);
                default -> sizes.add(Integer.parseInt(args[i].replace("_", "")));
            }
        }
        if (sizes.isEmpty()) {
            sizes = List.of(10_000, 100_000);
        }
        System.out.printf(Locale.ROOT, "threads %d, max heap %d MB, %s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, ivfProbes[0] > 0 ? "IVF index on the heap, probes "
                        + Arrays.toString(ivfProbes) + " (segments column = cells)" : inMemory ? "HNSW index on the heap"
                                : "HNSW index persisted (memory-mapped)");
        System.out.println("data       N          build s  segments  heap MB  disk MB  lookup p50 ms  p99 ms  exact scan ms/query  "
                + "nearest-person recall");
        for (int n : sizes) {
            Path folder = null;
            boolean temp = false;
            if (!inMemory && ivfProbes[0] == 0) {
                if (indexDir != null) {
                    folder = indexDir.resolve(Integer.toString(n));
                } else {
                    folder = Files.createTempDirectory("facerec-assignment-bench");
                    temp = true;
                }
                Files.createDirectories(folder);
            }
            try {
                Data data = calibrate == null ? new Isotropic(n) : Calibrated.from(n, calibrate, identityDir);
                if (n == sizes.get(0)) {
                    System.err.println(data.name() + " data: " + similarityStats(data, n));
                }
                run(data, n, folder, ivfProbes);
            } finally {
                if (temp) {
                    delete(folder);
                }
            }
        }
    }

    static float[] unit(Random r, float[] around, double noise) {
        float[] v = new float[DIM];
        double s = 0;
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) ((around == null ? 0 : around[i]) + noise * r.nextGaussian());
            s += v[i] * v[i];
        }
        float inv = (float) (1 / Math.sqrt(s));
        for (int i = 0; i < DIM; i++) {
            v[i] *= inv;
        }
        return v;
    }

    /** A data set regenerated on demand from seeds: identity of face i, its vector, and fresh queries. */
    interface Data {
        int identities();

        int person(int face);

        float[] face(int i);

        float[] query(Random r, int person);

        String name();
    }

    /** Isotropic: random unit centres, per-dimension Gaussian noise (a worst case for graph indexes, see README). */
    record Isotropic(int n) implements Data {
        public int identities() {
            return Math.max(10, n / 10);
        }

        public int person(int face) {
            return face % identities();
        }

        float[] centre(int person) {
            return unit(new Random(31L * n + person), null, 1);
        }

        public float[] face(int i) {
            return unit(new Random(1_000_003L * n + i + 7), centre(person(i)), NOISE);
        }

        public float[] query(Random r, int person) {
            return unit(r, centre(person), NOISE);
        }

        public String name() {
            return "isotropic";
        }
    }

    /**
     * Calibrated on real embeddings: identity centres are Gaussian with the between-person covariance of a labelled
     * embedding set (random combinations of its person means), faces add Gaussian within-person noise with its
     * within-person covariance (random combinations of 32 of its residuals), then L2-normalised. The genuine and
     * impostor similarity distributions come out close to the real ones (printed).
     */
    record Calibrated(int n, float[] mean, float[][] between, float[][] within) implements Data {
        static final int RESIDUALS = 32;

        static Calibrated from(int n, Path embeddings, Path identityDir) throws IOException {
            List<String> labels = new ArrayList<>();
            for (String[] e : io.facerec.launcher.EvaluateMode.manifest(identityDir)) {
                labels.add(e[1]);
            }
            byte[] all = Files.readAllBytes(embeddings);
            int dim = all.length / labels.size() / 4;
            if (dim != DIM) {
                throw new IllegalArgumentException(embeddings + ": " + dim + "-d rows, expected " + DIM);
            }
            java.nio.FloatBuffer fb = java.nio.ByteBuffer.wrap(all).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            java.util.Map<String, double[]> sums = new java.util.LinkedHashMap<>();
            java.util.Map<String, Integer> counts = new java.util.HashMap<>();
            float[][] x = new float[labels.size()][DIM];
            for (int i = 0; i < labels.size(); i++) {
                fb.get(x[i]);
                double[] sum = sums.computeIfAbsent(labels.get(i), k -> new double[DIM]);
                for (int d = 0; d < DIM; d++) {
                    sum[d] += x[i][d];
                }
                counts.merge(labels.get(i), 1, Integer::sum);
            }
            java.util.Map<String, float[]> means = new java.util.HashMap<>();
            double[] mu = new double[DIM];
            for (var e : sums.entrySet()) {
                float[] m = new float[DIM];
                for (int d = 0; d < DIM; d++) {
                    m[d] = (float) (e.getValue()[d] / counts.get(e.getKey()));
                    mu[d] += m[d] / sums.size();
                }
                means.put(e.getKey(), m);
            }
            float[] mean = new float[DIM];
            for (int d = 0; d < DIM; d++) {
                mean[d] = (float) mu[d];
            }
            float[][] between = new float[means.size()][DIM];
            int p = 0;
            for (float[] m : means.values()) {
                for (int d = 0; d < DIM; d++) {
                    between[p][d] = (float) ((m[d] - mu[d]) / Math.sqrt(means.size()));
                }
                p++;
            }
            List<float[]> residuals = new ArrayList<>();
            for (int i = 0; i < x.length; i++) {
                if (counts.get(labels.get(i)) < 2) {
                    continue;
                }
                float[] m = means.get(labels.get(i));
                // scaled so that the residuals of a person with c faces have the within-person variance (c/(c-1))
                double c = counts.get(labels.get(i));
                float[] r = new float[DIM];
                for (int d = 0; d < DIM; d++) {
                    r[d] = (float) ((x[i][d] - m[d]) * Math.sqrt(c / (c - 1)) / Math.sqrt(RESIDUALS));
                }
                residuals.add(r);
            }
            return new Calibrated(n, mean, between, residuals.toArray(new float[0][]));
        }

        public int identities() {
            return Math.max(10, n / 10);
        }

        public int person(int face) {
            return face % identities();
        }

        float[] centre(int person) {
            Random r = new Random(31L * n + person);
            float[] c = mean.clone();
            for (float[] b : between) {
                float a = (float) r.nextGaussian();
                for (int d = 0; d < DIM; d++) {
                    c[d] += a * b[d];
                }
            }
            return c;
        }

        float[] around(Random r, float[] centre) {
            float[] v = centre.clone();
            for (int k = 0; k < RESIDUALS; k++) {
                float[] w = within[r.nextInt(within.length)];
                float u = (float) r.nextGaussian();
                for (int d = 0; d < DIM; d++) {
                    v[d] += u * w[d];
                }
            }
            return unit(r, v, 0);
        }

        public float[] face(int i) {
            return around(new Random(1_000_003L * n + i + 7), centre(person(i)));
        }

        public float[] query(Random r, int person) {
            return around(r, centre(person));
        }

        public String name() {
            return "calibrated";
        }
    }

    /** Genuine and impostor cosine similarity (mean, sd) over the first faces of a data set. */
    static String similarityStats(Data data, int n) {
        // ten faces each of the first 300 identities (face i belongs to identity i mod identities)
        int people = Math.min(300, data.identities());
        int m = Math.min(n, people * 10);
        float[][] v = new float[m][];
        int[] id = new int[m];
        for (int i = 0; i < m; i++) {
            int face = (i % people) + (i / people) * data.identities();
            v[i] = data.face(face);
            id[i] = data.person(face);
        }
        double[] g = new double[3];
        double[] im = new double[3];
        for (int i = 0; i < m; i++) {
            for (int j = i + 1; j < m; j++) {
                double s = 0;
                for (int d = 0; d < DIM; d++) {
                    s += v[i][d] * v[j][d];
                }
                double[] acc = id[i] == id[j] ? g : im;
                acc[0]++;
                acc[1] += s;
                acc[2] += s * s;
            }
        }
        return String.format(Locale.ROOT, "genuine cosine %.3f +- %.3f, impostor %.3f +- %.3f", g[1] / g[0],
                Math.sqrt(g[2] / g[0] - Math.pow(g[1] / g[0], 2)), im[1] / im[0],
                Math.sqrt(im[2] / im[0] - Math.pow(im[1] / im[0], 2)));
    }

    static void run(Data data, int n, Path folder, int[] ivfProbes) {
        String fingerprint = data.name() + "/" + n + "/" + DIM + "/" + NOISE;
        long t0 = System.nanoTime();
        try (FaceIndex index = ivfProbes[0] > 0 ? new io.facerec.clusterer.index.IvfFaceIndex(ivfProbes[0])
                : new FaceVectorIndex(folder)) {
            boolean reused = fingerprint.equals(index.fingerprint()) && index.size() == n;
            double build = 0;
            if (!reused) {
                index.clear();
                int chunk = 20_000;
                int threads = Runtime.getRuntime().availableProcessors();
                for (int from = 0; from < n; from += chunk) {
                    List<FaceIndex.Entry> entries = new ArrayList<>();
                    for (int i = from; i < Math.min(n, from + chunk); i++) {
                        entries.add(new FaceIndex.Entry(i, data.person(i), data.face(i)));
                    }
                    index.upsertAll(entries, threads);
                    if (n >= 200_000 && (from / chunk) % 10 == 9) {
                        System.err.printf(Locale.ROOT, "  %d/%d indexed, %.0f s%n", from + chunk, n,
                                (System.nanoTime() - t0) / 1e9);
                    }
                }
                index.commit(fingerprint);
                build = (System.nanoTime() - t0) / 1e9;
            }
            int segments = index instanceof FaceVectorIndex lucene ? lucene.segments()
                    : ((io.facerec.clusterer.index.IvfFaceIndex) index).cells();
            System.gc();
            long heap = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
            long disk = folder == null ? 0 : size(folder) >> 20;

            int[] best = null;
            double scanMs = 0;
            for (int probes : ivfProbes) {
                if (index instanceof io.facerec.clusterer.index.IvfFaceIndex ivf) {
                    ivf.setProbes(probes);
                }
                Random r = new Random(n + 1);
                int queries = LOOKUPS;
                float[][] q = new float[queries][];
                int[] truthPerson = new int[queries];
                for (int i = 0; i < queries; i++) {
                    truthPerson[i] = r.nextInt(data.identities());
                    q[i] = data.query(r, truthPerson[i]);
                }
                for (int i = 0; i < 200; i++) { // warm-up
                    index.nearest(q[i], 16);
                }
                long[] lookup = new long[queries];
                long[] found = new long[RECALL_QUERIES];
                for (int i = 0; i < queries; i++) {
                    long a = System.nanoTime();
                    List<FaceIndex.Hit> hits = index.nearest(q[i], 16);
                    lookup[i] = System.nanoTime() - a;
                    if (i < RECALL_QUERIES) {
                        found[i] = hits.isEmpty() ? -1 : hits.get(0).personId();
                    }
                }
                // exhaustive scan, one pass over the regenerated vectors for all recall queries at once
                long s0 = System.nanoTime();
                if (best == null) { // the same queries for every probes value: scanned once
                    best = new int[RECALL_QUERIES];
                    double[] bestSim = new double[RECALL_QUERIES];
                    Arrays.fill(bestSim, -2);
                    for (int i = 0; i < n; i++) {
                        float[] d = data.face(i);
                        for (int k = 0; k < RECALL_QUERIES; k++) {
                            float[] v = q[k];
                            double s = 0;
                            for (int j = 0; j < DIM; j++) {
                                s += v[j] * d[j];
                            }
                            if (s > bestSim[k]) {
                                bestSim[k] = s;
                                best[k] = data.person(i);
                            }
                        }
                    }
                    scanMs = (System.nanoTime() - s0) / 1e6 / RECALL_QUERIES;
                }
                double scanPerQuery = scanMs;
                int agree = 0;
                for (int k = 0; k < RECALL_QUERIES; k++) {
                    agree += found[k] == best[k] ? 1 : 0;
                }
                Arrays.sort(lookup);
                System.out.printf(Locale.ROOT, "%-10s %-10d %7s  %8d  %7d  %7d  %13.3f  %6.3f  %17.1f  %.3f%s%n", data.name(), n,
                        reused ? "reused" : String.format(Locale.ROOT, "%.1f", build), segments, heap, disk,
                        lookup[queries / 2] / 1e6, lookup[(int) (queries * 0.99)] / 1e6, scanPerQuery,
                        agree / (double) RECALL_QUERIES, probes > 0 ? "  (" + probes + " probes)" : "");
            }
        }
    }

    static long size(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return -1;
        }
    }

    static void delete(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
