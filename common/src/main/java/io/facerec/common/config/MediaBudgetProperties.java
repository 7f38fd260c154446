package io.facerec.common.config;

import io.facerec.common.image.VideoBudget;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Budgets for decoding untrusted media ({@code facerec.media.*}); the pixel limit itself is
 * {@code facerec.max-image-pixels}.
 *
 * @param maxPixelsPerByte an image of at least 4 megapixels whose header declares more pixels per byte of file than
 *     this is refused before decoding: real photos stay far below (JPEG at most a few hundred pixels per byte even for
 *     a uniform picture), a tiny file declaring a huge canvas is a decompression bomb
 * @param videoMaxDuration longest declared video duration accepted
 * @param videoMaxDecodedFrames most frames decoded in one pass over a video
 * @param videoMaxTimePerItem most time one pass over a video may take (detection sampling, embedding, repair)
 */
@Validated
@ConfigurationProperties("facerec.media")
public record MediaBudgetProperties(
        @Min(1) @DefaultValue("2000") long maxPixelsPerByte,
        @NotNull @DefaultValue("1h") Duration videoMaxDuration,
        @Min(1) @DefaultValue("250000") long videoMaxDecodedFrames,
        @NotNull @DefaultValue("5m") Duration videoMaxTimePerItem) {

    public VideoBudget videoBudget() {
        return new VideoBudget(videoMaxDuration, videoMaxDecodedFrames, videoMaxTimePerItem);
    }
}
