package io.facerec.launcher;

import io.facerec.clusterer.ClustererWorkerConfiguration;
import io.facerec.detector.DetectorWorkerConfiguration;
import io.facerec.embedder.EmbedderWorkerConfiguration;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;

/** All three workers and the capture engine in one Spring context: the zero-setup mode. */
@SpringBootApplication(scanBasePackages = "io.facerec.launcher.app")
@Import({DetectorWorkerConfiguration.class, EmbedderWorkerConfiguration.class, ClustererWorkerConfiguration.class})
public class FacerecApplication {
}
