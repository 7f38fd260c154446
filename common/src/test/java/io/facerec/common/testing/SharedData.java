package io.facerec.common.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Locates the shared evaluation data ({@code ../shared} beside the repository, or {@code facerec.shared.dir}). Tests
 * that need it fail loudly when it is missing instead of being skipped.
 */
public final class SharedData {
    private SharedData() {}

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

    /**
     * Copies the first {@code perPerson} photos (by name) of each person of the shared identity set into
     * {@code target/<person>/}, as a media library for a test. @return how many photos were copied
     */
    public static int copyIdentityPhotos(Path target, List<String> people, int perPerson) throws IOException {
        Path identity = require("eval/identity");
        int copied = 0;
        for (String person : people) {
            Files.createDirectories(target.resolve(person));
            try (var s = Files.list(identity.resolve(person))) {
                for (Path p : s.sorted().limit(perPerson).toList()) {
                    Files.copy(p, target.resolve(person).resolve(p.getFileName()));
                    copied++;
                }
            }
        }
        return copied;
    }
}
