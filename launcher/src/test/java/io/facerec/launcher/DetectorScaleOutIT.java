package io.facerec.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.common.model.ModelStore;
import io.facerec.common.testing.SharedData;
import io.facerec.detector.DetectorApplication;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Scale-out by consumer group: a second detector instance (its own Spring context, as a second replica would be)
 * joins the embedded pipeline's detector in the {@code facerec-detector} group. The captured items are split between
 * the two, each item is detected exactly once, and no face row is duplicated.
 */
class DetectorScaleOutIT {

    @Test
    void twoDetectorsSplitTheWorkWithoutDuplicates() throws Exception {
        Path tmp = Files.createTempDirectory("facerec-scaleout");
        Path media = tmp.resolve("media");
        int copied = SharedData.copyIdentityPhotos(
                media, List.of("Al_Gore", "Adrien_Brody", "Abdullah_Gul", "Ai_Sugiyama", "Alejandro_Toledo"), 6);
        try (EmbeddedPipeline a = EmbeddedPipeline.start(
                tmp.resolve("data"),
                media,
                Map.of(
                        "facerec.thumbnails-dir",
                        tmp.resolve("thumbs").toString(),
                        "facerec.capture.drop-slot-on-stop",
                        "true"),
                s -> {})) {
            ConfigurableApplicationContext b = new SpringApplicationBuilder(DetectorApplication.class)
                    .web(WebApplicationType.NONE)
                    .logStartupInfo(false)
                    .run(
                            "--spring.datasource.url=" + a.jdbcUrl(),
                            "--spring.datasource.username=" + a.jdbcUser(),
                            "--spring.datasource.password=" + a.jdbcPassword(),
                            "--spring.kafka.bootstrap-servers=" + a.bootstrapServers(),
                            "--facerec.capture.enabled=false",
                            "--facerec.media-root=" + media,
                            "--facerec.thumbnails-dir=" + tmp.resolve("thumbs"),
                            "--facerec.models-dir="
                                    + ModelStore.fromEnvironment().dir());
            try {
                Thread.sleep(5000); // let the group rebalance onto both members before the rows arrive
                ZeroSetupRun run = new ZeroSetupRun(a, System.out, System.err);
                int items = run.importImages(media);
                assertThat(items).isEqualTo(copied);
                assertThat(run.awaitCompletion(Duration.ofMinutes(4), false)).isTrue();

                double byA = detected(a.bean(MeterRegistry.class));
                double byB = detected(b.getBean(MeterRegistry.class));
                System.out.printf("scale-out: detector A %.0f items, detector B %.0f items%n", byA, byB);
                assertThat(byA + byB).as("each item detected exactly once").isEqualTo(items);
                assertThat(byA).as("first instance worked").isPositive();
                assertThat(byB).as("second instance worked").isPositive();

                JdbcTemplate jdbc = a.bean(JdbcTemplate.class);
                assertThat(jdbc.queryForObject(
                                "SELECT COUNT(*) FROM (SELECT \"MediaItemId\", \"FrameNumber\", \"FaceIndex\" "
                                        + "FROM \"Faces\" GROUP BY 1, 2, 3 HAVING COUNT(*) > 1) d",
                                Long.class))
                        .isZero();
                assertThat(jdbc.queryForObject(
                                "SELECT COUNT(*) FROM \"MediaItems\" WHERE \"IsFacesExtracted\" = TRUE", Long.class))
                        .isEqualTo(items);
                assertThat(jdbc.queryForObject(
                                "SELECT COUNT(DISTINCT \"PersonId\") FROM \"Faces\" WHERE \"FaceIndex\" = 0",
                                Long.class))
                        .isEqualTo(5);
            } finally {
                b.close();
            }
        }
    }

    private static double detected(MeterRegistry registry) {
        var c = registry.find("facerec.detector.items")
                .tag("outcome", "detected")
                .counter();
        return c == null ? 0 : c.count();
    }
}
