package io.facerec.embedder;

import io.facerec.common.config.CommonConfiguration;
import io.facerec.common.config.FacerecProperties;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.messaging.EventPublisher;
import io.facerec.common.model.ModelStore;
import io.facerec.common.persistence.PipelineStore;
import io.facerec.embedder.config.EmbedderProperties;
import io.facerec.embedder.embed.EmbedFacesHandler;
import io.facerec.embedder.embed.EmbeddingModelSpec;
import io.facerec.embedder.in.FacesDetectedListener;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The embedder worker's beans: the stage ({@link EmbedderStage}: model, workers, aligner), its handler and listener. */
@Configuration(proxyBeanMethods = false)
@Import(CommonConfiguration.class)
@EnableConfigurationProperties(EmbedderProperties.class)
public class EmbedderWorkerConfiguration {

    @Bean(destroyMethod = "close")
    EmbedderStage embedderStage(
            EmbedderProperties props,
            ModelStore models,
            MediaPathResolver paths,
            ImageLoader loader,
            ObjectProvider<MeterRegistry> meters) {
        return new EmbedderStage(props, models, paths, loader, meters.getIfAvailable());
    }

    /** The model contract in use (the embeddings' model id), for the clusterer and the command line. */
    @Bean
    EmbeddingModelSpec embeddingModelSpec(EmbedderStage stage) {
        return stage.spec();
    }

    @Bean
    EmbedFacesHandler embedFacesHandler(
            EmbedderStage stage,
            PipelineStore store,
            FacerecProperties common,
            EventPublisher events,
            DeadLetterPublisher deadLetters) {
        return stage.handler(store, common.faceCropsDir(), events, deadLetters);
    }

    @Bean
    FacesDetectedListener facesDetectedListener(
            EmbedFacesHandler handler, DeadLetterPublisher deadLetters, ObjectProvider<MeterRegistry> meters) {
        return new FacesDetectedListener(handler, deadLetters, meters.getIfAvailable());
    }
}
