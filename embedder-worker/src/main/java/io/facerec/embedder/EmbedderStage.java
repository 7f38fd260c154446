package io.facerec.embedder;

import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.messaging.EventSink;
import io.facerec.common.model.ModelFile;
import io.facerec.common.model.ModelStore;
import io.facerec.common.persistence.PipelineStore;
import io.facerec.common.pipeline.StageWorkers;
import io.facerec.embedder.align.FaceAligner;
import io.facerec.embedder.config.EmbedderProperties;
import io.facerec.embedder.embed.EmbedFacesHandler;
import io.facerec.embedder.embed.EmbeddingModelSpec;
import io.facerec.embedder.embed.FaceEmbedder;
import io.facerec.embedder.embed.FaceEmbedding;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;

/**
 * The embedder stage's composition root: the model session, the stage's worker threads and every part of the stage
 * built from its typed settings, once, for all who run it: the worker's Spring configuration, the command line's
 * database modes and {@code --evaluate}.
 */
public final class EmbedderStage implements AutoCloseable {
    private final EmbedderProperties props;
    private final MediaPathResolver paths;
    private final ImageLoader loader;
    private final FaceEmbedder embedder;
    private final StageWorkers workers;
    private final MeterRegistry meters;

    /** Opens the model (one session, shared by the workers) and starts the worker threads. */
    public EmbedderStage(
            EmbedderProperties props,
            ModelStore models,
            MediaPathResolver paths,
            ImageLoader loader,
            MeterRegistry meters) {
        this.props = props;
        this.paths = paths;
        this.loader = loader;
        this.meters = meters;
        Path model = props.modelPath().isBlank()
                ? models.resolve(ModelFile.FR_FEATURE)
                : models.resolveUserModel(Path.of(props.modelPath()));
        this.embedder = new FaceEmbedder(props.spec(), model, props.intraOpThreads(), props.useGpu());
        this.workers = new StageWorkers("embedder", props.workers());
    }

    public EmbeddingModelSpec spec() {
        return embedder.spec();
    }

    public StageWorkers workers() {
        return workers;
    }

    /** The embedding of one item's faces, reading crops from {@code cropsDir} (null: always the photo). */
    public FaceEmbedding embedding(Path cropsDir) {
        return new FaceEmbedding(
                paths,
                loader,
                new FaceAligner(props.alignment(), props.inputSize()),
                embedder,
                cropsDir,
                props.keepFaceCrops(),
                meters);
    }

    /** The stage's handler, writing rows through {@code store} and handing its events to {@code events}. */
    public EmbedFacesHandler handler(
            PipelineStore store, Path cropsDir, EventSink events, DeadLetterPublisher deadLetters) {
        return new EmbedFacesHandler(store, embedding(cropsDir), workers, events, deadLetters, meters);
    }

    @Override
    public void close() {
        workers.close();
        embedder.close();
    }
}
