package io.facerec.common.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The threads a stage spreads the items of one batch over (decode, detect or align, infer), so that a batch keeps
 * every core busy; each inference then runs on one core ({@code intra-op-threads}), which costs less than splitting
 * one inference over several and leaves room for the other stages of the same process.
 */
public final class StageWorkers implements AutoCloseable {
    private final ExecutorService pool;
    private final int size;

    /** @param threads worker threads; 0 = one per core */
    public StageWorkers(String stage, int threads) {
        this.size = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        AtomicInteger n = new AtomicInteger();
        this.pool = size == 1
                ? null
                : Executors.newFixedThreadPool(size, r -> {
                    Thread t = new Thread(r, stage + "-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Worker threads. */
    public int size() {
        return size;
    }

    /**
     * Applies {@code work} to every item, at most {@link #size()} at a time, and returns the results in the items'
     * order. The first exception any item threw is rethrown once every item is finished.
     */
    public <T, R> List<R> map(List<T> items, Function<T, R> work) {
        if (pool == null || items.size() <= 1) {
            List<R> out = new ArrayList<>(items.size());
            for (T t : items) {
                out.add(work.apply(t));
            }
            return out;
        }
        List<Future<R>> futures = new ArrayList<>(items.size());
        for (T t : items) {
            futures.add(pool.submit(() -> work.apply(t)));
        }
        List<R> out = new ArrayList<>(items.size());
        RuntimeException first = null;
        for (Future<R> f : futures) {
            try {
                out.add(f.get());
            } catch (ExecutionException e) {
                out.add(null);
                if (first == null) {
                    first = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(x -> x.cancel(true));
                throw new IllegalStateException("interrupted", e);
            }
        }
        if (first != null) {
            throw first;
        }
        return out;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
