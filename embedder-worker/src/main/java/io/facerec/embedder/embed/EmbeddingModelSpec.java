package io.facerec.embedder.embed;

import io.facerec.embedder.align.FaceAligner;

/**
 * The contract of an embedding model: how to feed it and what comes out.
 *
 * @param id stored with every embedding ({@code Faces.EmbeddingModel}); embeddings of different ids are never compared
 * @param inputName ONNX input name
 * @param inputSize square input side in pixels
 * @param mean subtracted from each 0..255 channel value
 * @param std each value is then divided by this
 * @param rgb channel order RGB (true) or BGR
 * @param alignment how the face is brought into the input frame
 * @param dimension embedding length
 */
public record EmbeddingModelSpec(
        String id,
        String inputName,
        int inputSize,
        float mean,
        float std,
        boolean rgb,
        FaceAligner.Mode alignment,
        int dimension) {

    /** faceplugin {@code fr_feature.onnx}: ArcFace-style, 5-point aligned 112x112 RGB, (px - 127) / 128, 512-d. */
    public static final EmbeddingModelSpec FR_FEATURE =
            new EmbeddingModelSpec("fr_feature", "input", 112, 127f, 128f, true, FaceAligner.Mode.ARCFACE_5POINT, 512);
}
