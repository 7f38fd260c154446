package io.facerec.embedder.embed;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

import io.facerec.common.event.FacesDetected;
import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.Landmarks;
import io.facerec.common.image.DecodedImage;
import io.facerec.common.image.FaceCrop;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.pipeline.PipelineMeters;
import io.facerec.embedder.align.FaceAligner;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model inputs (aligned, preprocessed) for the faces of one photo. A face comes from the crop the detector left in
 * the face-crops directory when that crop holds every pixel the alignment samples and, if the detector scaled it
 * down, keeps the face at {@link #MIN_SCALED_FACE_RATIO} times the model's input size. The others come from the
 * photo, decoded once (at 1/2, 1/4 or 1/8 when its faces stay at least twice the input size, see
 * {@link #reduction}). The similarity transform is always estimated on the photo's landmarks; an unscaled crop holds
 * the detector's own pixels of the photo.
 */
public class FaceInputs {
    private static final Logger log = LoggerFactory.getLogger(FaceInputs.class);
    private static final Pattern CROP_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");

    /**
     * A crop the detector scaled down is used only when it keeps the face at this multiple of the model input: at 4x
     * the embeddings stay within cosine 0.994 of the full-resolution photo's on the detection set (2x: 0.977).
     */
    public static final double MIN_SCALED_FACE_RATIO = 4.0;

    /** Where a face's pixels came from. */
    public enum Source {
        CROP,
        PHOTO
    }

    private final MediaPathResolver paths;
    private final ImageLoader loader;
    private final FaceAligner aligner;
    private final FaceEmbedder embedder;
    private final Path cropsDir;
    private final Timer decodeTimer;
    private final Timer alignTimer;
    private final Counter fromCrop;
    private final Counter fromPhoto;

    /**
     * @param loader decodes photos (the embedder uses OpenCV, as the reference recognition pipeline)
     * @param cropsDir the face-crops directory; null to always decode the photo
     */
    public FaceInputs(
            MediaPathResolver paths,
            ImageLoader loader,
            FaceAligner aligner,
            FaceEmbedder embedder,
            Path cropsDir,
            MeterRegistry meters) {
        this.paths = paths;
        this.loader = loader;
        this.aligner = aligner;
        this.embedder = embedder;
        this.cropsDir = cropsDir;
        MeterRegistry m = meters == null ? new CompositeMeterRegistry() : meters;
        this.decodeTimer = Timer.builder(PipelineMeters.EMBEDDER_STAGE)
                .tag("stage", "decode")
                .register(m);
        this.alignTimer = Timer.builder(PipelineMeters.EMBEDDER_STAGE)
                .tag("stage", "align")
                .register(m);
        this.fromCrop = Counter.builder(PipelineMeters.EMBEDDER_FACES)
                .tag("source", "crop")
                .register(m);
        this.fromPhoto = Counter.builder(PipelineMeters.EMBEDDER_FACES)
                .tag("source", "photo")
                .register(m);
    }

    /** The model inputs of a photo's faces, in the event's order. */
    public List<float[]> photo(FacesDetected event) {
        List<FacesDetected.Face> faces = event.faces();
        float[][] inputs = new float[faces.size()][];
        List<Integer> rest = new ArrayList<>();
        for (int i = 0; i < faces.size(); i++) {
            inputs[i] = fromCrop(faces.get(i));
            if (inputs[i] == null) {
                rest.add(i);
            }
        }
        fromCrop.increment(faces.size() - rest.size());
        if (!rest.isEmpty()) {
            List<FacesDetected.Face> left = rest.stream().map(faces::get).toList();
            int r = reduction(left, aligner.size());
            long t0 = System.nanoTime();
            try (DecodedImage image = loader.load(paths.resolve(event.filePath()), r)) {
                decodeTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
                for (int i : rest) {
                    FacesDetected.Face f = faces.get(i);
                    inputs[i] =
                            prepare(image, scale(BoundingBox.of(f.box()), r), scale(new Landmarks(f.landmarks()), r));
                }
            }
            fromPhoto.increment(rest.size());
        }
        return List.of(inputs);
    }

    /** Align and preprocess one face of a decoded image: the model's input tensor values. */
    public float[] prepare(DecodedImage image, BoundingBox box, Landmarks landmarks) {
        long t0 = System.nanoTime();
        float[] input;
        try (Mat aligned = aligner.align(image.bgr(), box, landmarks)) {
            input = embedder.preprocess(aligned);
        }
        alignTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        return input;
    }

    /** The face's input from its crop, or null when there is no usable crop (the photo is decoded instead). */
    float[] fromCrop(FacesDetected.Face f) {
        FaceCrop crop = f.crop();
        Path file = cropFile(f);
        if (file == null) {
            return null;
        }
        BoundingBox box = BoundingBox.of(f.box());
        if (!crop.valid()) {
            log.warn("face {}: crop {} has an inconsistent geometry; decoding the photo", f.faceId(), crop);
            return null;
        }
        if (crop.scaled() && crop.faceSide(box) < MIN_SCALED_FACE_RATIO * aligner.size()) {
            log.debug(
                    "face {}: crop keeps the face at {} px, below {}x the model input; decoding the photo",
                    f.faceId(),
                    Math.round(crop.faceSide(box)),
                    MIN_SCALED_FACE_RATIO);
            return null;
        }
        double[] transform =
                aligner.mode() == FaceAligner.Mode.CROP_RESIZE ? null : aligner.transform(new Landmarks(f.landmarks()));
        double[] fp = aligner.footprint(box, transform);
        if (!crop.covers(fp[0], fp[1], fp[2], fp[3])) {
            log.debug("face {}: the alignment reaches beyond its crop; decoding the photo", f.faceId());
            return null;
        }
        long t0 = System.nanoTime();
        try (Mat bgr = imread(file.toString(), IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION)) {
            long t1 = System.nanoTime();
            decodeTimer.record(t1 - t0, TimeUnit.NANOSECONDS);
            if (bgr == null || bgr.empty() || bgr.cols() != crop.cropWidth() || bgr.rows() != crop.cropHeight()) {
                log.warn(
                        "face {}: crop {} is unreadable or not {}x{}; decoding the photo",
                        f.faceId(),
                        file,
                        crop.cropWidth(),
                        crop.cropHeight());
                return null;
            }
            float[] input;
            try (Mat aligned =
                    aligner.align(bgr, crop.toCrop(box), transform == null ? null : crop.toCrop(transform))) {
                input = embedder.preprocess(aligned);
            }
            alignTimer.record(System.nanoTime() - t1, TimeUnit.NANOSECONDS);
            return input;
        }
    }

    /** The face's crop file when it names one that exists in the crops directory, else null. */
    public Path cropFile(FacesDetected.Face f) {
        FaceCrop crop = f.crop();
        if (crop == null || cropsDir == null || crop.file() == null) {
            return null;
        }
        if (!CROP_NAME.matcher(crop.file()).matches()) {
            log.warn("face {}: crop name {} refused (a plain file name is expected)", f.faceId(), crop.file());
            return null;
        }
        Path file = cropsDir.resolve(crop.file());
        return Files.isRegularFile(file) ? file : null;
    }

    /**
     * How much smaller the photo may be decoded: the smallest face must keep at least twice the model's input size,
     * so the aligned crop is still downsampled (a 4000-px photo with large faces decodes at 1/4 or 1/8, several times
     * faster than in full).
     */
    public static int reduction(List<FacesDetected.Face> faces, int inputSize) {
        double smallest = Double.MAX_VALUE;
        for (FacesDetected.Face f : faces) {
            smallest = Math.min(smallest, Math.max(f.box()[2] - f.box()[0], f.box()[3] - f.box()[1]));
        }
        int r = 1;
        while (r < 8 && smallest / (r * 2) >= 2.0 * inputSize) {
            r *= 2;
        }
        return r;
    }

    static double scale(double v, int r) {
        return r == 1 ? v : (v + 0.5) / r - 0.5;
    }

    public static BoundingBox scale(BoundingBox b, int r) {
        return new BoundingBox(scale(b.x1(), r), scale(b.y1(), r), scale(b.x2(), r), scale(b.y2(), r));
    }

    public static Landmarks scale(Landmarks l, int r) {
        double[][] p = new double[5][];
        for (int i = 0; i < 5; i++) {
            p[i] = new double[] {scale(l.x(i), r), scale(l.y(i), r)};
        }
        return new Landmarks(p);
    }
}
