package io.facerec.embedder.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import com.fasterxml.jackson.databind.JsonNode;
import io.facerec.common.event.FacesDetected;
import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.Landmarks;
import io.facerec.common.image.DecodedImage;
import io.facerec.common.image.FaceCrop;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.messaging.EventCodec;
import io.facerec.common.model.ModelFile;
import io.facerec.common.model.ModelStore;
import io.facerec.common.testing.SharedData;
import io.facerec.embedder.align.FaceAligner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedder reads faces from the detector's crops, with the real model, and falls back to the photo. */
class FaceInputsTest {
    static final String PHOTO = "deepframe_hamidMir.jpg";
    static final ImageLoader LOADER = new ImageLoader(200_000_000L);

    static FaceEmbedder embedder;
    static FaceAligner aligner;
    static double[] box;
    static double[][] landmarks;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() throws Exception {
        Path eval = SharedData.require("eval");
        JsonNode images = EventCodec.mapper()
                .readTree(eval.resolve("reference/detections.json").toFile())
                .get("images");
        for (JsonNode image : images) {
            if (image.get("file").asText().equals(PHOTO)) {
                JsonNode face = image.get("faces").get(0);
                box = EventCodec.mapper().convertValue(face.get("box"), double[].class);
                landmarks = EventCodec.mapper().convertValue(face.get("landmarks"), double[][].class);
            }
        }
        assertThat(box).as("the reference face of " + PHOTO).isNotNull();
        EmbeddingModelSpec spec = EmbeddingModelSpec.FR_FEATURE;
        embedder = new FaceEmbedder(spec, ModelStore.fromEnvironment().resolve(ModelFile.FR_FEATURE), 1, false);
        aligner = new FaceAligner(spec.alignment(), spec.inputSize());
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    record Setup(Path media, Path crops, SimpleMeterRegistry meters, FaceInputs fromCrops, FaceInputs fromPhotos) {
        double crop() {
            return meters.counter("facerec.embedder.faces", "source", "crop").count();
        }

        double photo() {
            return meters.counter("facerec.embedder.faces", "source", "photo").count();
        }
    }

    Setup setup() throws Exception {
        Path media = Files.createDirectories(tmp.resolve("media"));
        Files.copy(SharedData.require("eval").resolve("detection").resolve(PHOTO), media.resolve(PHOTO));
        Path crops = Files.createDirectories(tmp.resolve("crops"));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        MediaPathResolver paths = new MediaPathResolver(media);
        return new Setup(
                media,
                crops,
                meters,
                new FaceInputs(paths, LOADER, aligner, embedder, crops, meters),
                new FaceInputs(paths, LOADER, aligner, embedder, null, null));
    }

    /** What the detector does: the crop's rectangle of the decoded photo, scaled when the face is large, as BMP. */
    static FaceCrop writeCrop(Path photo, double[] faceBox, int faceSize, Path dir, String name) {
        try (DecodedImage img = LOADER.load(photo)) {
            FaceCrop c = FaceCrop.around(BoundingBox.of(faceBox), img.width(), img.height(), faceSize);
            try (Rect r = new Rect(c.x(), c.y(), c.width(), c.height());
                    Mat region = new Mat(img.bgr(), r);
                    Mat small = new Mat();
                    Size s = new Size(c.cropWidth(), c.cropHeight())) {
                resize(region, small, s, 0, 0, INTER_AREA);
                assertThat(imwrite(dir.resolve(name).toString(), c.scaled() ? small : region))
                        .isTrue();
            }
            return c.withFile(name);
        }
    }

    static FacesDetected event(String file, double[] faceBox, double[][] marks, FaceCrop crop) {
        return FacesDetected.of(1, file, List.of(new FacesDetected.Face(1, 0, 0, 0.99, faceBox, marks, crop)));
    }

    static double cosine(float[] a, float[] b) {
        double c = 0;
        for (int i = 0; i < a.length; i++) {
            c += a[i] * b[i];
        }
        return c;
    }

    @Test
    void anUnscaledCropGivesThePhotosOwnModelInput() throws Exception {
        Setup s = setup();
        FaceCrop crop = writeCrop(s.media().resolve(PHOTO), box, 448, s.crops(), "item1_0.bmp");
        assertThat(crop.scaled())
                .as("a 176-px face is kept at the photo's resolution")
                .isFalse();
        float[] fromCrop =
                s.fromCrops().photo(event(PHOTO, box, landmarks, crop)).get(0);
        float[] fromPhoto =
                s.fromPhotos().photo(event(PHOTO, box, landmarks, null)).get(0);
        assertThat(s.crop()).isEqualTo(1);
        assertThat(s.photo()).isZero();
        double maxDiff = 0;
        for (int i = 0; i < fromCrop.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(fromCrop[i] - fromPhoto[i]));
        }
        assertThat(maxDiff)
                .as("model input values, crop vs photo (one grey level is 1/128)")
                .isLessThanOrEqualTo(1 / 128.0);
        assertThat(cosine(embedder.embed(fromCrop), embedder.embed(fromPhoto))).isGreaterThan(0.9999);
    }

    /** The photo upscaled 4x: the face is 700 px, its crop is scaled down to 448 px and still embeds like the photo. */
    @Test
    void aScaledCropIsUsedWhenItKeepsFourTimesTheModelInputAndOtherwiseThePhoto() throws Exception {
        Setup s = setup();
        try (DecodedImage img = LOADER.load(s.media().resolve(PHOTO));
                Mat big = new Mat();
                Size size = new Size(img.width() * 4, img.height() * 4)) {
            resize(img.bgr(), big, size, 0, 0, INTER_CUBIC);
            assertThat(imwrite(s.media().resolve("big.png").toString(), big)).isTrue();
        }
        double[] bigBox = new double[4];
        for (int i = 0; i < 4; i++) {
            bigBox[i] = (box[i] + 0.5) * 4 - 0.5;
        }
        double[][] bigMarks = new double[5][];
        for (int i = 0; i < 5; i++) {
            bigMarks[i] = new double[] {(landmarks[i][0] + 0.5) * 4 - 0.5, (landmarks[i][1] + 0.5) * 4 - 0.5};
        }
        FaceCrop crop = writeCrop(s.media().resolve("big.png"), bigBox, 448, s.crops(), "item1_0.bmp");
        assertThat(crop.scaled()).isTrue();
        float[] fromCrop =
                s.fromCrops().photo(event("big.png", bigBox, bigMarks, crop)).get(0);
        assertThat(s.crop()).isEqualTo(1);
        float[] full;
        try (DecodedImage img = LOADER.load(s.media().resolve("big.png"))) {
            full = s.fromPhotos().prepare(img, BoundingBox.of(bigBox), new Landmarks(bigMarks));
        }
        assertThat(cosine(embedder.embed(fromCrop), embedder.embed(full)))
                .as("scaled crop vs full-resolution photo")
                .isGreaterThan(0.99);

        FaceCrop small = writeCrop(s.media().resolve("big.png"), bigBox, 300, s.crops(), "item2_0.bmp");
        s.fromCrops().photo(event("big.png", bigBox, bigMarks, small));
        assertThat(s.photo())
                .as("a crop keeping the face at 300 px < 4 x 112 is not used")
                .isEqualTo(1);
        assertThat(s.crop()).isEqualTo(1);
    }

    @Test
    void missingForeignDamagedOrTooSmallCropsFallBackToThePhoto() throws Exception {
        Setup s = setup();
        float[] expected =
                s.fromPhotos().photo(event(PHOTO, box, landmarks, null)).get(0);
        FaceCrop good = writeCrop(s.media().resolve(PHOTO), box, 448, s.crops(), "item1_0.bmp");
        Files.copy(s.crops().resolve("item1_0.bmp"), tmp.resolve("outside.bmp"));
        try (Mat tiny = new Mat(10, 10, CV_8UC3)) {
            imwrite(s.crops().resolve("tiny.bmp").toString(), tiny);
        }
        FaceCrop boxOnly = new FaceCrop(
                "item1_0.bmp",
                (int) box[0],
                (int) box[1],
                (int) (box[2] - box[0]),
                (int) (box[3] - box[1]),
                (int) (box[2] - box[0]),
                (int) (box[3] - box[1]),
                good.photoWidth(),
                good.photoHeight());
        FaceCrop inconsistent = new FaceCrop(
                "item1_0.bmp",
                good.x(),
                good.y(),
                good.width(),
                good.height(),
                good.cropWidth(),
                good.cropHeight(),
                good.x() + 10,
                good.photoHeight()); // rectangle beyond the photo
        List<FaceCrop> bad = List.of(
                good.withFile("gone.bmp"),
                good.withFile("../outside.bmp"),
                good.withFile("tiny.bmp"),
                boxOnly,
                inconsistent);
        for (FaceCrop c : bad) {
            float[] got = s.fromCrops().photo(event(PHOTO, box, landmarks, c)).get(0);
            assertThat(got).as(c.file() + " falls back to the photo").containsExactly(expected);
        }
        assertThat(s.photo()).isEqualTo(bad.size());
        assertThat(s.crop()).isZero();
    }
}
