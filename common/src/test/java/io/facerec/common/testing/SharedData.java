package io.facerec.common.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared evaluation data ({@code ../shared} beside the repository, or {@code facerec.shared.dir}). Tests
 * that need it fail loudly when it is missing instead of being skipped.
 */
public final class SharedData {
    private SharedData() {
    }

    public static Path root() {
        String p = System.getProperty("facerec.shared.dir");
        Path root = p != null ? Path.of(p) : Path.of("..", "shared");
        if (!Files.isDirectory(root)) {
            root = Path.of("..", "..", "shared");
        }
        return root.toAbsolutePath().normalize();
    }

    public static Path require(String sub) {
        Path d = root().resolve(sub);
        if (!Files.isDirectory(d)) {
            throw new IllegalStateException("shared data folder " + d + " is missing (set -Dfacerec.shared.dir)");
        }
        return d;
    }
}
