package io.facerec.detector.detect;

import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.geometry.Landmarks;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns the nine RetinaFace (MobileNet-0.25, insightface) output maps into faces, following the model's contract
 * (see {@code models/README.md}):
 * <ul>
 *   <li>strides 32, 16, 8 with anchor scales (32, 16), (8, 4), (2, 1), base size 16, ratio 1: two anchors per cell,
 *       anchor width {@code 16 * scale}, centre {@code (x * stride + 8, y * stride + 8)};</li>
 *   <li>scores: channel {@code A + a} of {@code cls_prob_reshape} (background channels first, already softmaxed);</li>
 *   <li>boxes, mxnet style without variances: {@code c + w_a * d} for the centre, {@code w_a * exp(d)} for the size;</li>
 *   <li>landmarks: {@code c + (w_a * 0.18181818 + 1) * d};</li>
 *   <li>greedy NMS over all strides by descending score; boxes clipped to the model input, then divided by the
 *       letterbox scale; landmarks not clipped.</li>
 * </ul>
 * Pure and stateless: no ONNX types, so it is unit-tested on synthetic maps.
 */
public final class RetinaFaceDecoder {
    /** Stride, anchor scales. */
    static final int[] STRIDES = {32, 16, 8};

    static final double[][] SCALES = {{32, 16}, {8, 4}, {2, 1}};
    static final double BASE_SIZE = 16;
    static final double LANDMARK_SCALE = 0.18181818;

    private RetinaFaceDecoder() {}

    /** The output maps of one stride, each flattened NCHW with N = 1. */
    public record StrideOutput(int stride, int height, int width, float[] scores, float[] boxes, float[] landmarks) {}

    /**
     * @param outputs the three strides' maps, in {@link #STRIDES} order
     * @param inputWidth model input width (clip bound)
     * @param inputHeight model input height
     * @param scale letterbox scale (original to model pixels)
     */
    public static List<DetectedFace> decode(
            List<StrideOutput> outputs, int inputWidth, int inputHeight, double scale, DetectionSettings settings) {
        List<Candidate> candidates = new ArrayList<>();
        for (int s = 0; s < outputs.size(); s++) {
            StrideOutput o = outputs.get(s);
            double[] scales = SCALES[indexOfStride(o.stride())];
            int anchors = scales.length;
            int plane = o.height() * o.width();
            for (int a = 0; a < anchors; a++) {
                double aw = BASE_SIZE * scales[a];
                int scoreOffset = (anchors + a) * plane;
                for (int y = 0; y < o.height(); y++) {
                    for (int x = 0; x < o.width(); x++) {
                        int cell = y * o.width() + x;
                        float score = o.scores()[scoreOffset + cell];
                        if (score < settings.scoreThreshold()) {
                            continue;
                        }
                        double cx = x * (double) o.stride() + BASE_SIZE / 2;
                        double cy = y * (double) o.stride() + BASE_SIZE / 2;
                        int b = 4 * a * plane + cell;
                        double pcx = cx + aw * o.boxes()[b];
                        double pcy = cy + aw * o.boxes()[b + plane];
                        double pw = aw * Math.exp(o.boxes()[b + 2 * plane]);
                        double ph = aw * Math.exp(o.boxes()[b + 3 * plane]);
                        double[] box = {pcx - pw / 2, pcy - ph / 2, pcx + pw / 2, pcy + ph / 2};
                        double lmScale = aw * LANDMARK_SCALE + 1;
                        double[][] lm = new double[5][2];
                        int l = 10 * a * plane + cell;
                        for (int k = 0; k < 5; k++) {
                            lm[k][0] = cx + lmScale * o.landmarks()[l + (2 * k) * plane];
                            lm[k][1] = cy + lmScale * o.landmarks()[l + (2 * k + 1) * plane];
                        }
                        candidates.add(new Candidate(score, box, lm));
                    }
                }
            }
        }
        candidates.sort(Comparator.comparingDouble((Candidate c) -> -c.score));
        List<Candidate> kept = new ArrayList<>();
        for (Candidate c : candidates) {
            boolean suppressed = false;
            for (Candidate k : kept) {
                if (iou(c.box, k.box) > settings.nmsThreshold()) {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed) {
                kept.add(c);
            }
        }
        List<DetectedFace> faces = new ArrayList<>(kept.size());
        for (Candidate c : kept) {
            double x1 = clamp(c.box[0], inputWidth - 1) / scale;
            double y1 = clamp(c.box[1], inputHeight - 1) / scale;
            double x2 = clamp(c.box[2], inputWidth - 1) / scale;
            double y2 = clamp(c.box[3], inputHeight - 1) / scale;
            if (Math.min(x2 - x1, y2 - y1) < settings.minFaceSize()) {
                continue;
            }
            double[][] lm = new double[5][];
            for (int k = 0; k < 5; k++) {
                lm[k] = new double[] {c.landmarks[k][0] / scale, c.landmarks[k][1] / scale};
            }
            faces.add(new DetectedFace(c.score, new BoundingBox(x1, y1, x2, y2), new Landmarks(lm)));
        }
        return faces;
    }

    private static int indexOfStride(int stride) {
        for (int i = 0; i < STRIDES.length; i++) {
            if (STRIDES[i] == stride) {
                return i;
            }
        }
        throw new IllegalArgumentException("unknown stride " + stride);
    }

    private static double clamp(double v, double max) {
        return Math.max(0, Math.min(max, v));
    }

    static double iou(double[] a, double[] b) {
        double ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
        double iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
        double inter = ix * iy;
        double union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
        return inter / Math.max(union, 1e-9);
    }

    private record Candidate(double score, double[] box, double[][] landmarks) {}
}
