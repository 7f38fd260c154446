package io.facerec.common.config;

import io.facerec.common.error.PermanentProcessingException;
import io.facerec.common.event.ProcessingFailed;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.messaging.EventPublisher;
import io.facerec.common.messaging.Topics;
import io.facerec.common.model.ModelStore;
import io.facerec.common.ops.OperationsConfiguration;
import io.facerec.common.persistence.ClusteringChangeRepository;
import io.facerec.common.persistence.DatabaseTime;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.common.persistence.PersonCentroidRepository;
import io.facerec.common.persistence.PersonRepository;
import io.facerec.common.persistence.PipelineQueries;
import io.facerec.common.persistence.PipelineStore;
import io.facerec.common.person.PersonCorrections;
import io.facerec.common.portrait.Portraits;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.PropertySource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.backoff.ExponentialBackOff;

/** Beans every worker shares: repositories, model store, image loading, topics, dead letters. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({
    FacerecProperties.class,
    OriginProperties.class,
    RetryProperties.class,
    MediaBudgetProperties.class
})
@PropertySource("classpath:io/facerec/common/facerec-common.properties")
@Import(OperationsConfiguration.class)
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
    Portraits portraits(
            FaceRepository faces,
            PersonRepository persons,
            MediaFileRepository files,
            FacerecProperties props,
            OriginProperties origin) {
        List<Path> thumbs = new ArrayList<>();
        thumbs.add(props.thumbnailsDir());
        if (!origin.rootPath().isBlank()) {
            thumbs.add(Path.of(origin.rootPath()).resolve("Thumbnails"));
        }
        return new Portraits(
                faces,
                persons,
                files,
                new Portraits.Locations(props.portraitsDir().isBlank() ? null : Path.of(props.portraitsDir()), thumbs));
    }

    @Bean
    PersonCorrections personCorrections(
            FaceRepository faces,
            PersonRepository persons,
            PersonCentroidRepository centroids,
            ClusteringChangeRepository changes,
            Portraits portraits) {
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
    PipelineStore pipelineStore(
            MediaItemRepository items,
            MediaFileRepository files,
            FaceRepository faces,
            PlatformTransactionManager txm) {
        return new PipelineStore(items, files, faces, new TransactionTemplate(txm), Clock.systemUTC());
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
        return new ImageLoader(props.maxImagePixels())
                .withMaxPixelsPerByte(budgets.maxPixelsPerByte())
                .withVideoBudget(budgets.videoBudget());
    }

    /** The one way events reach the broker; a publish waits at most a minute for the acknowledgements. */
    @Bean
    EventPublisher eventPublisher(KafkaTemplate<String, String> kafka) {
        return new EventPublisher(kafka, Duration.ofSeconds(60));
    }

    @Bean
    DeadLetterPublisher deadLetterPublisher(EventPublisher events, ObjectProvider<MeterRegistry> meters) {
        return new DeadLetterPublisher(events, meters.getIfAvailable());
    }

    /**
     * The detector's and the embedder's listener containers: batch listeners (each {@code @KafkaListener} sets its own
     * {@code max.poll.records} and {@code fetch.max.wait.ms}); offsets are committed after the listener returned, that
     * is after the batch's rows were written and its events acknowledged. A record the listener names in a
     * {@code BatchListenerFailedException} is retried from there (see {@link #kafkaErrorHandler}).
     */
    @Bean
    @SuppressWarnings("unchecked")
    ConcurrentKafkaListenerContainerFactory<String, String> stageBatchFactory(
            KafkaProperties kafka, ConsumerFactory<?, ?> consumers, CommonErrorHandler errorHandler) {
        ConcurrentKafkaListenerContainerFactory<String, String> f = new ConcurrentKafkaListenerContainerFactory<>();
        // Boot's consumer factory: its customizers bind the consumers' metrics (lag, fetch rate) to Micrometer
        f.setConsumerFactory((ConsumerFactory<String, String>) consumers);
        f.setBatchListener(true);
        f.getContainerProperties().setAckMode(ContainerProperties.AckMode.BATCH);
        f.setCommonErrorHandler(errorHandler);
        f.setAutoStartup(kafka.getListener().isAutoStartup());
        return f;
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
        DefaultErrorHandler handler = new DefaultErrorHandler(
                (record, ex) -> {
                    Throwable cause = ex.getCause() != null ? ex.getCause() : ex;
                    String kind = cause instanceof PermanentProcessingException p ? p.errorKind() : "RETRIES_EXHAUSTED";
                    deadLetters.publish(ProcessingFailed.forRecord(
                            record.topic(),
                            Topics.stageOf(record.topic()),
                            record.key() == null ? null : String.valueOf(record.key()),
                            kind,
                            String.valueOf(cause.getMessage()),
                            String.valueOf(record.value())));
                },
                backOff);
        handler.addNotRetryableExceptions(PermanentProcessingException.class);
        return handler;
    }

    @Bean
    NewTopic mediaItemsCapturedTopic(FacerecProperties props) {
        return TopicBuilder.name(Topics.MEDIA_ITEMS_CAPTURED)
                .partitions(props.partitions())
                .replicas(1)
                .build();
    }

    @Bean
    NewTopic facesDetectedTopic(FacerecProperties props) {
        return TopicBuilder.name(Topics.FACES_DETECTED)
                .partitions(props.partitions())
                .replicas(1)
                .build();
    }

    @Bean
    NewTopic facesEmbeddedTopic(FacerecProperties props) {
        // Compacted and keyed by face id: the latest embedding of every face stays replayable for a recluster.
        return TopicBuilder.name(Topics.FACES_EMBEDDED)
                .partitions(props.partitions())
                .replicas(1)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))
                .build();
    }

    @Bean
    NewTopic deadLettersTopic() {
        return TopicBuilder.name(Topics.DEAD_LETTERS).partitions(1).replicas(1).build();
    }
}
