package io.facerec.clusterer.config;

import io.facerec.clusterer.cluster.PersonClustering;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Clusterer settings ({@code facerec.clusterer.*}). Thresholds are per embedding model: a face is compared only with
 * faces embedded by the same model, with that model's thresholds.
 *
 * @param models thresholds per model id; {@code fr_feature} is calibrated (see README, "Thresholds")
 * @param algorithm how unassigned faces are grouped: AVERAGE_LINKAGE (measured best), DBSCAN (cosine, the origin's
 *     recluster mode) or UMAP_DBSCAN (the origin's default mode)
 * @param umapEps DBSCAN radius in the 2-d UMAP embedding when {@code algorithm} is UMAP_DBSCAN (the embedding's scale
 *     does not depend on the face model, so one value serves all models; the models' {@code eps} are cosine radii)
 * @param maxBatch most embeddings handled in one clustering run
 * @param neighbours most neighbours of a new face looked at in the unassigned pool
 * @param probes cells an index search scores (the unassigned pool's and the persons' inverted-file indexes)
 * @param blasThreads OpenBLAS threads of the whole process, set once when the clusterer is built: 1 for a streaming
 *     clusterer (a batch is many small products, and idle OpenBLAS threads spin on cores the database needs); 0 =
 *     OpenBLAS's own (every core), what the database modes use for their recluster
 */
@Validated
@ConfigurationProperties("facerec.clusterer")
public record ClustererProperties(
        @DefaultValue Map<String, ModelThresholds> models,

        @NotNull @DefaultValue("AVERAGE_LINKAGE") PersonClustering.Algorithm algorithm,

        @DecimalMin(value = "0", inclusive = false) @DefaultValue(UMAP_EPS_TEXT)
        double umapEps,

        @Min(1) @DefaultValue("500") int maxBatch,
        @Min(1) @DefaultValue("8") int neighbours,
        @Min(1) @DefaultValue("16") int probes,
        @Min(0) @DefaultValue("1") int blasThreads) {

    /**
     * Default {@code umapEps}, the best of {@code facerec --evaluate --sweep} on the shared identity set (pairwise F1
     * 0.9594 with the fixed seed 0); over seeds 0-9 it scores 0.946-0.959, the steadiest of the grid (see README,
     * "Clustering and thresholds").
     */
    public static final String UMAP_EPS_TEXT = "0.20";

    public static final double UMAP_EPS = Double.parseDouble(UMAP_EPS_TEXT);

    /**
     * The grouping radius for a run with this configuration's algorithm.
     *
     * @param batch true when everything is grouped at once (recluster, evaluate)
     */
    public double eps(ModelThresholds t, boolean batch) {
        if (algorithm == PersonClustering.Algorithm.UMAP_DBSCAN) {
            return umapEps;
        }
        return batch ? t.batchEps() : t.eps();
    }

    /**
     * @param matchThreshold average linkage (the mean cosine similarity of a face to every face of a person) at which
     *     a face joins a large person
     * @param eps grouping radius in cosine distance ({@code 1 - cos}): the streaming clusterer groups unassigned faces
     *     by average linkage cut at {@code 1 - eps}; DBSCAN's neighbourhood radius
     * @param minSamples smallest new person; DBSCAN's core size, the point itself included (origin: 3)
     * @param reclusterEps the radius when everything is grouped at once (recluster, evaluate); 0 = same as {@code eps}
     * @param singleFaceThreshold average linkage a face needs to join a person of one face; the threshold falls from
     *     it towards {@code matchThreshold} as {@code 1/sqrt(faces)}: a person's mean is noisy while it is small, and
     *     early wrong joins are what lets persons drift into each other; 0 = {@code matchThreshold} for every size
     */
    public record ModelThresholds(
            @DecimalMin("-1") @DecimalMax("1") double matchThreshold,
            @DecimalMin("0") @DecimalMax("2") double eps,
            @Min(1) int minSamples,

            @DecimalMin("0") @DecimalMax("2") @DefaultValue("0")
            double reclusterEps,

            @DecimalMin("0") @DecimalMax("1") @DefaultValue("0")
            double singleFaceThreshold) {

        /** The constructor configuration binds to (the record has two). */
        @ConstructorBinding
        public ModelThresholds {}

        public ModelThresholds(double matchThreshold, double eps, int minSamples) {
            this(matchThreshold, eps, minSamples, 0, 0);
        }

        /** The radius for a run that groups all faces at once. */
        public double batchEps() {
            return reclusterEps > 0 ? reclusterEps : eps;
        }
    }

    /** Calibrated defaults for the bundled model; the origin's FaceNet values for anything else. */
    public ModelThresholds thresholds(String modelId) {
        if (models != null && models.containsKey(modelId)) {
            return models.get(modelId);
        }
        if (modelId.equals("fr_feature")) {
            return FR_FEATURE;
        }
        return ORIGIN_FACENET;
    }

    /**
     * Chosen so that quality stays flat as the number of people grows (README, "Clustering and thresholds"): a face
     * joins a person at average linkage 0.35 (0.38 for a one-face person, falling as 1/sqrt(faces)); unassigned faces
     * group by average linkage cut at similarity 0.38 (eps 0.62) in the stream, 0.35 (eps 0.65) when everything is
     * grouped at once.
     */
    public static final ModelThresholds FR_FEATURE = new ModelThresholds(0.35, 0.62, 2, 0.65, 0.38);

    public static final ModelThresholds ORIGIN_FACENET = new ModelThresholds(0.8, 0.35, 3);
}
