package io.facerec.launcher;

import io.facerec.clusterer.ClustererWorkerConfiguration;
import io.facerec.detector.DetectorWorkerConfiguration;
import io.facerec.embedder.EmbedderWorkerConfiguration;
import io.facerec.gallery.GalleryConfiguration;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;

/** All three workers, the capture engine and the gallery in one Spring context: the zero-setup mode. */
@SpringBootApplication(scanBasePackages = "io.facerec.launcher.app")
@Import({
    DetectorWorkerConfiguration.class,
    EmbedderWorkerConfiguration.class,
    ClustererWorkerConfiguration.class,
    GalleryConfiguration.class
})
public class FacerecApplication {}
