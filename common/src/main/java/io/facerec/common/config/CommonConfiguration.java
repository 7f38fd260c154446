package io.facerec.common.config;

import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.messaging.Topics;
import io.facerec.common.model.ModelStore;
import io.facerec.common.persistence.ClusteringChangeRepository;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.PersonCentroidRepository;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.common.persistence.DatabaseTime;
import io.facerec.common.persistence.PersonRepository;
import io.facerec.common.person.PersonCorrections;
import io.facerec.common.portrait.Portraits;
import io.facerec.common.persistence.PipelineQueries;
import io.facerec.common.error.PermanentProcessingException;
import io.facerec.common.event.ProcessingFailed;
import java.util.Map;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.PropertySource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaTemplate;

/** Beans every worker shares: repositories, model store, image loading, topics, dead letters. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({FacerecProperties.class, OriginProperties.class, RetryProperties.class,
        MediaBudgetProperties.class})
@PropertySource("classpath:io/facerec/common/facerec-common.properties")
@org.springframework.context.annotation.Import(io.facerec.common.ops.OperationsConfiguration.class)
public class CommonConfiguration {

    /** The local time written to the database (the origin's {@code datetime.now()}). */
    @Bean
    DatabaseTime databaseTime(FacerecProperties props) {
        return DatabaseTime.of(props.databaseTimeZone());
    }

    @Bean
    MediaFileRepository mediaFileRepository(JdbcTemplate jdbc, DatabaseTime time) {
        return new MediaFileRepository(jdbc, time);
    }

    @Bean
    MediaItemRepository mediaItemRepository(JdbcTemplate jdbc, DatabaseTime time, RetryProperties retry) {
        return new MediaItemRepository(jdbc, time, retry.policy());
    }

    @Bean
    FaceRepository faceRepository(JdbcTemplate jdbc, DatabaseTime time) {
        return new FaceRepository(jdbc, time);
    }

    @Bean
    PersonRepository personRepository(JdbcTemplate jdbc, DatabaseTime time, OriginProperties origin) {
        return new PersonRepository(jdbc, time, origin.personNames());
    }

    /**
     * The origin's portrait rule and files: {@code Person_<id>_portrait.jpg} in {@code facerec.portraits-dir}; earlier
     * thumbnails looked up by {@code Faces.Name} in the thumbnails directory and the origin's
     * {@code ROOT_PATH/Thumbnails}.
     */
    @Bean
    Portraits portraits(FaceRepository faces, PersonRepository persons, MediaFileRepository files,
            FacerecProperties props, OriginProperties origin) {
        java.util.List<java.nio.file.Path> thumbs = new java.util.ArrayList<>();
        thumbs.add(props.thumbnailsDir());
        if (!origin.rootPath().isBlank()) {
            thumbs.add(java.nio.file.Path.of(origin.rootPath()).resolve("Thumbnails"));
        }
        return new Portraits(faces, persons, files, new Portraits.Locations(
                props.portraitsDir().isBlank() ? null : java.nio.file.Path.of(props.portraitsDir()), thumbs));
    }

    @Bean
    PersonCorrections personCorrections(FaceRepository faces, PersonRepository persons,
            PersonCentroidRepository centroids, ClusteringChangeRepository changes, Portraits portraits) {
        return new PersonCorrections(faces, persons, centroids, changes, portraits);
    }

    @Bean
    PersonCentroidRepository personCentroidRepository(JdbcTemplate jdbc) {
        return new PersonCentroidRepository(jdbc);
    }

    @Bean
    ClusteringChangeRepository clusteringChangeRepository(JdbcTemplate jdbc) {
        return new ClusteringChangeRepository(jdbc);
    }

    @Bean
    PipelineQueries pipelineQueries(JdbcTemplate jdbc) {
        return new PipelineQueries(jdbc);
    }

    @Bean
    ModelStore modelStore(FacerecProperties props) {
        return new ModelStore(props.modelsDir());
    }

    @Bean
    MediaPathResolver mediaPathResolver(FacerecProperties props, OriginProperties origin) {
        return new MediaPathResolver(props.mediaRoot(), origin.dbPrefix());
    }

    @Bean
    ImageLoader imageLoader(FacerecProperties props, MediaBudgetProperties budgets) {
        return new ImageLoader(props.maxImagePixels()).withMaxPixelsPerByte(budgets.maxPixelsPerByte())
                .withVideoBudget(budgets.videoBudget());
    }

    @Bean
    DeadLetterPublisher deadLetterPublisher(KafkaTemplate<String, String> kafka,
            org.springframework.beans.factory.ObjectProvider<io.micrometer.core.instrument.MeterRegistry> meters) {
        return new DeadLetterPublisher(kafka).withMeters(meters.getIfAvailable());
    }

    /**
     * Listener error handling: transient failures (database or broker away) are retried with exponential back-off
     * for up to ten minutes; permanent ones (malformed events, bad input) go to the dead-letter topic at once.
     */
    @Bean
    CommonErrorHandler kafkaErrorHandler(DeadLetterPublisher deadLetters) {
        ExponentialBackOff backOff = new ExponentialBackOff(500, 2.0);
        backOff.setMaxInterval(30_000);
        backOff.setMaxElapsedTime(600_000);
        DefaultErrorHandler handler = new DefaultErrorHandler((record, ex) -> {
            Throwable cause = ex.getCause() != null ? ex.getCause() : ex;
            String kind = cause instanceof PermanentProcessingException p ? p.errorKind() : "RETRIES_EXHAUSTED";
            String stage = Topics.stageOf(record.topic());
            long key = 0;
            try {
                key = record.key() == null ? 0 : Long.parseLong(String.valueOf(record.key()));
            } catch (NumberFormatException ignored) {
                // not an id
            }
            String message = String.valueOf(cause.getMessage());
            String payload = String.valueOf(record.value());
            // faces.embedded is keyed by face id, the other topics by media item id
            deadLetters.publish(Topics.FACES_EMBEDDED.equals(record.topic())
                    ? ProcessingFailed.ofFace(stage, key, kind, message, payload)
                    : ProcessingFailed.of(stage, key, kind, message, payload));
        }, backOff);
        handler.addNotRetryableExceptions(PermanentProcessingException.class);
        return handler;
    }

    @Bean
    NewTopic mediaItemsCapturedTopic(FacerecProperties props) {
        return TopicBuilder.name(Topics.MEDIA_ITEMS_CAPTURED).partitions(props.partitions()).replicas(1).build();
    }

    @Bean
    NewTopic facesDetectedTopic(FacerecProperties props) {
        return TopicBuilder.name(Topics.FACES_DETECTED).partitions(props.partitions()).replicas(1).build();
    }

    @Bean
    NewTopic facesEmbeddedTopic(FacerecProperties props) {
        // Compacted and keyed by face id: the latest embedding of every face stays replayable for a recluster.
        return TopicBuilder.name(Topics.FACES_EMBEDDED).partitions(props.partitions()).replicas(1)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)).build();
    }

    @Bean
    NewTopic deadLettersTopic() {
        return TopicBuilder.name(Topics.DEAD_LETTERS).partitions(1).replicas(1).build();
    }
}
