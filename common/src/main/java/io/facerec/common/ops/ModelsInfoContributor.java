package io.facerec.common.ops;

import io.facerec.common.FacerecVersion;
import io.facerec.common.inference.OnnxSessions;
import io.facerec.common.model.ModelFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

/**
 * {@code /actuator/info}: {@code facerec.version} (from the build, as the {@code build} section Spring Boot adds) and
 * {@code facerec.models}: every model this process loaded, with its file, SHA-256, execution provider and, for the
 * models facerec fetches itself, the npm package it came from and whether the file is the pinned one.
 */
public class ModelsInfoContributor implements InfoContributor {

    @Override
    public void contribute(Info.Builder builder) {
        List<Map<String, Object>> models = new ArrayList<>();
        for (var e : OnnxSessions.open()) {
            OnnxSessions.OpenSession s = e.getValue();
            Map<String, Object> m = new LinkedHashMap<>();
            String file = s.model().getFileName().toString();
            m.put("file", file);
            m.put("sha256", s.sha256());
            m.put("provider", s.provider());
            ModelFile.KNOWN.stream()
                    .filter(k -> k.fileName().equals(file))
                    .findFirst()
                    .ifPresent(k -> {
                        m.put("source", "npm " + k.npmPackage());
                        m.put("pinned", k.sha256().equals(s.sha256()));
                    });
            models.add(m);
        }
        Map<String, Object> facerec = new LinkedHashMap<>();
        facerec.put("version", FacerecVersion.get());
        facerec.put("models", models);
        builder.withDetail("facerec", facerec);
    }
}
