package io.facerec.launcher;

import java.time.Duration;

/**
 * The origin's {@code --watch} cadence ({@code continuous_batch_process}): after a check that found work, check again
 * after {@code check} (10 s); after an empty check too, until {@code idleChecks} (5) empty checks in a row, which are
 * followed by {@code idlePause} (4 min) and a fresh count.
 */
final class WatchSchedule {
    static final Duration ORIGIN_CHECK = Duration.ofSeconds(10);
    static final int ORIGIN_IDLE_CHECKS = 5;
    static final Duration ORIGIN_IDLE_PAUSE = Duration.ofMinutes(4);

    private final Duration check;
    private final int idleChecks;
    private final Duration idlePause;
    private int empty;

    WatchSchedule(Duration check, int idleChecks, Duration idlePause) {
        if (check.isNegative() || idleChecks < 1 || idlePause.isNegative()) {
            throw new IllegalArgumentException("watch needs an interval >= 0, idle checks >= 1 and an idle pause >= 0");
        }
        this.check = check;
        this.idleChecks = idleChecks;
        this.idlePause = idlePause;
    }

    /** The wait before the next check, after a check that found work or not. */
    Duration next(boolean foundWork) {
        if (foundWork) {
            empty = 0;
            return check;
        }
        empty++;
        if (empty >= idleChecks) {
            empty = 0;
            return idlePause;
        }
        return check;
    }

    /** Empty checks in a row so far (0 right after the idle pause starts). */
    int emptyChecks() {
        return empty == 0 ? idleChecks : empty;
    }
}
