package io.facerec.clusterer.index;

import org.bytedeco.openblas.global.openblas;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenBLAS's thread count for the whole process, set once when the clusterer stage is built
 * ({@code facerec.clusterer.blas-threads}).
 *
 * <p>The streaming clusterer runs a batch as many small products (a cell of a few hundred rows against one or two
 * faces). OpenBLAS splits each over its threads, and its idle threads spin between calls: on a 2-core machine a
 * streaming clusterer kept the second core busy spinning for the whole stream, so the database it writes to ran on what
 * was left (JFR at a million faces, {@code bench/library.sh}: the JVM at 80–90% of both cores while its one working
 * thread used half of that). One thread is therefore the default of a process that streams; the database modes,
 * whose recluster is one large product after another, keep OpenBLAS's own count (every core).
 *
 * <p>OpenBLAS's count is global, and changing it while another thread is inside OpenBLAS can hang that thread (a
 * per-batch scope did, in a single-JVM run whose embedder aligns faces through OpenCV, which calls OpenBLAS too). So
 * it is set where no stage runs yet: when the stage's beans are built, before any listener starts.
 */
public final class BlasThreads {
    private static final Logger log = LoggerFactory.getLogger(BlasThreads.class);

    /** The count this class set; 0 while OpenBLAS keeps its own (the bindings cannot read the native count). */
    private static int set;

    private BlasThreads() {}

    /**
     * Sets OpenBLAS's thread count for the process; 0 keeps (or restores) OpenBLAS's own: {@code OPENBLAS_NUM_THREADS}
     * when set, else one per core. Call only while no other thread can be inside OpenBLAS. Returns the count in force.
     */
    public static synchronized int use(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0: " + threads);
        }
        if (threads == 0 && set == 0) {
            return own();
        }
        int wanted = threads == 0 ? own() : threads;
        if (wanted != current()) {
            openblas.blas_set_num_threads(wanted);
            log.info("OpenBLAS: {} thread(s) for this process (its own default: {})", wanted, own());
        }
        set = threads == 0 ? 0 : wanted;
        return wanted;
    }

    /** The count in force. */
    public static synchronized int current() {
        return set == 0 ? own() : set;
    }

    /** OpenBLAS's own count: {@code OPENBLAS_NUM_THREADS}, else one thread per core. */
    static int own() {
        String env = System.getenv("OPENBLAS_NUM_THREADS");
        try {
            if (env != null && Integer.parseInt(env.trim()) > 0) {
                return Integer.parseInt(env.trim());
            }
        } catch (NumberFormatException e) {
            // OpenBLAS ignores it too
        }
        return Runtime.getRuntime().availableProcessors();
    }
}
