package io.facerec.detector.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.common.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** At most one capture instance per database, and a standby takes over when the holder goes (real PostgreSQL). */
class CaptureLockTest {

    @Test
    void onlyOneHolderAndTheSecondTakesOverWhenTheFirstGoes() throws Exception {
        try (TestDatabase db = TestDatabase.start()) {
            var ds = new DriverManagerDataSource(db.jdbcUrl());
            CaptureLock first = new CaptureLock(ds);
            CaptureLock second = new CaptureLock(ds);
            assertThat(first.tryAcquire()).isTrue();
            assertThat(first.tryAcquire()).as("re-entrant for its holder").isTrue();
            assertThat(second.tryAcquire()).as("a second instance stands by").isFalse();
            assertThat(first.isHeld()).isTrue();
            first.close(); // the holder stops, or dies: its session ends
            // the server releases the lock when the old session's backend has ended, a moment after the close
            // (the standby itself retries every 10 s)
            boolean taken = false;
            for (int i = 0; i < 100 && !taken; i++) {
                taken = second.tryAcquire();
                if (!taken) {
                    Thread.sleep(100);
                }
            }
            assertThat(taken).as("the standby takes over within 10 s").isTrue();
            assertThat(new CaptureLock(ds).tryAcquire()).isFalse();
            second.close();
        }
    }
}
