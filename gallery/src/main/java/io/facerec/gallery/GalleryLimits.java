package io.facerec.gallery;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Bounds on what one request may ask of the gallery ({@code facerec.gallery.limits.*}).
 *
 * @param maxBodyBytes request bodies above this are refused with 413 before they are parsed
 * @param maxIds most face or person ids in one merge or move
 * @param maxNameLength longest person name (the origin's column holds 260 characters)
 */
@Validated
@ConfigurationProperties("facerec.gallery.limits")
public record GalleryLimits(
        @Min(1024) @DefaultValue("65536") int maxBodyBytes,
        @Min(1) @Max(100_000) @DefaultValue("1000") int maxIds,
        @Min(1) @Max(260) @DefaultValue("200") int maxNameLength) {}
