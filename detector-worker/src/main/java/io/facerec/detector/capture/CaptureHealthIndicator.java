package io.facerec.detector.capture;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of change data capture ({@code capture}): UP while the Debezium engine runs (or stands by while another
 * instance holds the capture lock), DOWN when it stopped with an error (it is restarted from its committed offsets after
 * a back-off) or has not started. Details: the engine's state, media items published, restarts, the last error, and
 * Debezium's streaming metrics: connected, the lag to the database ({@code MilliSecondsBehindSource}: from a change's
 * commit in the database to its capture), time since the last change. A process with capture disabled is UP.
 * The same figures as meters: {@code facerec.capture.running} (1 or 0), {@code facerec.capture.lag} (seconds behind
 * the database), {@code facerec.capture.published}.
 */
public class CaptureHealthIndicator implements HealthIndicator {
    private final MediaItemCapture capture;

    /** @param capture this process's capture, or null when capture is disabled here */
    public CaptureHealthIndicator(MediaItemCapture capture) {
        this.capture = capture;
    }

    @Override
    public Health health() {
        if (capture == null) {
            return Health.up().withDetail("enabled", false).build();
        }
        MediaItemCapture.State s = capture.state();
        Health.Builder h = switch (s) {
            case RUNNING, STANDBY -> Health.up();
            default -> Health.down();
        };
        h.withDetail("state", s.name())
                .withDetail("published", capture.published())
                .withDetail("restarts", capture.restarts());
        if (capture.lastPublishedAt() != null) {
            h.withDetail("lastPublishedAt", capture.lastPublishedAt().toString());
        }
        if (capture.lastFailure() != null) {
            h.withDetail("lastError", String.valueOf(capture.lastFailure().getMessage()));
        }
        Map<String, Object> streaming = capture.streamingMetrics();
        if (!streaming.isEmpty()) {
            h.withDetail("streaming", streaming);
        }
        return h.build();
    }

    /** Registers the capture's meters. */
    public static void bindMeters(MediaItemCapture capture, MeterRegistry meters) {
        Gauge.builder(
                        "facerec.capture.running",
                        capture,
                        c -> c.state() == MediaItemCapture.State.RUNNING || c.state() == MediaItemCapture.State.STANDBY
                                ? 1
                                : 0)
                .description("1 while change data capture runs (or stands by), 0 when it is down")
                .register(meters);
        TimeGauge.builder("facerec.capture.lag", capture, TimeUnit.MILLISECONDS, c -> {
                    Object v = c.streamingMetrics().get("MilliSecondsBehindSource");
                    return v instanceof Number n && n.longValue() >= 0 ? n.doubleValue() : 0;
                })
                .description("the lag of capture to the database (Debezium's MilliSecondsBehindSource)")
                .register(meters);
        FunctionCounter.builder("facerec.capture.published", capture, MediaItemCapture::published)
                .description("media items published to the pipeline by change data capture")
                .register(meters);
    }
}
