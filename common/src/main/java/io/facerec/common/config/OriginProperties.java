package io.facerec.common.config;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * What facerec takes over from a database and configuration the origin (the Python system) filled
 * ({@code facerec.origin.*}); the origin's own variables set the defaults, from the environment or a {@code .env} in
 * the working folder (see {@link OriginEnvironment}).
 *
 * @param dbPrefix the origin's {@code DB_PREFIX}: the start of the paths in {@code MediaFile.FilePath} (e.g.
 *     {@code C:/Users/me/Pictures}) that stands for the media root ({@code facerec.media-root}, whose default is the
 *     origin's {@code CONTAINER_IMAGES_ROOT}); compared case-insensitively with '\' read as '/'. Empty: no mapping
 * @param rootPath the origin's {@code ROOT_PATH}: its thumbnails of earlier faces are looked for in
 *     {@code <rootPath>/Thumbnails} (after the thumbnails directory); empty: not looked for there
 * @param embeddingModel the model of the origin's embeddings ({@code Faces.EmbeddingModel} NULL): when it is the
 *     configured embedder's model id ({@code facerec.embedder.model-id}) they are clustered as they are; otherwise
 *     (the default, empty: unknown) {@code --recognize} and {@code --all} embed those faces again and keep the old
 *     bytes in {@code Faces.OriginEmbedding}
 * @param personNames name the persons facerec creates {@code Unknown-<id>} as the origin did ({@code false}: no name)
 */
@Validated
@ConfigurationProperties("facerec.origin")
public record OriginProperties(
        @NotNull @DefaultValue("") String dbPrefix,
        @NotNull @DefaultValue("") String rootPath,
        @NotNull @DefaultValue("") String embeddingModel,
        @DefaultValue("true") boolean personNames) {}
