package io.facerec.detector.config;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
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
 * @param intraOpThreads cores one inference may use (0 = ONNX Runtime default)
 * @param concurrency consumer threads of this worker
 * @param useGpu try the CUDA execution provider
 * @param closeUpRetry re-detect empty images and close-ups on a 25% padded image (see {@code DetectionSettings})
 * @param videoIntervalSeconds seconds between the sampled frames of a video
 * @param videoMaxFrames most frames sampled per video
 * @param videoTrackIou box overlap that makes a face in the next sampled frame the same track (one row per track)
 * @param preprocessing REFERENCE (the reference detector harness's decoding and scaling, byte for byte) or OPENCV
 *     (libjpeg-turbo and {@code INTER_LINEAR}, as {@code identity_ref.py}; faster)
 * @param faceCropSize leave each photo face's crop for the embedder, scaled so the face's longer side is at most this
 *     many pixels; the embedder uses a scaled crop only when this is at least 4x its model input (448 for the 112-px
 *     default, 640 for a 160-px FaceNet), else it decodes the photo; 0: no crops
 * @param faceCropFormat BMP (uncompressed, fastest), PNG (lossless, smaller, slow to write) or JPEG (quality 100, 4:4:4)
 * @param faceCropsMaxMb no crops are written while the face-crops directory holds more than this (embedder down or
 *     behind); the embedder decodes those photos
 * @param thumbnailNames ORIGIN ({@code <name>_TN<i+1><ext>}, the origin's; photos with the same name in different
 *     folders share thumbnail names, as with the origin) or ITEM_PREFIXED ({@code item<id>_<name>_<i>.<ext>}, unique)
 */
@Validated
@ConfigurationProperties("facerec.detector")
public record DetectorProperties(
        @DecimalMin("0") @DecimalMax("1") @DefaultValue("0.9") double scoreThreshold,
        @DecimalMin("0.01") @DecimalMax("1") @DefaultValue("0.4") double nmsThreshold,
        @Min(0) @DefaultValue("20") int minFaceSize,
        @DecimalMin("0") @DecimalMax("2") @DefaultValue("0.2") double thumbnailMargin,
        @Min(16) @DefaultValue("112") int thumbnailSize,
        @Min(0) @DefaultValue("0") int intraOpThreads,
        @Min(1) @DefaultValue("1") int concurrency,
        @DefaultValue("false") boolean useGpu,
        @DefaultValue("true") boolean closeUpRetry,
        @DecimalMin("0.01") @DefaultValue("1.0") double videoIntervalSeconds,
        @Min(1) @DefaultValue("3600") int videoMaxFrames,
        @DecimalMin("0.01") @DecimalMax("1") @DefaultValue("0.3") double videoTrackIou,
        @jakarta.validation.constraints.NotNull @DefaultValue("REFERENCE") io.facerec.detector.detect.Preprocessing preprocessing,
        @Min(0) @DefaultValue("448") int faceCropSize,
        @jakarta.validation.constraints.NotNull @DefaultValue("BMP") io.facerec.detector.thumbnail.FaceCropWriter.Format faceCropFormat,
        @Min(1) @DefaultValue("2048") long faceCropsMaxMb,
        @jakarta.validation.constraints.NotNull @DefaultValue("ORIGIN") io.facerec.detector.thumbnail.ThumbnailWriter.Naming thumbnailNames) {

    /** The crop writer, or null when crops are off. */
    public io.facerec.detector.thumbnail.FaceCropWriter faceCropWriter(java.nio.file.Path dir,
            io.facerec.common.files.FilePermissions permissions) {
        return faceCropSize == 0 ? null : new io.facerec.detector.thumbnail.FaceCropWriter(dir, Math.max(16, faceCropSize),
                faceCropFormat, faceCropsMaxMb << 20).withPermissions(permissions);
    }

    /** The video part as the handler takes it. */
    public io.facerec.detector.detect.DetectFacesHandler.VideoSampling videoSampling() {
        return new io.facerec.detector.detect.DetectFacesHandler.VideoSampling(videoIntervalSeconds, videoMaxFrames,
                videoTrackIou);
    }
}
