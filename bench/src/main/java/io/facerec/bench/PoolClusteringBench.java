package io.facerec.bench;

import io.facerec.clusterer.cluster.AverageLinkage;
import io.facerec.clusterer.cluster.CosineDbscan;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * The clusterer's grouping of the unassigned pool (average linkage, the default) at pool sizes N, with the similarity
 * matrix computed by OpenBLAS ({@link AverageLinkage#similarities}) next to the reference, the same clustering with
 * the matrix filled by a Java loop of {@link CosineDbscan#dot} (the code before), same data, same run. The pool is
 * made of "strangers" (random unit vectors, nobody groups: the pool a library's one-off faces build up), plus 10%
 * pairs of one person, so the labels can be compared too.
 *
 * <pre>OPENBLAS_NUM_THREADS=1 java -Xmx3g -cp bench/target/facerec-bench.jar \
 *   -Dloader.main=io.facerec.bench.PoolClusteringBench \
 *   org.springframework.boot.loader.launch.PropertiesLauncher 2000 5000 10000</pre>
 */
public final class PoolClusteringBench {

    public static void main(String[] args) {
        int[] sizes = args.length == 0 ? new int[] {2000, 5000, 10000} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        System.out.println("pool N   ours s   reference s   ratio   same labels");
        AverageLinkage.cluster(pool(500, 7), 0.40, 2); // warm-up, loads OpenBLAS
        for (int n : sizes) {
            float[][] x = pool(n, n);
            long t0 = System.nanoTime();
            int[] ours = AverageLinkage.cluster(x, 0.40, 2);
            double oursS = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            float[][] s = new float[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    float v = (float) CosineDbscan.dot(x[i], x[j]);
                    s[i][j] = v;
                    s[j][i] = v;
                }
            }
            int[] reference = AverageLinkage.clusterSimilarities(s, 0.40, 2);
            double refS = (System.nanoTime() - t1) / 1e9;
            System.out.printf(Locale.ROOT, "%-8d %7.1f   %11.1f   %5.1fx  %s%n", n, oursS, refS, refS / oursS,
                    Arrays.equals(ours, reference));
        }
    }

    /** n unit vectors: 90% strangers, 10% in pairs of one person (cosine about 0.86). */
    static float[][] pool(int n, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[n][];
        for (int i = 0; i < n; i++) {
            float[] v = gaussian(r);
            if (i % 20 == 1) { // the second of a pair: the first plus noise
                for (int k = 0; k < v.length; k++) {
                    v[k] = x[i - 1][k] + 0.6f * v[k];
                }
            }
            x[i] = unit(v);
        }
        return x;
    }

    static float[] gaussian(Random r) {
        float[] v = new float[512];
        for (int k = 0; k < v.length; k++) {
            v[k] = (float) r.nextGaussian() / (float) Math.sqrt(v.length);
        }
        return v;
    }

    static float[] unit(float[] v) {
        double norm = 0;
        for (float f : v) {
            norm += f * f;
        }
        for (int k = 0; k < v.length; k++) {
            v[k] /= (float) Math.sqrt(norm);
        }
        return v;
    }
}
