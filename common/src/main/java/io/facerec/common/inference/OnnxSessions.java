package io.facerec.common.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.facerec.common.model.ModelStore;
import io.facerec.common.model.ModelUnavailableException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates ONNX Runtime sessions. An {@link OrtSession} is safe to call from several threads at once, so each model
 * has one session per process; intra-op threads bound how many cores one call may use. Idle intra-op threads sleep
 * instead of spinning: the stages of one process share the cores, and a spinning pool takes them from the others. The
 * sessions this process has opened are listed by {@link #open()} (the {@code models} health indicator and
 * {@code /actuator/info}).
 */
public final class OnnxSessions {
    private static final Logger log = LoggerFactory.getLogger(OnnxSessions.class);
    /** The sessions opened so far, weakly held: a session its owner dropped disappears with it. */
    private static final Map<OrtSession, OpenSession> OPEN = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * A session this process opened.
     *
     * @param model the model file
     * @param sha256 the file's SHA-256 when it was loaded
     * @param provider the execution provider asked for: {@code CUDA} or {@code CPU}
     */
    public record OpenSession(Path model, String sha256, String provider) {}

    /** The sessions this process holds, each with the session itself (for a liveness probe). */
    public static List<Map.Entry<OrtSession, OpenSession>> open() {
        synchronized (OPEN) {
            return new ArrayList<>(OPEN.entrySet());
        }
    }

    private OnnxSessions() {}

    /** Closes a session {@link #open(Path, int, boolean)} opened; it leaves the list (health no longer asks it). */
    public static void close(OrtSession session) throws OrtException {
        OPEN.remove(session);
        session.close();
    }

    /**
     * @param intraOpThreads threads one inference may use (0 = ONNX Runtime's default, all cores)
     * @param useGpu try the CUDA provider first (needs the {@code gpu} Maven profile and CUDA); falls back to CPU
     *     with one log line
     */
    public static OrtSession open(Path model, int intraOpThreads, boolean useGpu) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (intraOpThreads > 0) {
                opts.setIntraOpNumThreads(intraOpThreads);
            }
            opts.setInterOpNumThreads(1);
            opts.addConfigEntry("session.intra_op.allow_spinning", "0");
            String provider = "CPU";
            if (useGpu) {
                try {
                    opts.addCUDA(0);
                    provider = "CUDA";
                    log.info("{}: CUDA execution provider enabled", model.getFileName());
                } catch (OrtException | UnsatisfiedLinkError | RuntimeException e) {
                    log.info(
                            "{}: no CUDA execution provider ({}); running on CPU", model.getFileName(), e.getMessage());
                }
            }
            OrtSession session = env.createSession(model.toString(), opts);
            OPEN.put(session, new OpenSession(model.toAbsolutePath().normalize(), ModelStore.sha256(model), provider));
            return session;
        } catch (OrtException e) {
            throw new ModelUnavailableException("cannot load model " + model + ": " + e.getMessage(), e);
        }
    }
}
