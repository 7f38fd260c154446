package io.facerec.detector;

import io.facerec.common.config.CommonConfiguration;
import io.facerec.common.config.FacerecProperties;
import io.facerec.common.event.FacesDetected;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.messaging.EventCodec;
import io.facerec.common.messaging.Topics;
import io.facerec.common.model.ModelFile;
import io.facerec.common.model.ModelStore;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.detector.capture.CaptureHealthIndicator;
import io.facerec.detector.capture.CaptureProperties;
import io.facerec.detector.capture.DebeziumConfig;
import io.facerec.detector.capture.MediaItemCapture;
import io.facerec.detector.config.DetectorProperties;
import io.facerec.detector.detect.DetectFacesHandler;
import io.facerec.detector.detect.DetectionSettings;
import io.facerec.detector.detect.FaceDetector;
import io.facerec.detector.detect.RetinaFaceDetector;
import io.facerec.detector.in.MediaItemCapturedListener;
import io.facerec.detector.thumbnail.ThumbnailWriter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The detector worker's beans: RetinaFace, thumbnails, the handler, its listener, and (optionally) capture. */
@Configuration(proxyBeanMethods = false)
@Import(CommonConfiguration.class)
@EnableConfigurationProperties({DetectorProperties.class, CaptureProperties.class})
public class DetectorWorkerConfiguration {

    @Bean(destroyMethod = "close")
    FaceDetector faceDetector(ModelStore models, DetectorProperties props, ObjectProvider<MeterRegistry> meters) {
        return new RetinaFaceDetector(models.resolve(ModelFile.RETINAFACE_MNET25_V2), props.intraOpThreads(),
                props.useGpu(), meters.getIfAvailable(), props.preprocessing());
    }

    @Bean
    ThumbnailWriter thumbnailWriter(FacerecProperties common, DetectorProperties props) {
        return new ThumbnailWriter(common.thumbnailsDir(), props.thumbnailMargin(), props.thumbnailSize(), props.minFaceSize())
                .withNaming(props.thumbnailNames()).withPermissions(common.filePermissions());
    }

    @Bean
    DetectFacesHandler detectFacesHandler(MediaItemRepository items, MediaFileRepository files, FaceRepository faces,
            MediaPathResolver paths, ImageLoader loader, FaceDetector detector, DetectorProperties props,
            ThumbnailWriter thumbnails, PlatformTransactionManager txm, KafkaTemplate<String, String> kafka,
            DeadLetterPublisher deadLetters, ObjectProvider<MeterRegistry> meters, FacerecProperties common) {
        DetectionSettings settings = new DetectionSettings(props.scoreThreshold(), props.nmsThreshold(), props.minFaceSize(), 0,
                props.closeUpRetry());
        return new DetectFacesHandler(items, files, faces, paths, props.preprocessing().loader(loader), detector, settings, thumbnails,
                new TransactionTemplate(txm), event -> send(kafka, event), deadLetters, Clock.systemUTC())
                .withMeters(meters.getIfAvailable()).withVideo(props.videoSampling())
                .withFaceCrops(props.faceCropWriter(common.faceCropsDir(), common.filePermissions()))
                .withVideoFrames(new io.facerec.common.image.VideoFrameStore(common.thumbnailsDir(), common.filePermissions()));
    }

    private static void send(KafkaTemplate<String, String> kafka, FacesDetected event) {
        try {
            kafka.send(Topics.FACES_DETECTED, Long.toString(event.mediaItemId()), EventCodec.encode(event))
                    .get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new io.facerec.common.error.RetriableProcessingException("cannot publish FacesDetected", e);
        }
    }

    @Bean
    MediaItemCapturedListener mediaItemCapturedListener(DetectFacesHandler handler) {
        return new MediaItemCapturedListener(handler);
    }

    @Bean
    @ConditionalOnProperty(name = "facerec.capture.enabled", havingValue = "true", matchIfMissing = true)
    MediaItemCapture mediaItemCapture(CaptureProperties props, Environment env, KafkaTemplate<String, String> kafka,
            javax.sql.DataSource dataSource, ObjectProvider<MeterRegistry> meters) {
        MediaItemCapture capture = new MediaItemCapture(DebeziumConfig.build(props,
                env.getRequiredProperty("spring.datasource.url"), env.getProperty("spring.datasource.username"),
                env.getProperty("spring.datasource.password")), kafka, new io.facerec.detector.capture.CaptureLock(dataSource));
        meters.ifAvailable(m -> CaptureHealthIndicator.bindMeters(capture, m));
        return capture;
    }

    /** The {@code capture} health component (UP with {@code enabled: false} where capture runs elsewhere). */
    @Bean
    CaptureHealthIndicator captureHealthIndicator(ObjectProvider<MediaItemCapture> capture) {
        return new CaptureHealthIndicator(capture.getIfAvailable());
    }
}
