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
        assertThat(r.resolve(root.resolve("ok.jpg").toString()))
                .isEqualTo(root.resolve("ok.jpg").toRealPath());
        assertKind(r, "../secret.txt", "PATH_OUTSIDE_ROOT");
        assertKind(r, "../../etc/passwd", "PATH_OUTSIDE_ROOT");
        assertKind(r, "/etc/passwd", "PATH_OUTSIDE_ROOT");
        assertKind(r, "link.jpg", "PATH_OUTSIDE_ROOT");
        assertKind(r, "a\0b.jpg", "INVALID_PATH");
        assertKind(r, "missing.jpg", "FILE_MISSING");
        assertKind(r, "", "INVALID_PATH");
        assertThat(r.relativize(root.resolve("sub/x.jpg"))).isEqualTo("sub/x.jpg");
    }

    @Test
    void mapsTheOriginsPathsUnderTheRootAndStillConfinesThem() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("Images"));
        Files.createDirectories(root.resolve("2024"));
        Files.writeString(root.resolve("a.jpg"), "x");
        Files.writeString(root.resolve("2024/b.jpg"), "x");
        Files.writeString(tmp.resolve("secret.txt"), "s");
        MediaPathResolver r = new MediaPathResolver(root, "C:/Users/ADMIN/Pictures/");

        // DB_PREFIX -> the media root (CONTAINER_IMAGES_ROOT), case-insensitive, backslashes read as slashes
        assertThat(r.resolve("C:/Users/ADMIN/Pictures/a.jpg"))
                .isEqualTo(root.resolve("a.jpg").toRealPath());
        assertThat(r.resolve("c:\\users\\admin\\Pictures\\2024\\b.jpg"))
                .isEqualTo(root.resolve("2024/b.jpg").toRealPath());
        // the origin's fallback: .../<digits>/<file>
        assertThat(r.resolve("D:/elsewhere/2024/b.jpg"))
                .isEqualTo(root.resolve("2024/b.jpg").toRealPath());
        // only whole segments match the prefix; a mapped path cannot leave the root
        assertKind(r, "C:/Users/ADMIN/Pictures2/a.jpg", "PATH_NOT_MAPPED");
        assertKind(r, "C:/Users/ADMIN/Pictures/../../secret.txt", "PATH_OUTSIDE_ROOT");
        assertKind(r, "//server/share/a.jpg", "PATH_NOT_MAPPED");
        assertKind(r, "C:/Users/ADMIN/Pictures/missing.jpg", "FILE_MISSING");
        // facerec's own relative paths are untouched
        assertThat(r.resolve("2024/b.jpg")).isEqualTo(root.resolve("2024/b.jpg").toRealPath());

        // without DB_PREFIX an origin path is refused with the setting that maps it, not as a missing file
        assertThatThrownBy(() -> new MediaPathResolver(root).resolve("C:/Users/ADMIN/Pictures/a.jpg"))
                .hasMessageContaining("DB_PREFIX")
                .hasMessageContaining("facerec.origin.db-prefix")
                .satisfies(e -> assertThat(((PermanentProcessingException) e).errorKind())
                        .isEqualTo("PATH_NOT_MAPPED"));
    }

    private static void assertKind(MediaPathResolver r, String path, String kind) {
        assertThatThrownBy(() -> r.resolve(path))
                .isInstanceOf(PermanentProcessingException.class)
                .satisfies(e -> assertThat(((PermanentProcessingException) e).errorKind())
                        .isEqualTo(kind));
    }
}
