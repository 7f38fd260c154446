package io.facerec.detector;

import io.facerec.common.config.FacerecProperties;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.image.VideoFrameStore;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.messaging.EventSink;
import io.facerec.common.model.ModelFile;
import io.facerec.common.model.ModelStore;
import io.facerec.common.persistence.PipelineStore;
import io.facerec.common.pipeline.StageWorkers;
import io.facerec.detector.config.DetectorProperties;
import io.facerec.detector.detect.DetectFacesHandler;
import io.facerec.detector.detect.FaceDetector;
import io.facerec.detector.detect.MediaDetection;
import io.facerec.detector.detect.RetinaFaceDetector;
import io.facerec.detector.thumbnail.ThumbnailWriter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;

/**
 * The detector stage's composition root: the model session, the stage's worker threads and every part of the stage
 * built from its typed settings, once, for all who run it: the worker's Spring configuration, the command line's
 * database modes (with or without crops, or as a dry run) and {@code --evaluate}.
 */
public final class DetectorStage implements AutoCloseable {
    /** What the stage writes besides rows. */
    public enum Output {
        /** Thumbnails, the embedder's face crops and the stored frames of video faces (the worker). */
        ALL,
        /** Thumbnails and video frames, no crops (detection without an embedder after it: {@code --db}). */
        NO_CROPS,
        /** Only the embedder's face crops, no thumbnails or frames ({@code --evaluate}). */
        CROPS_ONLY,
        /** Nothing: names and logs what would be written (dry runs). */
        NOTHING
    }

    private final DetectorProperties props;
    private final FacerecProperties common;
    private final ImageLoader loader;
    private final FaceDetector detector;
    private final StageWorkers workers;
    private final MeterRegistry meters;

    /** Opens the model (one session, shared by the workers) and starts the worker threads. */
    public DetectorStage(
            DetectorProperties props,
            FacerecProperties common,
            ModelStore models,
            ImageLoader loader,
            MeterRegistry meters) {
        this.props = props;
        this.common = common;
        this.loader = loader;
        this.meters = meters;
        this.detector = new RetinaFaceDetector(
                models.resolve(ModelFile.RETINAFACE_MNET25_V2), props.intraOpThreads(), props.useGpu(), meters);
        this.workers = new StageWorkers("detector", props.workers());
    }

    public DetectorProperties properties() {
        return props;
    }

    public FaceDetector detector() {
        return detector;
    }

    public StageWorkers workers() {
        return workers;
    }

    /** The thumbnail writer of the settings (names, margin, size, permissions). */
    public ThumbnailWriter thumbnails() {
        return new ThumbnailWriter(
                        common.thumbnailsDir(), props.thumbnailMargin(), props.thumbnailSize(), props.minFaceSize())
                .withNaming(props.thumbnailNames())
                .withPermissions(common.filePermissions());
    }

    /** The detection of one media file, writing what {@code output} says ({@code cropsDir}: where crops go). */
    public MediaDetection detection(Output output, Path cropsDir) {
        ThumbnailWriter thumbs = output == Output.ALL || output == Output.NO_CROPS
                ? thumbnails()
                : thumbnails().dryRun();
        boolean crops = output == Output.ALL || output == Output.CROPS_ONLY;
        return new MediaDetection(
                loader,
                detector,
                props.detectionSettings(),
                thumbs,
                crops ? props.faceCropWriter(cropsDir, common.filePermissions()) : null,
                output == Output.ALL || output == Output.NO_CROPS
                        ? new VideoFrameStore(common.thumbnailsDir(), common.filePermissions())
                        : null,
                props.videoSampling());
    }

    /** The stage's handler, writing rows through {@code store} and handing its events to {@code events}. */
    public DetectFacesHandler handler(
            PipelineStore store,
            MediaPathResolver paths,
            Output output,
            EventSink events,
            DeadLetterPublisher deadLetters) {
        return new DetectFacesHandler(
                store, paths, detection(output, common.faceCropsDir()), workers, events, deadLetters, meters);
    }

    @Override
    public void close() {
        workers.close();
        detector.close();
    }
}
