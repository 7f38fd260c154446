package io.facerec.detector.detect;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.copyMakeBorder;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.geometry.Landmarks;
import io.facerec.common.image.DecodedImage;
import io.facerec.common.inference.OnnxSessions;
import io.facerec.common.pipeline.PipelineMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * RetinaFace MobileNet-0.25 through ONNX Runtime. Preprocessing follows the model contract: letterbox at the top-left
 * of a 640x640 canvas keeping the aspect ratio ({@code scale = min(640/w, 640/h)}, resized size truncated to whole
 * pixels, OpenCV's {@code INTER_LINEAR}), the rest zero; RGB, raw 0..255 floats, NCHW; no mean or std, as the reference
 * recognition pipeline ({@code identity_ref.py}) prepares it. Decoding is {@link RetinaFaceDecoder}. One session serves
 * every thread; {@code intraOpThreads} bounds the cores one inference uses.
 */
public class RetinaFaceDetector implements FaceDetector {
    public static final int INPUT_SIZE = 640;
    private static final String INPUT = "data";

    private final OrtSession session;
    private final Timer preprocessTimer;
    private final Timer inferenceTimer;
    private final Timer postprocessTimer;

    /**
     * @param intraOpThreads cores one inference may use (0 = all)
     * @param meters where the step timers go ({@link PipelineMeters#DETECTOR_STAGE}); null: none
     */
    public RetinaFaceDetector(Path model, int intraOpThreads, boolean useGpu, MeterRegistry meters) {
        this.session = OnnxSessions.open(model, intraOpThreads, useGpu);
        MeterRegistry m = meters == null ? new CompositeMeterRegistry() : meters;
        this.preprocessTimer = Timer.builder(PipelineMeters.DETECTOR_STAGE)
                .tag("stage", "preprocess")
                .register(m);
        this.inferenceTimer = Timer.builder(PipelineMeters.DETECTOR_STAGE)
                .tag("stage", "inference")
                .register(m);
        this.postprocessTimer = Timer.builder(PipelineMeters.DETECTOR_STAGE)
                .tag("stage", "postprocess")
                .register(m);
    }

    @Override
    public List<DetectedFace> detect(DecodedImage image, DetectionSettings settings) {
        List<DetectedFace> faces = settings.padFraction() > 0
                ? detectPadded(image, settings, settings.padFraction())
                : detect(image.bgr(), settings);
        if (settings.closeUpRetry() && settings.padFraction() < 0.25 && isCloseUpOrEmpty(faces, image)) {
            List<DetectedFace> retry = detectPadded(image, settings, 0.25);
            if (!retry.isEmpty()) {
                return retry;
            }
        }
        return faces;
    }

    private static double clip(double v, int size) {
        return Math.max(0, Math.min(size - 1, v));
    }

    static boolean isCloseUpOrEmpty(List<DetectedFace> faces, DecodedImage image) {
        double shorter = Math.min(image.width(), image.height());
        double largest = 0;
        for (DetectedFace f : faces) {
            largest = Math.max(largest, Math.max(f.box().width(), f.box().height()));
        }
        return faces.isEmpty() || largest > DetectionSettings.CLOSE_UP * shorter;
    }

    private List<DetectedFace> detectPadded(DecodedImage image, DetectionSettings settings, double fraction) {
        int pad = (int) (Math.max(image.width(), image.height()) * fraction);
        try (Mat padded = new Mat();
                Scalar black = new Scalar(0, 0, 0, 0)) {
            copyMakeBorder(image.bgr(), padded, pad, pad, pad, pad, BORDER_CONSTANT, black);
            List<DetectedFace> faces = detect(padded, settings);
            List<DetectedFace> shifted = new ArrayList<>(faces.size());
            for (DetectedFace f : faces) {
                double[][] lm = new double[5][];
                for (int k = 0; k < 5; k++) {
                    lm[k] = new double[] {
                        f.landmarks().x(k) - pad, f.landmarks().y(k) - pad
                    };
                }
                BoundingBox b = f.box();
                // boxes may reach into the padding: clip them to the photo, as boxes of unpadded images are
                shifted.add(new DetectedFace(
                        f.score(),
                        new BoundingBox(
                                clip(b.x1() - pad, image.width()),
                                clip(b.y1() - pad, image.height()),
                                clip(b.x2() - pad, image.width()),
                                clip(b.y2() - pad, image.height())),
                        new Landmarks(lm),
                        new BoundingBox(b.x1() - pad, b.y1() - pad, b.x2() - pad, b.y2() - pad)));
            }
            return shifted;
        }
    }

    private List<DetectedFace> detect(Mat bgr, DetectionSettings settings) {
        long t0 = System.nanoTime();
        double scale = Math.min((double) INPUT_SIZE / bgr.cols(), (double) INPUT_SIZE / bgr.rows());
        float[] input = letterbox(bgr, scale);
        long t1 = System.nanoTime();
        preprocessTimer.record(t1 - t0, TimeUnit.NANOSECONDS);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<RetinaFaceDecoder.StrideOutput> outputs = new ArrayList<>(3);
        try (OnnxTensor tensor = OnnxTensor.createTensor(
                        env, FloatBuffer.wrap(input), new long[] {1, 3, INPUT_SIZE, INPUT_SIZE});
                OrtSession.Result result = session.run(Map.of(INPUT, tensor))) {
            long t2 = System.nanoTime();
            inferenceTimer.record(t2 - t1, TimeUnit.NANOSECONDS);
            for (int stride : RetinaFaceDecoder.STRIDES) {
                int h = INPUT_SIZE / stride;
                int w = INPUT_SIZE / stride;
                outputs.add(new RetinaFaceDecoder.StrideOutput(
                        stride,
                        h,
                        w,
                        floats(result, "face_rpn_cls_prob_reshape_stride" + stride),
                        floats(result, "face_rpn_bbox_pred_stride" + stride),
                        floats(result, "face_rpn_landmark_pred_stride" + stride)));
            }
        } catch (OrtException e) {
            throw new IllegalStateException("RetinaFace inference failed: " + e.getMessage(), e);
        }
        long t3 = System.nanoTime();
        List<DetectedFace> faces = RetinaFaceDecoder.decode(outputs, INPUT_SIZE, INPUT_SIZE, scale, settings);
        postprocessTimer.record(System.nanoTime() - t3, TimeUnit.NANOSECONDS);
        return faces;
    }

    /** Letterboxed NCHW RGB float input: the photo scaled by {@code INTER_LINEAR} at the top-left, the rest zero. */
    static float[] letterbox(Mat bgr, double scale) {
        int dw = (int) (bgr.cols() * scale);
        int dh = (int) (bgr.rows() * scale);
        dw = Math.max(1, Math.min(INPUT_SIZE, dw));
        dh = Math.max(1, Math.min(INPUT_SIZE, dh));
        float[] out = new float[3 * INPUT_SIZE * INPUT_SIZE];
        try (Mat small = new Mat();
                Size size = new Size(dw, dh)) {
            resize(bgr, small, size, 0, 0, INTER_LINEAR);
            byte[] px = new byte[dw * dh * 3];
            small.data().get(px);
            int plane = INPUT_SIZE * INPUT_SIZE;
            for (int y = 0; y < dh; y++) {
                for (int x = 0; x < dw; x++) {
                    int i = (y * dw + x) * 3;
                    int o = y * INPUT_SIZE + x;
                    out[o] = px[i + 2] & 0xFF; // R
                    out[plane + o] = px[i + 1] & 0xFF; // G
                    out[2 * plane + o] = px[i] & 0xFF; // B
                }
            }
        }
        return out;
    }

    private static float[] floats(OrtSession.Result result, String name) throws OrtException {
        OnnxTensor t = (OnnxTensor) result.get(name)
                .orElseThrow(() -> new IllegalStateException("RetinaFace output " + name + " missing: wrong model?"));
        FloatBuffer fb = t.getFloatBuffer();
        float[] a = new float[fb.remaining()];
        fb.get(a);
        return a;
    }

    @Override
    public void close() {
        try {
            OnnxSessions.close(session);
        } catch (OrtException e) {
            // closing; nothing to do
        }
    }
}
