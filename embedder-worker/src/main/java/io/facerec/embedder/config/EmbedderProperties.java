package io.facerec.embedder.config;

import io.facerec.embedder.align.FaceAligner;
import io.facerec.embedder.embed.EmbeddingModelSpec;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Embedder worker settings ({@code facerec.embedder.*}). The default model is {@code fr_feature}; a user's own model
 * (e.g. FaceNet-512: {@code model-path=facenet512.onnx}, {@code input-size=160}, {@code mean=127.5}, {@code std=128},
 * {@code alignment=CROP_RESIZE}, {@code model-id=facenet512}) works by configuration alone.
 *
 * @param modelId id stored with each embedding
 * @param modelPath empty for the bundled fr_feature, else a path (relative to the models directory)
 * @param inputName ONNX input name
 * @param inputSize square input side
 * @param mean subtracted from each channel value
 * @param std divisor after the mean
 * @param rgb feed RGB (else BGR)
 * @param alignment ARCFACE_5POINT or CROP_RESIZE
 * @param dimension embedding length
 * @param intraOpThreads cores one inference may use (0 = all; default 1: the items of a batch run side by side on the
 *     {@code workers}, one core each)
 * @param workers threads the items of a batch are embedded on at once (0 = one per core)
 * @param concurrency consumer threads (each takes its own batches)
 * @param batchSize most media items taken from the broker at once (one transaction, one publish per batch)
 * @param batchWaitMs how long the broker may wait to fill a batch before it answers a poll with what it has
 * @param useGpu try the CUDA execution provider (with a model whose batch dimension is dynamic, a batch's faces go to
 *     the GPU in runs of up to 32)
 * @param keepFaceCrops keep the detector's face crops after embedding (default: delete them; they are only a hand-over)
 */
@Validated
@ConfigurationProperties("facerec.embedder")
public record EmbedderProperties(
        @NotBlank @DefaultValue("fr_feature") String modelId,
        @DefaultValue("") String modelPath,
        @NotBlank @DefaultValue("input") String inputName,
        @Min(16) @DefaultValue("112") int inputSize,
        @DefaultValue("127") float mean,
        @DefaultValue("128") float std,
        @DefaultValue("true") boolean rgb,
        @NotNull @DefaultValue("ARCFACE_5POINT") FaceAligner.Mode alignment,
        @Min(1) @DefaultValue("512") int dimension,
        @Min(0) @DefaultValue("1") int intraOpThreads,
        @Min(0) @DefaultValue("0") int workers,
        @Min(1) @DefaultValue("1") int concurrency,
        @Min(1) @DefaultValue("16") int batchSize,
        @Min(0) @DefaultValue("20") int batchWaitMs,
        @DefaultValue("false") boolean useGpu,
        @DefaultValue("false") boolean keepFaceCrops) {

    /** The model contract these settings describe. */
    public EmbeddingModelSpec spec() {
        return new EmbeddingModelSpec(modelId, inputName, inputSize, mean, std, rgb, alignment, dimension);
    }
}
