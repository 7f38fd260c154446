package io.facerec.common.persistence;

import java.time.Duration;

/**
 * When a failed media item is tried again: after {@code initialDelay}, doubling with every further failure up to
 * {@code maxDelay}, until it has failed {@code maxAttempts} times; then it stays {@code FAILED} until a user resets it.
 * The origin retried every item that had not been extracted on every pass, without a limit.
 *
 * @param maxAttempts failures after which an item is not tried again (1 = never retried)
 * @param initialDelay wait after the first failure
 * @param maxDelay longest wait between two attempts
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMinutes(1), Duration.ofHours(1));

    public RetryPolicy {
        if (maxAttempts < 1 || initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException(
                    "retry policy needs max-attempts >= 1 and 0 <= initial-delay <= max-delay");
        }
    }

    /** The wait before the next attempt of an item that has now failed {@code failures} times. */
    public Duration delayAfter(int failures) {
        Duration d = initialDelay;
        for (int i = 1; i < failures && d.compareTo(maxDelay) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxDelay) > 0 ? maxDelay : d;
    }

    /** Whether an item that failed {@code failures} times may be tried again at all. */
    public boolean retries(int failures) {
        return failures < maxAttempts;
    }
}
