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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Parity with an independent decoder: {@code shared/eval/reference/detections.json} holds what the npm package's own
 * decoder found with onnxruntime on the same model over the 50 photos of {@code shared/eval/detection}
 * (score 0.75, NMS 0.5). Every reference face must be matched with IoU >= 0.95 (mean >= 0.99), with no extra face
 * and landmarks within 3 px. No allowance for anchor near-ties (two faces whose two best anchors differ by about 5e-5
 * in the reference itself): JPEGs are decoded as the reference decodes them ({@code ReferenceJpegDecoder}, a port of
 * jpeg-js) and scaled as its canvas scales them ({@link SkiaBilinear}), so the network input is the reference's byte
 * for byte and those ties fall the same way.
 */
class RetinaFaceParityIT {

    @Test
    void matchesTheReferenceDecoderOnAllFiftyPhotos() throws Exception {
        Path eval = SharedData.require("eval");
        JsonNode ref = new ObjectMapper().readTree(eval.resolve("reference/detections.json").toFile());
        Path model = ModelStore.fromEnvironment().resolve(ModelFile.RETINAFACE_MNET25_V2);
        ImageLoader loader = new ImageLoader(200_000_000L);
        DetectionSettings settings = new DetectionSettings(0.75, 0.5, 0);
        List<Double> ious = new ArrayList<>();
        double worstLandmark = 0;
        int refFaces = 0;
        List<String> problems = new ArrayList<>();
        try (RetinaFaceDetector detector = new RetinaFaceDetector(model, 2, false, null)) {
            for (JsonNode img : ref.get("images")) {
                String file = img.get("file").asText();
                List<DetectedFace> found;
                try (DecodedImage image = loader.load(eval.resolve("detection").resolve(file))) {
                    assertThat(image.width()).as(file + " width").isEqualTo(img.get("width").asInt());
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
                    if (bestIou < 0.95) {
                        double scoreGap = Math.abs(found.get(best).score() - rf.get("score").asDouble());
                        problems.add(String.format("%s: reference face %s matched at IoU %.4f only (score gap %.1e)",
                                file, rb, bestIou, scoreGap));
                    }
                    used[best] = true;
                    ious.add(bestIou);
                    JsonNode lm = rf.get("landmarks");
                    for (int k = 0; k < 5; k++) {
                        double dx = Math.abs(lm.get(k).get(0).asDouble() - found.get(best).landmarks().x(k));
                        double dy = Math.abs(lm.get(k).get(1).asDouble() - found.get(best).landmarks().y(k));
                        worstLandmark = Math.max(worstLandmark, Math.max(dx, dy));
                    }
                }
                for (int j = 0; j < found.size(); j++) {
                    if (!used[j]) {
                        problems.add(file + ": extra face " + found.get(j).box() + " score " + found.get(j).score());
                    }
                }
            }
        }
        double mean = ious.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double min = ious.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        long strict = ious.stream().filter(u -> u >= 0.95).count();
        System.out.printf("parity: reference faces %d, matched %d (IoU >= 0.95: %d), IoU mean %.5f min %.5f, "
                + "landmark max diff %.3f px%n", refFaces, ious.size(), strict, mean, min, worstLandmark);
        assertThat(problems).isEmpty();
        assertThat(ious).hasSize(refFaces);
        assertThat(refFaces).isEqualTo(ref.get("summary").get("totalFaces").asInt());
        assertThat(mean).isGreaterThanOrEqualTo(0.99);
        assertThat(strict).as("faces matched at IoU >= 0.95").isEqualTo(refFaces);
        assertThat(min).isGreaterThanOrEqualTo(0.95);
        assertThat(worstLandmark).isLessThanOrEqualTo(3.0);
    }

    private static BoundingBox box(JsonNode a) {
        return new BoundingBox(a.get(0).asDouble(), a.get(1).asDouble(), a.get(2).asDouble(), a.get(3).asDouble());
    }
}
