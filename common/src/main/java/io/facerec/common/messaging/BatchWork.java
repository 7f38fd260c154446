package io.facerec.common.messaging;

import io.facerec.common.error.TransientFailures;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Runs a stage's work on a batch so that one bad record cannot hold the others back. Normally the whole batch is one
 * unit of work (one transaction, one publish). When it fails:
 * <ul>
 *   <li>transiently (database or broker away, see {@link TransientFailures}): {@link FailedAt} names the first record
 *       not done, and the listener container retries from there with back-off;</li>
 *   <li>otherwise: the batch is split in halves and each half tried on its own, down to single records; a record
 *       that fails alone is a poison record and goes to {@code poison} (the handler marks its item failed and
 *       dead-letters it), and every other record of the batch is done.</li>
 * </ul>
 */
public final class BatchWork {
    private BatchWork() {}

    /** The work failed transiently at the record of this index of the batch (the ones before it are done). */
    public static final class FailedAt extends RuntimeException {
        private final int index;

        FailedAt(int index, RuntimeException cause) {
            super("batch failed at record " + index + ": " + cause.getMessage(), cause);
            this.index = index;
        }

        public int index() {
            return index;
        }
    }

    /** @throws FailedAt on a transient failure */
    public static <T> void run(List<T> batch, Consumer<List<T>> work, BiConsumer<T, RuntimeException> poison) {
        run(batch, 0, work, poison);
    }

    private static <T> void run(
            List<T> part, int offset, Consumer<List<T>> work, BiConsumer<T, RuntimeException> poison) {
        if (part.isEmpty()) {
            return;
        }
        try {
            work.accept(part);
        } catch (FailedAt e) {
            throw e;
        } catch (RuntimeException e) {
            if (TransientFailures.isTransient(e)) {
                throw new FailedAt(offset, e);
            }
            if (part.size() == 1) {
                poison.accept(part.get(0), e);
                return;
            }
            int mid = part.size() / 2;
            run(part.subList(0, mid), offset, work, poison);
            run(part.subList(mid, part.size()), offset + mid, work, poison);
        }
    }
}
