package io.facerec.common.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facerec.common.error.PermanentProcessingException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MediaPathResolverTest {
    @TempDir
    Path tmp;

    @Test
    void resolvesFilesUnderTheRootAndRefusesEverythingElse() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(root.resolve("ok.jpg"), "x");
        Path outside = Files.writeString(tmp.resolve("secret.txt"), "s");
        Files.createSymbolicLink(root.resolve("link.jpg"), outside);
        MediaPathResolver r = new MediaPathResolver(root);

        assertThat(r.resolve("ok.jpg")).isEqualTo(root.resolve("ok.jpg").toRealPath());
        assertThat(r.resolve(root.resolve("ok.jpg").toString())).isEqualTo(root.resolve("ok.jpg").toRealPath());
        assertKind(r, "../secret.txt", "PATH_OUTSIDE_ROOT");
        assertKind(r, "../../etc/passwd", "PATH_OUTSIDE_ROOT");
        assertKind(r, "/etc/passwd", "PATH_OUTSIDE_ROOT");
        assertKind(r, "link.jpg", "PATH_OUTSIDE_ROOT");
        assertKind(r, "a\0b.jpg", "INVALID_PATH");
        assertKind(r, "missing.jpg", "FILE_MISSING");
        assertKind(r, "", "INVALID_PATH");
        assertThat(r.relativize(root.resolve("sub/x.jpg"))).isEqualTo("sub/x.jpg");
    }

    private static void assertKind(MediaPathResolver r, String path, String kind) {
        assertThatThrownBy(() -> r.resolve(path)).isInstanceOf(PermanentProcessingException.class)
                .satisfies(e -> assertThat(((PermanentProcessingException) e).errorKind()).isEqualTo(kind));
    }
}
