package io.facerec.common.config;

import io.facerec.common.persistence.RetryPolicy;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * When failed media items are tried again ({@code facerec.retry.*}, see {@link RetryPolicy}).
 *
 * @param maxAttempts failures after which an item stays failed
 * @param initialDelay wait after the first failure; it doubles with every further one
 * @param maxDelay longest wait
 */
@Validated
@ConfigurationProperties("facerec.retry")
public record RetryProperties(
        @Min(1) @DefaultValue("5") int maxAttempts,
        @NotNull @DefaultValue("1m") Duration initialDelay,
        @NotNull @DefaultValue("1h") Duration maxDelay) {

    public RetryPolicy policy() {
        return new RetryPolicy(maxAttempts, initialDelay, maxDelay);
    }
}
