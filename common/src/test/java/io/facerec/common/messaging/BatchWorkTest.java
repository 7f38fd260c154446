package io.facerec.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.facerec.common.error.RetriableProcessingException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;

class BatchWorkTest {

    /** A unit of work that commits all of its part or nothing, failing on the poison records. */
    private static final class Work {
        final List<Integer> done = new ArrayList<>();
        final List<List<Integer>> attempts = new ArrayList<>();
        final List<Integer> poison;

        Work(List<Integer> poison) {
            this.poison = poison;
        }

        void accept(List<Integer> part) {
            attempts.add(List.copyOf(part));
            for (int i : part) {
                if (poison.contains(i)) {
                    throw new DataIntegrityViolationException("record " + i + " breaks a constraint");
                }
            }
            done.addAll(part);
        }
    }

    @Test
    void aGoodBatchIsOneUnitOfWork() {
        Work w = new Work(List.of());
        List<Integer> poisoned = new ArrayList<>();
        BatchWork.run(List.of(1, 2, 3, 4), w::accept, (r, e) -> poisoned.add(r));
        assertThat(w.attempts).containsExactly(List.of(1, 2, 3, 4));
        assertThat(w.done).containsExactly(1, 2, 3, 4);
        assertThat(poisoned).isEmpty();
    }

    @Test
    void aPoisonRecordIsSplitOutOfItsBatchAndOnlyItIsDeadLettered() {
        List<Integer> batch = IntStream.range(0, 16).boxed().toList();
        Work w = new Work(List.of(5, 11));
        List<Integer> poisoned = new ArrayList<>();
        BatchWork.run(batch, w::accept, (r, e) -> {
            assertThat(e).isInstanceOf(DataIntegrityViolationException.class);
            poisoned.add(r);
        });
        assertThat(poisoned).containsExactly(5, 11);
        assertThat(w.done)
                .hasSize(14)
                .doesNotContain(5, 11)
                .containsAll(batch.stream().filter(i -> i != 5 && i != 11).toList());
        // halves, then quarters ...: far fewer units of work than one per record
        assertThat(w.attempts.size()).isLessThan(16);
        assertThat(w.done).doesNotHaveDuplicates();
    }

    @Test
    void aTransientFailureNamesTheFirstRecordNotDoneAndSplitsNothing() {
        List<Integer> done = new ArrayList<>();
        int[] calls = {0};
        BatchWork.FailedAt e = catchThrowableOfType(
                () -> BatchWork.run(
                        List.of(1, 2, 3, 4),
                        part -> {
                            calls[0]++;
                            throw new RetriableProcessingException("broker away", new TimeoutException());
                        },
                        (r, x) -> done.add(r)),
                BatchWork.FailedAt.class);
        assertThat(e.index()).isZero();
        assertThat(calls[0]).isEqualTo(1);
        assertThat(done).isEmpty();

        // after a split (a poison in the first half), a transient failure in the second half names its first record
        Work w = new Work(List.of(0));
        BatchWork.FailedAt later = catchThrowableOfType(
                () -> BatchWork.run(
                        List.of(0, 1, 2, 3),
                        part -> {
                            if (part.contains(2) && !part.contains(0)) { // the database goes away after the split
                                throw new DataAccessResourceFailureException("database away");
                            }
                            w.accept(part);
                        },
                        (r, x) -> done.add(r)),
                BatchWork.FailedAt.class);
        assertThat(later.index()).isEqualTo(2);
        assertThat(done).containsExactly(0);
        assertThat(w.done).containsExactly(1);
    }
}
