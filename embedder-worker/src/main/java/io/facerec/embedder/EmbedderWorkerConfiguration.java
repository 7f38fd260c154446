package io.facerec.embedder;

import io.facerec.common.config.CommonConfiguration;
import io.facerec.common.config.FacerecProperties;
import io.facerec.common.event.FaceEmbedded;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.messaging.EventCodec;
import io.facerec.common.messaging.Topics;
import io.facerec.common.model.ModelFile;
import io.facerec.common.model.ModelStore;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.embedder.align.FaceAligner;
import io.facerec.embedder.config.EmbedderProperties;
import io.facerec.embedder.embed.EmbedFacesHandler;
import io.facerec.embedder.embed.EmbeddingModelSpec;
import io.facerec.embedder.embed.FaceEmbedder;
import io.facerec.embedder.in.FacesDetectedListener;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.core.KafkaTemplate;

/** The embedder worker's beans: aligner, model, handler, listener. */
@Configuration(proxyBeanMethods = false)
@Import(CommonConfiguration.class)
@EnableConfigurationProperties(EmbedderProperties.class)
public class EmbedderWorkerConfiguration {

    @Bean
    EmbeddingModelSpec embeddingModelSpec(EmbedderProperties p) {
        return new EmbeddingModelSpec(p.modelId(), p.inputName(), p.inputSize(), p.mean(), p.std(), p.rgb(),
                p.alignment(), p.dimension());
    }

    @Bean(destroyMethod = "close")
    FaceEmbedder faceEmbedder(EmbeddingModelSpec spec, EmbedderProperties p, ModelStore models) {
        Path model = p.modelPath().isBlank() ? models.resolve(ModelFile.FR_FEATURE)
                : models.resolveUserModel(Path.of(p.modelPath()));
        return new FaceEmbedder(spec, model, p.intraOpThreads(), p.useGpu());
    }

    @Bean
    EmbedFacesHandler embedFacesHandler(FaceRepository faces, MediaItemRepository items, MediaPathResolver paths,
            ImageLoader loader, EmbeddingModelSpec spec, FaceEmbedder embedder, KafkaTemplate<String, String> kafka,
            DeadLetterPublisher deadLetters, ObjectProvider<MeterRegistry> meters, FacerecProperties common,
            EmbedderProperties props) {
        return new EmbedFacesHandler(faces, items, paths, loader, new FaceAligner(spec.alignment(), spec.inputSize()),
                embedder, event -> send(kafka, event), deadLetters, Clock.systemUTC(), meters.getIfAvailable())
                .withFaceCrops(common.faceCropsDir(), props.keepFaceCrops());
    }

    private static void send(KafkaTemplate<String, String> kafka, FaceEmbedded event) {
        try {
            kafka.send(Topics.FACES_EMBEDDED, Long.toString(event.faceId()), EventCodec.encode(event))
                    .get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new io.facerec.common.error.RetriableProcessingException("cannot publish FaceEmbedded", e);
        }
    }

    @Bean
    FacesDetectedListener facesDetectedListener(EmbedFacesHandler handler) {
        return new FacesDetectedListener(handler);
    }
}
