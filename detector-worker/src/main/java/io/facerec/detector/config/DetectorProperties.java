package io.facerec.detector.config;

import io.facerec.common.files.FilePermissions;
import io.facerec.detector.detect.DetectionSettings;
import io.facerec.detector.detect.MediaDetection;
import io.facerec.detector.thumbnail.FaceCropWriter;
import io.facerec.detector.thumbnail.ThumbnailWriter;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Detector worker settings ({@code facerec.detector.*}).
 *
 * @param scoreThreshold minimum face probability (origin: 0.9)
 * @param nmsThreshold NMS IoU above which the weaker box is dropped (origin: 0.4)
 * @param minFaceSize faces with a shorter side below this many pixels are not stored
 * @param thumbnailMargin thumbnail border per side, as the origin: a fraction of the box's width on the left and right and
 *     of its height above and below; the crop is then made square (see {@code OriginCrop})
 * @param thumbnailSize thumbnail side in pixels (origin: 112)
 * @param intraOpThreads cores one inference may use (0 = all; default 1: the items of a batch run side by side on the
 *     {@code workers}, one core each, which uses the cores better than splitting one inference over them)
 * @param workers threads the items of a batch are detected on at once (0 = one per core)
 * @param concurrency consumer threads of this worker (each takes its own batches)
 * @param batchSize most media items taken from the broker at once (one transaction, one publish per batch)
 * @param batchWaitMs how long the broker may wait to fill a batch before it answers a poll with what it has
 * @param useGpu try the CUDA execution provider
 * @param closeUpRetry re-detect empty images and close-ups on a 25% padded image (see {@code DetectionSettings})
 * @param videoIntervalSeconds seconds between the sampled frames of a video
 * @param videoMaxFrames most frames sampled per video
 * @param videoTrackIou box overlap that makes a face in the next sampled frame the same track (one row per track)
 * @param padFraction black border added on every side before detection, as a fraction of the longer side (0: none;
 *     {@code identity_ref.py} pads by 0.25)
 * @param faceCropSize leave each photo face's crop for the embedder, scaled so the face's longer side is at most this
 *     many pixels; the embedder uses a scaled crop only when this is at least 4x its model input (448 for the 112-px
 *     default, 640 for a 160-px FaceNet), else it decodes the photo; 0: no crops. 896 (8x): the embeddings agree with
 *     a full-resolution alignment on all 1,073 identity photos at cosine >= 0.99 (448: 1,063, min 0.963)
 * @param faceCropFormat BMP (uncompressed, fastest), PNG (lossless, smaller, slow to write) or JPEG (quality 100, 4:4:4)
 * @param faceCropsMaxMb no crops are written while the face-crops directory holds more than this (embedder down or
 *     behind); the embedder decodes those photos
 * @param thumbnailNames ORIGIN ({@code <name>_TN<i+1><ext>}, the origin's; photos with the same name in different
 *     folders share thumbnail names, as with the origin) or ITEM_PREFIXED ({@code item<id>_<name>_<i>.<ext>}, unique)
 */
@Validated
@ConfigurationProperties("facerec.detector")
public record DetectorProperties(
        @DecimalMin("0") @DecimalMax("1") @DefaultValue("0.9")
        double scoreThreshold,

        @DecimalMin("0.01") @DecimalMax("1") @DefaultValue("0.4")
        double nmsThreshold,

        @Min(0) @DefaultValue("20") int minFaceSize,

        @DecimalMin("0") @DecimalMax("2") @DefaultValue("0.2")
        double thumbnailMargin,

        @Min(16) @DefaultValue("112") int thumbnailSize,
        @Min(0) @DefaultValue("1") int intraOpThreads,
        @Min(0) @DefaultValue("0") int workers,
        @Min(1) @DefaultValue("1") int concurrency,
        @Min(1) @DefaultValue("16") int batchSize,
        @Min(0) @DefaultValue("20") int batchWaitMs,
        @DefaultValue("false") boolean useGpu,
        @DefaultValue("true") boolean closeUpRetry,
        @DecimalMin("0.01") @DefaultValue("1.0") double videoIntervalSeconds,
        @Min(1) @DefaultValue("3600") int videoMaxFrames,

        @DecimalMin("0.01") @DecimalMax("1") @DefaultValue("0.3")
        double videoTrackIou,

        @DecimalMin("0") @DecimalMax("1") @DefaultValue("0") double padFraction,
        @Min(0) @DefaultValue("896") int faceCropSize,

        @NotNull @DefaultValue("BMP") FaceCropWriter.Format faceCropFormat,

        @Min(1) @DefaultValue("2048") long faceCropsMaxMb,

        @NotNull @DefaultValue("ORIGIN") ThumbnailWriter.Naming thumbnailNames) {

    /** The detection parameters. */
    public DetectionSettings detectionSettings() {
        return new DetectionSettings(scoreThreshold, nmsThreshold, minFaceSize, padFraction, closeUpRetry);
    }

    /** The crop writer, or null when crops are off. */
    public FaceCropWriter faceCropWriter(Path dir, FilePermissions permissions) {
        return faceCropSize == 0
                ? null
                : new FaceCropWriter(
                        dir,
                        Math.max(16, faceCropSize),
                        faceCropFormat,
                        faceCropsMaxMb << 20,
                        permissions,
                        Duration.ofDays(1));
    }

    /** The video part as the detection takes it. */
    public MediaDetection.VideoSampling videoSampling() {
        return new MediaDetection.VideoSampling(videoIntervalSeconds, videoMaxFrames, videoTrackIou);
    }
}
