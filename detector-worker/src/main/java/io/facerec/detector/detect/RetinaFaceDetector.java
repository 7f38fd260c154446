package io.facerec.detector.detect;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.image.DecodedImage;
import io.facerec.common.image.Pixels;
import io.facerec.common.inference.OnnxSessions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * RetinaFace MobileNet-0.25 through ONNX Runtime. Preprocessing follows the model contract: letterbox at the top-left
 * of a 640x640 canvas keeping the aspect ratio ({@code scale = min(640/w, 640/h)}, resized size truncated to whole
 * pixels), the rest zero; RGB, raw 0..255 floats, NCHW; no mean or std. Decoding is {@link RetinaFaceDecoder}.
 */
public class RetinaFaceDetector implements FaceDetector {
    public static final int INPUT_SIZE = 640;
    private static final String INPUT = "data";

    private final OrtSession session;
    private final Timer preprocessTimer;
    private final Timer inferenceTimer;
    private final Timer postprocessTimer;

    public RetinaFaceDetector(Path model, int intraOpThreads, boolean useGpu, MeterRegistry meters) {
        this.session = OnnxSessions.open(model, intraOpThreads, useGpu);
        MeterRegistry m = meters == null ? new CompositeMeterRegistry() : meters;
        this.preprocessTimer = Timer.builder("facerec.detector.stage").tag("stage", "preprocess").register(m);
        this.inferenceTimer = Timer.builder("facerec.detector.stage").tag("stage", "inference").register(m);
        this.postprocessTimer = Timer.builder("facerec.detector.stage").tag("stage", "postprocess").register(m);
    }

    @Override
    public List<DetectedFace> detect(DecodedImage image, DetectionSettings settings) {
        long t0 = System.nanoTime();
        double scale = Math.min((double) INPUT_SIZE / image.width(), (double) INPUT_SIZE / image.height());
        float[] input = letterbox(image.bgr(), scale);
        long t1 = System.nanoTime();
        preprocessTimer.record(t1 - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<RetinaFaceDecoder.StrideOutput> outputs = new ArrayList<>(3);
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input),
                new long[] {1, 3, INPUT_SIZE, INPUT_SIZE});
                OrtSession.Result result = session.run(Map.of(INPUT, tensor))) {
            long t2 = System.nanoTime();
            inferenceTimer.record(t2 - t1, java.util.concurrent.TimeUnit.NANOSECONDS);
            for (int stride : RetinaFaceDecoder.STRIDES) {
                int h = INPUT_SIZE / stride;
                int w = INPUT_SIZE / stride;
                outputs.add(new RetinaFaceDecoder.StrideOutput(stride, h, w,
                        floats(result, "face_rpn_cls_prob_reshape_stride" + stride),
                        floats(result, "face_rpn_bbox_pred_stride" + stride),
                        floats(result, "face_rpn_landmark_pred_stride" + stride)));
            }
        } catch (OrtException e) {
            throw new IllegalStateException("RetinaFace inference failed: " + e.getMessage(), e);
        }
        long t3 = System.nanoTime();
        List<DetectedFace> faces = RetinaFaceDecoder.decode(outputs, INPUT_SIZE, INPUT_SIZE, scale, settings);
        postprocessTimer.record(System.nanoTime() - t3, java.util.concurrent.TimeUnit.NANOSECONDS);
        return faces;
    }

    /** Letterboxed NCHW RGB float input. */
    static float[] letterbox(Mat bgr, double scale) {
        int dw = (int) (bgr.cols() * scale);
        int dh = (int) (bgr.rows() * scale);
        dw = Math.max(1, Math.min(INPUT_SIZE, dw));
        dh = Math.max(1, Math.min(INPUT_SIZE, dh));
        float[] out = new float[3 * INPUT_SIZE * INPUT_SIZE];
        int plane = INPUT_SIZE * INPUT_SIZE;
        try (Mat resized = new Mat(); Size size = new Size(dw, dh)) {
            resize(bgr, resized, size, 0, 0, INTER_LINEAR);
            byte[] px = Pixels.bytes(resized);
            int i = 0;
            for (int y = 0; y < dh; y++) {
                int row = y * INPUT_SIZE;
                for (int x = 0; x < dw; x++) {
                    int o = row + x;
                    out[o + 2 * plane] = px[i++] & 0xff; // B
                    out[o + plane] = px[i++] & 0xff; // G
                    out[o] = px[i++] & 0xff; // R
                }
            }
        }
        return out;
    }

    private static float[] floats(OrtSession.Result result, String name) throws OrtException {
        OnnxTensor t = (OnnxTensor) result.get(name).orElseThrow(
                () -> new IllegalStateException("RetinaFace output " + name + " missing: wrong model?"));
        FloatBuffer fb = t.getFloatBuffer();
        float[] a = new float[fb.remaining()];
        fb.get(a);
        return a;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // closing; nothing to do
        }
    }
}
