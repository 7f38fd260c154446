package io.facerec.gallery;

import io.facerec.common.config.OriginEnvironment;
import java.util.HashMap;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;

/** The gallery as its own process, beside the workers (same database; set facerec.media-root and the thumbnails dir). */
@SpringBootApplication(scanBasePackages = "io.facerec.gallery.none")
@Import(GalleryConfiguration.class)
public class GalleryApplication {
    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(GalleryApplication.class);
        var defaults = new HashMap<String, Object>(OriginEnvironment.defaults());
        defaults.put("spring.kafka.admin.auto-create", "false"); // the gallery reads and writes the database only
        app.setDefaultProperties(defaults);
        app.run(args);
    }
}
