package io.facerec.clusterer;

import io.facerec.common.config.OriginEnvironment;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;

/** The clusterer worker as its own process: run exactly one. */
@SpringBootApplication(scanBasePackages = "io.facerec.clusterer.none")
@Import(ClustererWorkerConfiguration.class)
public class ClustererApplication {
    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(ClustererApplication.class);
        app.setDefaultProperties(OriginEnvironment.defaults());
        app.run(args);
    }
}
