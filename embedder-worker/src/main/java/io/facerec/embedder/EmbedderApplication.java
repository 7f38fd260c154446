package io.facerec.embedder;

import io.facerec.common.config.OriginEnvironment;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;

/** The embedder worker as its own process. */
@SpringBootApplication(scanBasePackages = "io.facerec.embedder.none")
@Import(EmbedderWorkerConfiguration.class)
public class EmbedderApplication {
    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(EmbedderApplication.class);
        app.setDefaultProperties(OriginEnvironment.defaults());
        app.run(args);
    }
}
