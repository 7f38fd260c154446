package io.facerec.bench.library;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Synthetic face embeddings calibrated on real ones: identity centres are Gaussian with the between-person covariance
 * of a labelled embedding set (random combinations of its person means), faces add Gaussian within-person noise with
 * its within-person covariance (random combinations of {@value #RESIDUALS} of its residuals), then L2-normalised.
 *
 * <p>Real genuine similarities have a long lower tail (profiles, blur, age) that one Gaussian per person lacks: each
 * face's noise is scaled by a log-normal "difficulty" whose spread is fitted so that the synthetic genuine similarity's
 * standard deviation matches the real one ({@link #fit}). The between-person covariance is estimated from the
 * labelled set's people only (rank people-1), which makes impostor similarities a little wider than the real ones (a
 * pessimistic simulation: more look-alikes). {@link #stats} prints both distributions for comparison.
 */
public final class CalibratedFaces {
    static final int RESIDUALS = 32;

    private final int dim;
    private final float[] mean;
    private final float[][] between;
    private final float[][] within;
    private double difficulty;

    private CalibratedFaces(float[] mean, float[][] between, float[][] within) {
        this.dim = mean.length;
        this.mean = mean;
        this.between = between;
        this.within = within;
    }

    /** A labelled embedding set: rows and their labels. */
    public record Labelled(float[][] rows, List<String> labels) {}

    /** Reads raw little-endian float32 rows (one per label; rows of zeros = no face, skipped). */
    public static Labelled read(Path f32, List<String> labels) throws IOException {
        byte[] all = Files.readAllBytes(f32);
        int dim = all.length / labels.size() / 4;
        if (dim * 4L * labels.size() != all.length) {
            throw new IllegalArgumentException(f32 + " does not hold " + labels.size() + " rows of float32");
        }
        FloatBuffer fb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        List<float[]> rows = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (String label : labels) {
            float[] v = new float[dim];
            fb.get(v);
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            if (norm > 0.5) {
                rows.add(v);
                kept.add(label);
            }
        }
        return new Labelled(rows.toArray(new float[0][]), kept);
    }

    public static CalibratedFaces from(Labelled set) {
        float[][] x = set.rows();
        List<String> labels = set.labels();
        int dim = x[0].length;
        Map<String, double[]> sums = new LinkedHashMap<>();
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < x.length; i++) {
            double[] sum = sums.computeIfAbsent(labels.get(i), k -> new double[dim]);
            for (int d = 0; d < dim; d++) {
                sum[d] += x[i][d];
            }
            counts.merge(labels.get(i), 1, Integer::sum);
        }
        Map<String, float[]> means = new HashMap<>();
        double[] mu = new double[dim];
        for (var e : sums.entrySet()) {
            float[] m = new float[dim];
            for (int d = 0; d < dim; d++) {
                m[d] = (float) (e.getValue()[d] / counts.get(e.getKey()));
                mu[d] += m[d] / sums.size();
            }
            means.put(e.getKey(), m);
        }
        float[] mean = new float[dim];
        for (int d = 0; d < dim; d++) {
            mean[d] = (float) mu[d];
        }
        float[][] between = new float[means.size()][dim];
        int p = 0;
        for (float[] m : means.values()) {
            for (int d = 0; d < dim; d++) {
                between[p][d] = (float) ((m[d] - mu[d]) / Math.sqrt(means.size()));
            }
            p++;
        }
        List<float[]> residuals = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            double c = counts.get(labels.get(i));
            if (c < 2) {
                continue;
            }
            float[] m = means.get(labels.get(i));
            float[] r = new float[dim];
            // scaled so that the residuals of a person with c faces have the within-person variance (c/(c-1))
            for (int d = 0; d < dim; d++) {
                r[d] = (float) ((x[i][d] - m[d]) * Math.sqrt(c / (c - 1)) / Math.sqrt(RESIDUALS));
            }
            residuals.add(r);
        }
        return new CalibratedFaces(mean, between, residuals.toArray(new float[0][]));
    }

    /** Fits the difficulty spread to the real genuine similarities' standard deviation, then returns this. */
    public CalibratedFaces fit(Labelled real) {
        double target = stats(real.rows(), real.labels()).genuineSd();
        double lo = 0;
        double hi = 1.2;
        for (int it = 0; it < 10; it++) {
            difficulty = (lo + hi) / 2;
            if (syntheticStats(150, 6).genuineSd() < target) {
                lo = difficulty;
            } else {
                hi = difficulty;
            }
        }
        difficulty = (lo + hi) / 2;
        return this;
    }

    public int dim() {
        return dim;
    }

    /** The centre of identity {@code id} (deterministic). */
    public float[] centre(long id) {
        Random r = new Random(0x9E3779B97F4A7C15L * (id + 1));
        float[] c = mean.clone();
        for (float[] b : between) {
            float a = (float) r.nextGaussian();
            for (int d = 0; d < dim; d++) {
                c[d] += a * b[d];
            }
        }
        return c;
    }

    /** One face of the identity with this centre, L2-normalised. */
    public float[] face(Random r, float[] centre) {
        float[] v = centre.clone();
        float scale = (float) Math.exp(difficulty * r.nextGaussian());
        for (int k = 0; k < RESIDUALS; k++) {
            float[] w = within[r.nextInt(within.length)];
            float u = (float) r.nextGaussian() * scale;
            for (int d = 0; d < dim; d++) {
                v[d] += u * w[d];
            }
        }
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        float inv = (float) (1 / Math.sqrt(s));
        for (int d = 0; d < dim; d++) {
            v[d] *= inv;
        }
        return v;
    }

    /** Genuine and impostor cosine similarity: mean and standard deviation. */
    public record Stats(double genuineMean, double genuineSd, double impostorMean, double impostorSd) {
        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "genuine %.3f +- %.3f, impostor %.3f +- %.3f",
                    genuineMean,
                    genuineSd,
                    impostorMean,
                    impostorSd);
        }
    }

    /** The similarity statistics of {@code people} synthetic identities with {@code faces} faces each. */
    public Stats syntheticStats(int people, int faces) {
        Random r = new Random(7);
        float[][] v = new float[people * faces][];
        List<String> id = new ArrayList<>();
        for (int p = 0; p < people; p++) {
            float[] c = centre(1_000_000_000L + p);
            for (int f = 0; f < faces; f++) {
                v[p * faces + f] = face(r, c);
                id.add(Integer.toString(p));
            }
        }
        return stats(v, id);
    }

    static Stats stats(float[][] v, List<String> id) {
        double[] g = new double[3];
        double[] im = new double[3];
        for (int i = 0; i < v.length; i++) {
            for (int j = i + 1; j < v.length; j++) {
                double s = 0;
                for (int d = 0; d < v[i].length; d++) {
                    s += v[i][d] * v[j][d];
                }
                double[] acc = id.get(i).equals(id.get(j)) ? g : im;
                acc[0]++;
                acc[1] += s;
                acc[2] += s * s;
            }
        }
        return new Stats(
                g[1] / g[0],
                Math.sqrt(g[2] / g[0] - Math.pow(g[1] / g[0], 2)),
                im[1] / im[0],
                Math.sqrt(im[2] / im[0] - Math.pow(im[1] / im[0], 2)));
    }
}
