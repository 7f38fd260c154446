package io.facerec.clusterer;

import io.facerec.clusterer.cluster.ClusterFacesHandler;
import io.facerec.clusterer.cluster.ReclusterHandler;
import io.facerec.clusterer.config.ClustererProperties;
import io.facerec.clusterer.in.FacesEmbeddedListener;
import io.facerec.clusterer.replay.EmbeddingsReplay;
import io.facerec.common.config.CommonConfiguration;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.persistence.ClusteringChangeRepository;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.PersonCentroidRepository;
import io.facerec.common.persistence.PersonRepository;
import io.facerec.common.portrait.Portraits;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.transaction.PlatformTransactionManager;

/** The clusterer worker's beans: the clustering handler and its single batch consumer. */
@Configuration(proxyBeanMethods = false)
@Import(CommonConfiguration.class)
@EnableConfigurationProperties(ClustererProperties.class)
public class ClustererWorkerConfiguration {

    @Bean
    ClustererStage clustererStage(
            FaceRepository faces,
            PersonRepository persons,
            PersonCentroidRepository centroids,
            ClusteringChangeRepository changes,
            ClustererProperties props,
            PlatformTransactionManager txm,
            ObjectProvider<MeterRegistry> meters) {
        return new ClustererStage(faces, persons, centroids, changes, props, txm, meters.getIfAvailable());
    }

    @Bean(destroyMethod = "close")
    ClusterFacesHandler clusterFacesHandler(ClustererStage stage, Portraits portraits) {
        return stage.clusterer(portraits);
    }

    @Bean
    ReclusterHandler reclusterHandler(ClustererStage stage, Portraits portraits) {
        return stage.reclusterer(portraits);
    }

    @Bean
    EmbeddingsReplay embeddingsReplay(KafkaProperties kafka) {
        return new EmbeddingsReplay(kafka.buildConsumerProperties(), Duration.ofMinutes(10));
    }

    @Bean
    ConcurrentKafkaListenerContainerFactory<String, String> clustererBatchFactory(
            KafkaProperties kafka, ClustererProperties props, CommonErrorHandler errorHandler) {
        Map<String, Object> config = new HashMap<>(kafka.buildConsumerProperties());
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, props.maxBatch());
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 300);
        ConcurrentKafkaListenerContainerFactory<String, String> f = new ConcurrentKafkaListenerContainerFactory<>();
        f.setConsumerFactory(new DefaultKafkaConsumerFactory<>(config));
        f.setBatchListener(true);
        f.setConcurrency(1);
        f.setCommonErrorHandler(errorHandler);
        f.setAutoStartup(kafka.getListener().isAutoStartup());
        return f;
    }

    @Bean
    FacesEmbeddedListener facesEmbeddedListener(
            ClusterFacesHandler handler, FaceRepository faces, DeadLetterPublisher deadLetters) {
        return new FacesEmbeddedListener(handler, faces, deadLetters);
    }
}
