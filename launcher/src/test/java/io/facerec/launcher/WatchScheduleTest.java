package io.facerec.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The origin's --watch cadence: every 10 s; after 5 empty checks in a row, a 4 min pause. */
class WatchScheduleTest {

    @Test
    void checksEveryTenSecondsAndPausesFourMinutesAfterFiveEmptyChecks() {
        WatchSchedule s = new WatchSchedule(
                WatchSchedule.ORIGIN_CHECK, WatchSchedule.ORIGIN_IDLE_CHECKS, WatchSchedule.ORIGIN_IDLE_PAUSE);
        List<Duration> waits = new ArrayList<>();
        boolean[] found = {false, false, true, false, false, false, false, false, false, false, false, false, false};
        for (boolean f : found) {
            waits.add(s.next(f));
        }
        Duration ten = Duration.ofSeconds(10);
        Duration four = Duration.ofMinutes(4);
        // two empty checks, work (the count starts again), five empty checks -> pause, five more -> pause
        assertThat(waits).containsExactly(ten, ten, ten, ten, ten, ten, ten, four, ten, ten, ten, ten, four);
    }
}
