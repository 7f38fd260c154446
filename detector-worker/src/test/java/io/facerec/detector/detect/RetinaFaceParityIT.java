package io.facerec.detector.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.image.DecodedImage;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.model.ModelFile;
import io.facerec.common.model.ModelStore;
import io.facerec.common.testing.SharedData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Parity with an independent decoder: {@code shared/eval/reference/detections.json} holds what the npm package's own
 * decoder found with onnxruntime on the same model over the 50 photos of {@code shared/eval/detection}
 * (score 0.75, NMS 0.5), on its own decoding (jpeg-js) and scaling (a Skia canvas). We decode with libjpeg-turbo and
 * scale with OpenCV's {@code INTER_LINEAR}, as the recognition reference does; the network input then differs from the
 * detection reference's by about a grey level, which can flip a near-tied anchor or a face at the threshold. So the
 * bar is a tolerance: at most 1% of the reference faces (to the nearest face: 2 of 197) matched below IoU 0.95 or not
 * at all, a mean IoU >= 0.99, landmarks of the others within 3 px, and no more extra faces than 1% of the reference's.
 */
class RetinaFaceParityIT {

    @Test
    void matchesTheReferenceDecoderOnAllFiftyPhotos() throws Exception {
        Path eval = SharedData.require("eval");
        JsonNode ref = new ObjectMapper()
                .readTree(eval.resolve("reference/detections.json").toFile());
        Path model = ModelStore.fromEnvironment().resolve(ModelFile.RETINAFACE_MNET25_V2);
        ImageLoader loader = new ImageLoader(200_000_000L);
        DetectionSettings settings = new DetectionSettings(0.75, 0.5, 0);
        List<Double> ious = new ArrayList<>();
        double worstLandmark = 0;
        int refFaces = 0;
        int extra = 0;
        List<String> problems = new ArrayList<>();
        try (RetinaFaceDetector detector = new RetinaFaceDetector(model, 2, false, null)) {
            for (JsonNode img : ref.get("images")) {
                String file = img.get("file").asText();
                List<DetectedFace> found;
                try (DecodedImage image = loader.load(eval.resolve("detection").resolve(file))) {
                    assertThat(image.width())
                            .as(file + " width")
                            .isEqualTo(img.get("width").asInt());
                    found = detector.detect(image, settings);
                }
                boolean[] used = new boolean[found.size()];
                for (JsonNode rf : img.get("faces")) {
                    refFaces++;
                    BoundingBox rb = box(rf.get("box"));
                    int best = -1;
                    double bestIou = 0;
                    for (int j = 0; j < found.size(); j++) {
                        double iou = rb.iou(found.get(j).box());
                        if (!used[j] && iou > bestIou) {
                            best = j;
                            bestIou = iou;
                        }
                    }
                    if (best < 0 || bestIou < 0.5) {
                        problems.add(file + ": reference face " + rb + " not found (best IoU " + bestIou + ")");
                        continue;
                    }
                    used[best] = true;
                    ious.add(bestIou);
                    if (bestIou < 0.95) {
                        double scoreGap = Math.abs(
                                found.get(best).score() - rf.get("score").asDouble());
                        problems.add(String.format(
                                "%s: reference face %s matched at IoU %.4f only (score gap %.1e)",
                                file, rb, bestIou, scoreGap));
                        continue;
                    }
                    JsonNode lm = rf.get("landmarks");
                    for (int k = 0; k < 5; k++) {
                        double dx = Math.abs(lm.get(k).get(0).asDouble()
                                - found.get(best).landmarks().x(k));
                        double dy = Math.abs(lm.get(k).get(1).asDouble()
                                - found.get(best).landmarks().y(k));
                        worstLandmark = Math.max(worstLandmark, Math.max(dx, dy));
                    }
                }
                for (int j = 0; j < found.size(); j++) {
                    if (!used[j]) {
                        extra++;
                        problems.add(file + ": extra face " + found.get(j).box() + " score "
                                + found.get(j).score());
                    }
                }
            }
        }
        double mean = ious.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double min = ious.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        long strict = ious.stream().filter(u -> u >= 0.95).count();
        System.out.printf(
                "parity: reference faces %d, matched %d (IoU >= 0.95: %d), IoU mean %.5f min %.5f, "
                        + "landmark max diff %.3f px, %d extra face(s)%n",
                refFaces, ious.size(), strict, mean, min, worstLandmark, extra);
        problems.forEach(p -> System.out.println("parity: " + p));
        assertThat(refFaces).isEqualTo(ref.get("summary").get("totalFaces").asInt());
        // 1% of the reference faces, to the nearest face (2 of 197) may fall below IoU 0.95: measured 195 of 197
        assertThat(refFaces - strict).as("faces below IoU 0.95").isLessThanOrEqualTo(Math.round(0.01 * refFaces));
        assertThat(mean).as("mean IoU over the matched faces").isGreaterThanOrEqualTo(0.99);
        assertThat((long) extra).as("extra faces").isLessThanOrEqualTo(Math.round(0.01 * refFaces));
        assertThat(worstLandmark)
                .as("landmarks of the faces matched at IoU >= 0.95")
                .isLessThanOrEqualTo(3.0);
    }

    private static BoundingBox box(JsonNode a) {
        return new BoundingBox(
                a.get(0).asDouble(),
                a.get(1).asDouble(),
                a.get(2).asDouble(),
                a.get(3).asDouble());
    }
}
