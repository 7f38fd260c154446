package io.facerec.gallery;

import io.facerec.common.config.CommonConfiguration;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.persistence.ClusteringChangeRepository;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.PersonCentroidRepository;
import io.facerec.common.person.PersonCorrections;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.common.persistence.PersonRepository;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The gallery's beans: its service and REST controller (the pages are static resources under {@code static/}). */
@Configuration(proxyBeanMethods = false)
@Import({CommonConfiguration.class, GalleryController.class})
public class GalleryConfiguration {

    @Bean
    GalleryService galleryService(PersonRepository persons, FaceRepository faces, MediaItemRepository items,
            MediaFileRepository files, MediaPathResolver paths, PersonCorrections corrections,
            PersonCentroidRepository centroids, ClusteringChangeRepository changes, PlatformTransactionManager txm) {
        return new GalleryService(persons, faces, items, files, paths, corrections, centroids, changes,
                new TransactionTemplate(txm), Clock.systemUTC());
    }
}
