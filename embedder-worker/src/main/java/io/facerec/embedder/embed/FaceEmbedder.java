package io.facerec.embedder.embed;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.facerec.common.image.Pixels;
import io.facerec.common.inference.OnnxSessions;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Runs the embedding model on aligned faces and L2-normalises the result. The ONNX session is shared by all threads.
 */
public class FaceEmbedder implements AutoCloseable {
    private final EmbeddingModelSpec spec;
    private final OrtSession session;
    private final boolean dynamicBatch;

    public FaceEmbedder(EmbeddingModelSpec spec, Path model, int intraOpThreads, boolean useGpu) {
        this.spec = spec;
        this.session = OnnxSessions.open(model, intraOpThreads, useGpu);
        this.dynamicBatch = batchDimensionIsDynamic(session, spec.inputName());
    }

    private static boolean batchDimensionIsDynamic(OrtSession session, String input) {
        try {
            var info = session.getInputInfo().get(input);
            if (info != null && info.getInfo() instanceof TensorInfo t) {
                long[] shape = t.getShape();
                return shape.length == 4 && shape[0] < 0;
            }
            return false;
        } catch (OrtException e) {
            return false;
        }
    }

    /** True when the model takes several faces per inference (its batch dimension is dynamic). */
    public boolean batches() {
        return dynamicBatch;
    }

    /**
     * Embeds several preprocessed faces: in batches of up to {@code maxBatch} per inference when the model's batch
     * dimension is dynamic (a large gain on a GPU), one by one otherwise (e.g. {@code fr_feature}, fixed at 1).
     */
    public List<float[]> embedAll(List<float[]> inputs, int maxBatch) {
        List<float[]> out = new ArrayList<>(inputs.size());
        if (!dynamicBatch || maxBatch <= 1 || inputs.size() == 1) {
            for (float[] in : inputs) {
                out.add(embed(in));
            }
            return out;
        }
        int n = spec.inputSize();
        int size = 3 * n * n;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (int from = 0; from < inputs.size(); from += maxBatch) {
            int k = Math.min(maxBatch, inputs.size() - from);
            FloatBuffer batch = FloatBuffer.allocate(k * size);
            for (int i = 0; i < k; i++) {
                batch.put(inputs.get(from + i));
            }
            batch.flip();
            try (OnnxTensor t = OnnxTensor.createTensor(env, batch, new long[] {k, 3, n, n});
                    OrtSession.Result r = session.run(Map.of(spec.inputName(), t))) {
                FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
                if (fb.remaining() != k * spec.dimension()) {
                    throw new IllegalStateException("model " + spec.id() + " returned " + fb.remaining()
                            + " values for " + k + " faces, expected " + k * spec.dimension());
                }
                for (int i = 0; i < k; i++) {
                    float[] v = new float[spec.dimension()];
                    fb.get(v);
                    out.add(l2normalise(v));
                }
            } catch (OrtException e) {
                throw new IllegalStateException("embedding inference failed: " + e.getMessage(), e);
            }
        }
        return out;
    }

    public EmbeddingModelSpec spec() {
        return spec;
    }

    /** Input tensor values (NCHW) of one aligned BGR face of the model's input size. */
    public float[] preprocess(Mat alignedBgr) {
        int n = spec.inputSize();
        if (alignedBgr.cols() != n || alignedBgr.rows() != n || alignedBgr.channels() != 3) {
            throw new IllegalArgumentException("aligned face must be " + n + "x" + n + "x3");
        }
        byte[] px = Pixels.bytes(alignedBgr);
        int plane = n * n;
        float[] out = new float[3 * plane];
        int r = spec.rgb() ? 0 : 2;
        int b = spec.rgb() ? 2 : 0;
        float mean = spec.mean();
        float inv = 1f / spec.std();
        for (int i = 0, p = 0; i < plane; i++) {
            out[b * plane + i] = ((px[p++] & 0xff) - mean) * inv;
            out[plane + i] = ((px[p++] & 0xff) - mean) * inv;
            out[r * plane + i] = ((px[p++] & 0xff) - mean) * inv;
        }
        return out;
    }

    /** Embeds one preprocessed face; returns an L2-normalised vector. */
    public float[] embed(float[] input) {
        int n = spec.inputSize();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {1, 3, n, n});
                OrtSession.Result r = session.run(Map.of(spec.inputName(), t))) {
            FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] v = new float[fb.remaining()];
            fb.get(v);
            if (v.length != spec.dimension()) {
                throw new IllegalStateException(
                        "model " + spec.id() + " returned " + v.length + " values, expected " + spec.dimension());
            }
            return l2normalise(v);
        } catch (OrtException e) {
            throw new IllegalStateException("embedding inference failed: " + e.getMessage(), e);
        }
    }

    public static float[] l2normalise(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        double norm = Math.sqrt(s);
        if (norm == 0) {
            return v;
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] / norm);
        }
        return v;
    }

    @Override
    public void close() {
        try {
            OnnxSessions.close(session);
        } catch (OrtException ignored) {
            // closing
        }
    }
}
