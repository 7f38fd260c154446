package io.facerec.common.pipeline;

/**
 * Every meter the pipeline records, declared once: dashboards ({@code deploy/grafana}) and alerts query these names
 * (Prometheus turns dots into underscores and adds {@code _total} / {@code _seconds}).
 */
public final class PipelineMeters {
    /** Counter, tag {@code outcome} (detected, republished, skipped, failed): media items the detector finished. */
    public static final String DETECTOR_ITEMS = "facerec.detector.items";
    /** Counter: faces the detector stored. */
    public static final String DETECTOR_FACES = "facerec.detector.faces";
    /** Timer, tag {@code stage} (decode, preprocess, inference, postprocess, write): the detector's steps. */
    public static final String DETECTOR_STAGE = "facerec.detector.stage";
    /** Timer, tag {@code stage} (decode, align, inference, write): the embedder's steps. */
    public static final String EMBEDDER_STAGE = "facerec.embedder.stage";
    /** Counter, tag {@code source} (crop, photo): where the embedder read each face from. */
    public static final String EMBEDDER_FACES = "facerec.embedder.faces";
    /** Counter, tag {@code result} (matched, new_person, unassigned): faces the clusterer placed. */
    public static final String CLUSTERER_FACES = "facerec.clusterer.faces";
    /** Counter: persons the clusterer created. */
    public static final String CLUSTERER_PERSONS_CREATED = "facerec.clusterer.persons.created";
    /** Counter, tags {@code stage} (detect, embed, cluster) and {@code kind}: permanent failures (dead letters). */
    public static final String ERRORS = "facerec.errors";
    /** Distribution summary, tag {@code stage}: records per batch a stage took from the broker. */
    public static final String BATCH_SIZE = "facerec.batch.size";

    private PipelineMeters() {}
}
