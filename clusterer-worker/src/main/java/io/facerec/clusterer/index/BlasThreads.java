package io.facerec.clusterer.index;

import org.bytedeco.openblas.global.openblas;

/**
 * OpenBLAS's thread count for a stretch of work, restored when it closes.
 *
 * <p>The streaming clusterer runs a batch as many small products (a cell of a few hundred rows against one or two
 * faces). OpenBLAS splits each over its threads, and its idle threads spin between calls: on a 2-core machine a
 * streaming clusterer kept the second core busy spinning for the whole stream, so the database it writes to ran on
 * what was left (measured with JFR at a million faces, {@code bench/library.sh}: the JVM at 80–90% of both cores
 * while its one working thread used half of that; single-threaded, the p99 per batch fell from 351–566 ms to 238 ms).
 * A batch therefore runs single-threaded; the bulk load at a start ({@link #all}) and a recluster (large products)
 * keep every core. The clusterer's batches and its recluster never run at the same time (both hold the
 * clustering change log's lock while they compute), so the setting is not changed under another product.
 */
public final class BlasThreads implements AutoCloseable {
    /** OpenBLAS's own choice (every core, or {@code OPENBLAS_NUM_THREADS}), read once. */
    private static final int DEFAULT = openblas.blas_get_num_threads();

    private final int before;

    private BlasThreads(int threads) {
        this.before = openblas.blas_get_num_threads();
        if (threads != before) {
            openblas.blas_set_num_threads(threads);
        }
    }

    /** One thread until closed. */
    public static BlasThreads single() {
        return new BlasThreads(1);
    }

    /** OpenBLAS's default until closed (large products inside a single-threaded stretch: a bulk load). */
    public static BlasThreads all() {
        return new BlasThreads(DEFAULT);
    }

    @Override
    public void close() {
        if (openblas.blas_get_num_threads() != before) {
            openblas.blas_set_num_threads(before);
        }
    }
}
