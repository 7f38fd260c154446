package io.facerec.common.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates ONNX Runtime sessions. An {@link OrtSession} is safe to call from several threads at once, so each model
 * has one session per process; intra-op threads bound how many cores one call may use. Idle intra-op threads sleep
 * instead of spinning: the stages of one process share the cores, and a spinning pool takes them from the others.
 */
public final class OnnxSessions {
    private static final Logger log = LoggerFactory.getLogger(OnnxSessions.class);

    private OnnxSessions() {
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
            if (useGpu) {
                try {
                    opts.addCUDA(0);
                    log.info("{}: CUDA execution provider enabled", model.getFileName());
                } catch (OrtException | UnsatisfiedLinkError | RuntimeException e) {
                    log.info("{}: no CUDA execution provider ({}); running on CPU", model.getFileName(), e.getMessage());
                }
            }
            return env.createSession(model.toString(), opts);
        } catch (OrtException e) {
            throw new io.facerec.common.model.ModelUnavailableException(
                    "cannot load model " + model + ": " + e.getMessage(), e);
        }
    }
}
