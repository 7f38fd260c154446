package io.facerec.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.common.testing.SharedData;
import io.facerec.launcher.MediaImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The part of the fault suite CI runs (the whole suite: {@code bench/fault-suite.sh}): 200 media items on the real
 * chain with every worker in its own JVM, the embedder killed with {@code kill -9} mid-batch and restarted, compared with
 * the same batch without a fault; then the hostile inputs.
 */
class FaultSuiteIT {

    @Test
    void killingTheEmbedderMidBatchLosesAndDuplicatesNothing() throws Exception {
        List<Path> photos = MediaImporter.scan(SharedData.require("eval/identity"));
        Path root = Files.createTempDirectory("facerec-faults");
        FaultSuite suite = new FaultSuite(photos.subList(0, 200), root, System.out);
        FaultSuite.Row baseline = suite.run(FaultSuite.Fault.NONE, 200);
        assertThat(baseline.lost()).isZero();
        assertThat(baseline.duplicates()).isZero();
        assertThat(baseline.faces()).isGreaterThanOrEqualTo(200);

        FaultSuite.Row killed = suite.run(FaultSuite.Fault.KILL_EMBEDDER, 200);
        assertThat(killed.notes()).contains("embedder 1"); // it really was killed and restarted
        assertThat(killed.lost()).as("lost").isZero();
        assertThat(killed.duplicates()).as("duplicated").isZero();
        assertThat(killed.faces()).isEqualTo(baseline.faces());
        assertThat(killed.personsEqual())
                .as("same persons as without the fault")
                .isEqualTo("yes");
    }

    @Test
    void hostileInputIsRefusedAndNothingOutsideTheMediaRootIsOpened() throws Exception {
        List<Path> photos = MediaImporter.scan(SharedData.require("eval/identity"));
        FaultSuite suite =
                new FaultSuite(photos.subList(0, 1), Files.createTempDirectory("facerec-hostile"), System.out);
        FaultSuite.Row r = suite.hostile();
        assertThat(r.lost()).as("cases handled wrongly").isZero();
        assertThat(r.notes()).contains("0 wrong").contains("nothing outside the root opened");
        assertThat(r.items()).isGreaterThanOrEqualTo(17);
    }
}
