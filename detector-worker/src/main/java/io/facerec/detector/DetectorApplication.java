package io.facerec.detector;

import io.facerec.common.config.OriginEnvironment;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;

/** The detector worker as its own process (scaled out by running more replicas in one consumer group). */
@SpringBootApplication(scanBasePackages = "io.facerec.detector.none")
@Import(DetectorWorkerConfiguration.class)
public class DetectorApplication {
    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(DetectorApplication.class);
        app.setDefaultProperties(OriginEnvironment.defaults());
        app.run(args);
    }
}
