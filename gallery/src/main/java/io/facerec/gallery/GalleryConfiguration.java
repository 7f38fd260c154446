package io.facerec.gallery;

import io.facerec.common.config.CommonConfiguration;
import io.facerec.common.config.FacerecProperties;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.image.VideoFrameStore;
import io.facerec.common.persistence.ClusteringChangeRepository;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.common.persistence.PersonCentroidRepository;
import io.facerec.common.persistence.PersonRepository;
import io.facerec.common.person.PersonCorrections;
import io.facerec.gallery.security.GallerySecurityConfiguration;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The gallery's beans: its service, REST controller and security (the pages are static resources under {@code static/}).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GalleryLimits.class)
@Import({CommonConfiguration.class, GalleryController.class, GallerySecurityConfiguration.class})
public class GalleryConfiguration {

    @Bean
    GalleryFiles galleryFiles(FacerecProperties props) {
        return new GalleryFiles(
                props.thumbnailsDir(), new VideoFrameStore(props.thumbnailsDir(), props.filePermissions()));
    }

    @Bean
    GalleryService galleryService(
            PersonRepository persons,
            FaceRepository faces,
            MediaItemRepository items,
            MediaFileRepository files,
            MediaPathResolver paths,
            PersonCorrections corrections,
            PersonCentroidRepository centroids,
            ClusteringChangeRepository changes,
            PlatformTransactionManager txm,
            GalleryFiles served) {
        return new GalleryService(
                persons,
                faces,
                items,
                files,
                paths,
                corrections,
                centroids,
                changes,
                new TransactionTemplate(txm),
                Clock.systemUTC(),
                served);
    }
}
