package io.facerec.common.ops;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.facerec.common.inference.OnnxSessions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the ONNX sessions this process holds ({@code models}): each session is asked for its inputs (ONNX
 * Runtime's own metadata call); a session that cannot answer makes the component DOWN. A process without a model (the
 * gallery) is UP with no sessions.
 */
public class ModelsHealthIndicator implements HealthIndicator {

    @Override
    public Health health() {
        Health.Builder h = Health.up();
        Map<String, Object> sessions = new LinkedHashMap<>();
        for (Map.Entry<OrtSession, OnnxSessions.OpenSession> e : OnnxSessions.open()) {
            OnnxSessions.OpenSession s = e.getValue();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("sha256", s.sha256());
            d.put("provider", s.provider());
            try {
                d.put("inputs", e.getKey().getInputInfo().keySet());
                d.put("status", "UP");
            } catch (OrtException | IllegalStateException ex) {
                d.put("status", "DOWN");
                d.put("error", ex.getMessage());
                h.down();
            }
            sessions.put(s.model().getFileName().toString(), d);
        }
        return h.withDetail("sessions", sessions).build();
    }
}
