package io.facerec.common.config;

import io.facerec.common.files.FilePermissions;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings shared by every worker ({@code facerec.*}).
 *
 * @param mediaRoot directory that {@code MediaFile.FilePath} is resolved under; nothing outside it is opened
 * @param modelsDir where the ONNX model files live (fetched there when missing)
 * @param thumbnailsDir where face thumbnails are written; the origin's {@code THUMBNAIL_SAVE_PATH} sets it
 * @param faceCropsDir where the detector leaves each face's crop for the embedder (deleted once embedded); detector and
 *     embedder must see the same directory (default: {@code .face-crops} in the thumbnails directory)
 * @param partitions partitions of each pipeline topic (the upper bound of detector/embedder parallelism)
 * @param maxImagePixels images with more pixels are refused before decoding (default 100 megapixels: above any camera's
 *     photo; see also {@link MediaBudgetProperties})
 * @param filePermissions who may read the thumbnails, face crops and video frames facerec writes: {@code OWNER} (folders
 *     0700, files 0600) or {@code GROUP} (0750 / 0640, for another account of the group that reads the thumbnails)
 * @param portraitsDir where each person's portrait is copied as {@code Person_<id>_portrait.jpg} (the origin's
 *     {@code individuals_portraits}, relative to the working folder); empty: no portrait files
 * @param databaseTimeZone the zone of the local times written to the database (the origin wrote its machine's local
 *     time); empty: the system's zone, e.g. {@code UTC} to write UTC instead
 */
@Validated
@ConfigurationProperties("facerec")
public record FacerecProperties(
        @NotNull @DefaultValue(".") Path mediaRoot,
        @NotNull @DefaultValue("models") Path modelsDir,
        @NotNull @DefaultValue("Thumbnails") Path thumbnailsDir,
        @NotNull @DefaultValue("Thumbnails/.face-crops") Path faceCropsDir,
        @Min(1) @DefaultValue("4") int partitions,
        @Min(1) @DefaultValue("100000000") long maxImagePixels,
        @NotNull @DefaultValue("OWNER") FilePermissions filePermissions,
        @NotNull @DefaultValue("individuals_portraits") String portraitsDir,
        @NotNull @DefaultValue("") String databaseTimeZone) {}
