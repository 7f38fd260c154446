package io.facerec.clusterer.config;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
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
 * @param indexDir {@code HNSW} only: where the Lucene index (one per model) is persisted; unset keeps it in memory and
 *     builds it from the database at start (minutes per 100k assigned faces on two cores; persisted, a restart only
 *     reconciles what changed)
 * @param indexType the nearest-face index: HNSW (Lucene, persisted in {@code indexDir}) or IVF (in memory, rebuilt from
 *     the database at start; faster lookups at a million faces, see README "Results")
 * @param ivfProbes cells an IVF lookup searches
 */
@Validated
@ConfigurationProperties("facerec.clusterer")
public record ClustererProperties(
        @DefaultValue Map<String, ModelThresholds> models,
        @jakarta.validation.constraints.NotNull @DefaultValue("AVERAGE_LINKAGE") io.facerec.clusterer.cluster.PersonClustering.Algorithm algorithm,
        @DecimalMin(value = "0", inclusive = false) @DefaultValue(UMAP_EPS_TEXT) double umapEps,
        @Min(1) @DefaultValue("500") int maxBatch,
        java.nio.file.Path indexDir,
        @jakarta.validation.constraints.NotNull @DefaultValue("IVF") IndexType indexType,
        @Min(1) @DefaultValue("16") int ivfProbes) {

    /** The nearest-face index kinds. */
    public enum IndexType {
        HNSW, IVF
    }

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
        if (algorithm == io.facerec.clusterer.cluster.PersonClustering.Algorithm.UMAP_DBSCAN) {
            return umapEps;
        }
        return batch ? t.batchEps() : t.eps();
    }

    /**
     * @param matchThreshold cosine similarity to a person's nearest face at which a new face joins that person
     * @param eps DBSCAN neighbourhood radius in cosine distance ({@code 1 - cos})
     * @param minSamples DBSCAN core size, the point itself included (origin: 3)
     * @param reclusterEps the radius when everything is grouped at once (recluster, evaluate): with all faces in one
     *     run the average over a person's many faces is steadier than over the few a streaming batch sees, so a wider
     *     cut is safe there; 0 = same as {@code eps}
     */
    public record ModelThresholds(
            @DecimalMin("-1") @DecimalMax("1") double matchThreshold,
            @DecimalMin("0") @DecimalMax("2") double eps,
            @Min(1) int minSamples,
            @DecimalMin("0") @DecimalMax("2") @DefaultValue("0") double reclusterEps) {

        /** The constructor configuration binds to (the record has two). */
        @org.springframework.boot.context.properties.bind.ConstructorBinding
        public ModelThresholds {
        }

        public ModelThresholds(double matchThreshold, double eps, int minSamples) {
            this(matchThreshold, eps, minSamples, 0);
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
     * Calibrated on the shared identity set (1,073 faces, 122 people) with {@code facerec --evaluate --sweep}: match at
     * cosine 0.45 (between the FAR 1e-4 and 1e-5 points of the verification curve, 0.41 and 0.47, since a face is
     * compared with every face of a person); group with average linkage cut at similarity 0.40 (eps 0.60) in the
     * stream, 0.32 (eps 0.68) when everything is grouped at once.
     */
    public static final ModelThresholds FR_FEATURE = new ModelThresholds(0.45, 0.60, 2, 0.68);
    public static final ModelThresholds ORIGIN_FACENET = new ModelThresholds(0.8, 0.35, 3);
}
