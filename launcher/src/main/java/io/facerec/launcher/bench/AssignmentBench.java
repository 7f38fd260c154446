package io.facerec.launcher.bench;

import io.facerec.clusterer.index.FaceVectorIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Incremental assignment benchmark: N indexed faces (synthetic identities: noisy copies around random unit centroids,
 * 512-d), then per new face the nearest-face lookup the clusterer does (16 neighbours from the HNSW index), timed per
 * face; next to an exhaustive scan of the same faces for the recall of the nearest person. Prints p50/p99, build time
 * and heap after a GC.
 *
 * <pre>java -cp launcher/target/facerec.jar -Dloader.main=io.facerec.launcher.bench.AssignmentBench \
 *   org.springframework.boot.loader.launch.PropertiesLauncher 10000 100000</pre>
 */
public final class AssignmentBench {
    static final int DIM = 512;

    public static void main(String[] args) {
        int[] sizes = args.length == 0 ? new int[] {10_000, 100_000} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        System.out.println("N         build s   heap MB   lookup p50 ms   p99 ms   exact scan p50 ms   nearest-person recall");
        for (int n : sizes) {
            run(n);
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

    static void run(int n) {
        Random r = new Random(n);
        int identities = Math.max(10, n / 10);
        float[][] centres = new float[identities][];
        for (int i = 0; i < identities; i++) {
            centres[i] = unit(r, null, 1);
        }
        // noise 0.045 per dimension gives a genuine cosine of about 0.5, like fr_feature's genuine pairs
        double noise = 0.045;
        float[][] data = new float[n][];
        int[] person = new int[n];
        long t0 = System.nanoTime();
        try (FaceVectorIndex index = new FaceVectorIndex(null)) {
            for (int i = 0; i < n; i++) {
                person[i] = i % identities;
                data[i] = unit(r, centres[person[i]], noise);
                index.upsert(i, person[i], data[i]);
            }
            index.commit();
            double build = (System.nanoTime() - t0) / 1e9;
            System.gc();
            long heap = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
            int queries = 1000;
            List<Long> lookup = new ArrayList<>();
            List<Long> exact = new ArrayList<>();
            int agree = 0;
            for (int q = 0; q < queries + 100; q++) {
                int who = r.nextInt(identities);
                float[] v = unit(r, centres[who], noise);
                long a = System.nanoTime();
                List<FaceVectorIndex.Hit> hits = index.nearest(v, 16);
                long b = System.nanoTime();
                int best = -1;
                double bestSim = -2;
                for (int i = 0; i < n; i++) {
                    float[] d = data[i];
                    double s = 0;
                    for (int k = 0; k < DIM; k++) {
                        s += v[k] * d[k];
                    }
                    if (s > bestSim) {
                        bestSim = s;
                        best = person[i];
                    }
                }
                long c = System.nanoTime();
                if (q >= 100) { // warm-up
                    lookup.add(b - a);
                    exact.add(c - b);
                    agree += !hits.isEmpty() && hits.get(0).personId() == best ? 1 : 0;
                }
            }
            lookup.sort(null);
            exact.sort(null);
            System.out.printf(Locale.ROOT, "%-9d %7.1f   %7d   %13.3f   %6.3f   %17.3f   %.3f%n", n, build, heap,
                    lookup.get(queries / 2) / 1e6, lookup.get((int) (queries * 0.99)) / 1e6, exact.get(queries / 2) / 1e6,
                    agree / (double) queries);
        }
    }
}
