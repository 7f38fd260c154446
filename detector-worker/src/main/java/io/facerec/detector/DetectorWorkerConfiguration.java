package io.facerec.detector;

import io.facerec.common.config.CommonConfiguration;
import io.facerec.common.config.FacerecProperties;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.messaging.EventPublisher;
import io.facerec.common.model.ModelStore;
import io.facerec.common.persistence.PipelineStore;
import io.facerec.detector.capture.CaptureHealthIndicator;
import io.facerec.detector.capture.CaptureLock;
import io.facerec.detector.capture.CaptureProperties;
import io.facerec.detector.capture.DebeziumConfig;
import io.facerec.detector.capture.MediaItemCapture;
import io.facerec.detector.config.DetectorProperties;
import io.facerec.detector.detect.DetectFacesHandler;
import io.facerec.detector.in.MediaItemCapturedListener;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * The detector worker's beans: the stage ({@link DetectorStage}: model, workers, thumbnails, crops), its handler and
 * batch listener, and (optionally) capture.
 */
@Configuration(proxyBeanMethods = false)
@Import(CommonConfiguration.class)
@EnableConfigurationProperties({DetectorProperties.class, CaptureProperties.class})
public class DetectorWorkerConfiguration {

    @Bean(destroyMethod = "close")
    DetectorStage detectorStage(
            DetectorProperties props,
            FacerecProperties common,
            ModelStore models,
            ImageLoader loader,
            ObjectProvider<MeterRegistry> meters) {
        return new DetectorStage(props, common, models, loader, meters.getIfAvailable());
    }

    @Bean
    DetectFacesHandler detectFacesHandler(
            DetectorStage stage,
            PipelineStore store,
            MediaPathResolver paths,
            EventPublisher events,
            DeadLetterPublisher deadLetters) {
        return stage.handler(store, paths, DetectorStage.Output.ALL, events, deadLetters);
    }

    @Bean
    MediaItemCapturedListener mediaItemCapturedListener(
            DetectFacesHandler handler, DeadLetterPublisher deadLetters, ObjectProvider<MeterRegistry> meters) {
        return new MediaItemCapturedListener(handler, deadLetters, meters.getIfAvailable());
    }

    @Bean
    @ConditionalOnProperty(name = "facerec.capture.enabled", havingValue = "true", matchIfMissing = true)
    MediaItemCapture mediaItemCapture(
            CaptureProperties props,
            Environment env,
            EventPublisher events,
            DataSource dataSource,
            ObjectProvider<MeterRegistry> meters) {
        MediaItemCapture capture = new MediaItemCapture(
                DebeziumConfig.build(
                        props,
                        env.getRequiredProperty("spring.datasource.url"),
                        env.getProperty("spring.datasource.username"),
                        env.getProperty("spring.datasource.password")),
                events,
                new CaptureLock(dataSource));
        meters.ifAvailable(m -> CaptureHealthIndicator.bindMeters(capture, m));
        return capture;
    }

    /** The {@code capture} health component (UP with {@code enabled: false} where capture runs elsewhere). */
    @Bean
    CaptureHealthIndicator captureHealthIndicator(ObjectProvider<MediaItemCapture> capture) {
        return new CaptureHealthIndicator(capture.getIfAvailable());
    }
}
