package io.facerec.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.facerec.clusterer.cluster.IncrementalClustering;
import io.facerec.clusterer.cluster.PersonClustering;
import io.facerec.common.model.ModelStore;
import io.facerec.common.testing.SharedData;
import io.facerec.detector.config.DetectorProperties;
import io.facerec.embedder.config.EmbedderProperties;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateModeTest {

    @Test
    void stageSettingsTakeTheUsersSystemPropertiesUnderTheCommandLinesOptions() {
        System.setProperty("facerec.detector.face-crop-size", "896");
        System.setProperty("facerec.detector.score-threshold", "0.9");
        try {
            DetectorProperties d = EvaluateMode.settings(
                    "facerec.detector", DetectorProperties.class, Map.of("facerec.detector.score-threshold", 0.5));
            assertThat(d.faceCropSize()).isEqualTo(896); // the user's setting
            assertThat(d.scoreThreshold()).isEqualTo(0.5); // the command line's option wins
        } finally {
            System.clearProperty("facerec.detector.face-crop-size");
            System.clearProperty("facerec.detector.score-threshold");
        }
        assertThat(EvaluateMode.settings("facerec.detector", DetectorProperties.class, Map.of())
                        .faceCropSize())
                .isEqualTo(896); // the default
    }

    @Test
    void scoresPairsAndBcubedAsTheReferenceScorerDoes() {
        // truth: a a a b b; predicted: {0,1} together, 2 noise, {3,4} together
        List<String> truth = List.of("a", "a", "a", "b", "b");
        EvaluateMode.Score s = EvaluateMode.score(truth, new int[] {0, 0, -1, 1, 1});
        // true pairs: 3 (a) + 1 (b) = 4; predicted pairs: 1 + 1 = 2, both correct
        assertThat(s.precision()).isEqualTo(1.0);
        assertThat(s.recall()).isEqualTo(0.5);
        assertThat(s.f1()).isCloseTo(2 / 3.0, within(1e-9));
        assertThat(s.noise()).isEqualTo(1);
        assertThat(s.clusters()).isEqualTo(2);
        // BCubed: precision 1 for all; recall a: 2/3, 2/3, 1/3; b: 1, 1 -> 11/15
        double r = (2 / 3.0 + 2 / 3.0 + 1 / 3.0 + 1 + 1) / 5;
        assertThat(s.bcubedF1()).isCloseTo(2 * r / (1 + r), within(1e-9));
        // everything in one cluster: recall 1, precision 4/10
        assertThat(EvaluateMode.score(truth, new int[] {0, 0, 0, 0, 0}).precision())
                .isCloseTo(0.4, within(1e-9));
    }

    /** The full detection, embedding and clustering path on three people: they come out as three persons. */
    @Test
    void evaluatesAFolderOfPeopleEndToEnd(@TempDir Path tmp) throws Exception {
        SharedData.copyIdentityPhotos(tmp, List.of("Al_Gore", "Adrien_Brody", "Ai_Sugiyama"), 4);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Path labels = tmp.resolve("labels.txt");
        var settings = new PersonClustering.Settings(PersonClustering.Algorithm.AVERAGE_LINKAGE, 0.45, 0.60, 2);
        var detector = EvaluateMode.settings(
                "facerec.detector", DetectorProperties.class, Map.of("facerec.detector.workers", 2));
        var embedder = EvaluateMode.settings("facerec.embedder", EmbedderProperties.class, Map.of());
        assertThat(detector.scoreThreshold()).as("the worker's defaults").isEqualTo(0.9);
        assertThat(detector.closeUpRetry()).isTrue();
        int rc = new EvaluateMode(ModelStore.fromEnvironment(), detector, embedder)
                .run(
                        tmp,
                        settings,
                        new IncrementalClustering.Settings(0.45, 0.40, 2, 0.35, 8),
                        labels,
                        null,
                        false,
                        0,
                        null,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        System.err);
        assertThat(rc).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text)
                .contains("persons 3 (true 3)")
                .contains("pairF1 1.0000")
                .contains("noise 0 (0.0%)");
        List<String> predicted = Files.readAllLines(labels);
        assertThat(predicted).hasSize(12).doesNotContain("-1");
        assertThat(predicted.subList(0, 4)).containsOnly(predicted.get(0));
    }
}
