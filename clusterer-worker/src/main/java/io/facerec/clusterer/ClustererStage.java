package io.facerec.clusterer;

import io.facerec.clusterer.cluster.ClusterFacesHandler;
import io.facerec.clusterer.cluster.ReclusterHandler;
import io.facerec.clusterer.config.ClustererProperties;
import io.facerec.clusterer.index.BlasThreads;
import io.facerec.common.persistence.ClusteringChangeRepository;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.PersonCentroidRepository;
import io.facerec.common.persistence.PersonRepository;
import io.facerec.common.portrait.Portraits;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The clusterer stage's composition root: its handlers built from the repositories and the typed settings, for the
 * worker's Spring configuration and the command line's database modes (whose dry runs use their own handlers, with
 * portraits that write no files). Building it sets the process's OpenBLAS thread count ({@link BlasThreads}).
 */
public final class ClustererStage {
    private final FaceRepository faces;
    private final PersonRepository persons;
    private final PersonCentroidRepository centroids;
    private final ClusteringChangeRepository changes;
    private final ClustererProperties props;
    private final PlatformTransactionManager txm;
    private final MeterRegistry meters;

    public ClustererStage(
            FaceRepository faces,
            PersonRepository persons,
            PersonCentroidRepository centroids,
            ClusteringChangeRepository changes,
            ClustererProperties props,
            PlatformTransactionManager txm,
            MeterRegistry meters) {
        this.faces = faces;
        this.persons = persons;
        this.centroids = centroids;
        this.changes = changes;
        this.props = props;
        this.txm = txm;
        this.meters = meters;
        BlasThreads.use(props.blasThreads()); // once, before any of the stage's handlers runs: see BlasThreads
    }

    /** The streaming clusterer (its in-memory index is its own: close it). */
    public ClusterFacesHandler clusterer(Portraits portraits) {
        return new ClusterFacesHandler(
                faces,
                persons,
                centroids,
                changes,
                portraits,
                props,
                new TransactionTemplate(txm),
                Clock.systemUTC(),
                meters);
    }

    /** The recluster of all embeddings of a model. */
    public ReclusterHandler reclusterer(Portraits portraits) {
        return new ReclusterHandler(
                faces, persons, centroids, changes, portraits, props, new TransactionTemplate(txm), Clock.systemUTC());
    }
}
