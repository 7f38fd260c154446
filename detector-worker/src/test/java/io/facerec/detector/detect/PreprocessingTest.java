package io.facerec.detector.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.image.DecodedImage;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.model.ModelFile;
import io.facerec.common.model.ModelStore;
import io.facerec.common.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The OPENCV preprocessing (libjpeg-turbo, INTER_LINEAR) against the default REFERENCE one on real photos. */
class PreprocessingTest {

    @Test
    void openCvInputDiffersByAboutAGreyLevelAndFindsTheSameConfidentFaces() throws Exception {
        Path dir = SharedData.require("eval").resolve("detection");
        List<Path> photos;
        try (Stream<Path> s = Files.list(dir)) {
            photos = s.filter(p -> p.toString().toLowerCase().endsWith(".jpg")).sorted().limit(8).toList();
        }
        assertThat(photos).hasSize(8);
        ImageLoader configured = new ImageLoader(200_000_000L);
        DetectionSettings settings = new DetectionSettings(0.9, 0.4, 0);
        Path model = ModelStore.fromEnvironment().resolve(ModelFile.RETINAFACE_MNET25_V2);
        double diffSum = 0;
        long values = 0;
        int confident = 0;
        try (RetinaFaceDetector reference = new RetinaFaceDetector(model, 2, false, null, Preprocessing.REFERENCE);
                RetinaFaceDetector opencv = new RetinaFaceDetector(model, 2, false, null, Preprocessing.OPENCV)) {
            for (Path p : photos) {
                try (DecodedImage a = Preprocessing.REFERENCE.loader(configured).load(p);
                        DecodedImage b = Preprocessing.OPENCV.loader(configured).load(p)) {
                    assertThat(b.width()).isEqualTo(a.width());
                    double scale = Math.min(640.0 / a.width(), 640.0 / a.height());
                    float[] ia = RetinaFaceDetector.letterbox(a.bgr(), scale, Preprocessing.REFERENCE);
                    float[] ib = RetinaFaceDetector.letterbox(b.bgr(), scale, Preprocessing.OPENCV);
                    for (int i = 0; i < ia.length; i++) {
                        diffSum += Math.abs(ia[i] - ib[i]);
                    }
                    values += ia.length;
                    List<DetectedFace> fa = reference.detect(a, settings);
                    List<DetectedFace> fb = opencv.detect(b, settings);
                    for (DetectedFace f : fa) {
                        if (f.score() < 0.95) {
                            continue; // near the threshold a grey level may decide
                        }
                        confident++;
                        double best = fb.stream().mapToDouble(g -> g.box().iou(f.box())).max().orElse(0);
                        assertThat(best).as(p.getFileName() + " face " + f.box()).isGreaterThanOrEqualTo(0.9);
                    }
                }
            }
        }
        double meanDiff = diffSum / values;
        assertThat(meanDiff).as("mean absolute input difference").isGreaterThan(0).isLessThan(1.0);
        assertThat(confident).isGreaterThan(5);
    }
}
