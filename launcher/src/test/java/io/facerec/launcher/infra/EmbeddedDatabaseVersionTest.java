package io.facerec.launcher.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded database's PostgreSQL line: a new folder is made by the line the build names
 * ({@link EmbeddedDatabase#POSTGRES_MAJOR}), a folder of another line is refused with what to do, and the binaries of
 * the folder's own line are used even where the shared binaries folder also holds another line's (an earlier facerec
 * unpacked PostgreSQL 14 there).
 */
class EmbeddedDatabaseVersionTest {
    @TempDir
    Path tmp;

    @Test
    void aNewDatabaseIsOfTheLineTheBuildNames() throws Exception {
        Path data = tmp.resolve("data");
        try (EmbeddedDatabase db = EmbeddedDatabase.start(data)) {
            assertThat(Files.readString(data.resolve("postgres/PG_VERSION")).strip()) // (a fresh folder goes at close)
                    .isEqualTo(Integer.toString(EmbeddedDatabase.POSTGRES_MAJOR));
            try (var c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                    var rs = c.createStatement().executeQuery("SHOW server_version_num")) {
                rs.next();
                assertThat(rs.getInt(1) / 10000).isEqualTo(EmbeddedDatabase.POSTGRES_MAJOR);
            }
        }
    }

    @Test
    void aFolderOfAnotherLineIsRefusedWithWhatToDo() throws Exception {
        Path data = tmp.resolve("old");
        Files.createDirectories(data.resolve("postgres"));
        Files.writeString(data.resolve("postgres/PG_VERSION"), "14\n");
        assertThatThrownBy(() -> EmbeddedDatabase.start(data, false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("PostgreSQL 14")
                .hasMessageContaining("PostgreSQL " + EmbeddedDatabase.POSTGRES_MAJOR)
                .hasMessageContaining("docs/operations.md");
    }

    @Test
    void theBinariesOfTheFoldersLineAreChosenNotTheNewestUnpacked() throws Exception {
        Path binaries = tmp.resolve("bin");
        Path seventeen = fakePostgres(binaries.resolve("PG-aaa"), "17.7");
        Thread.sleep(20);
        fakePostgres(binaries.resolve("PG-bbb"), "14.22"); // unpacked later, by an earlier facerec
        assertThat(EmbeddedDatabase.postgresBinary(binaries, "17")).isEqualTo(seventeen);
        assertThat(EmbeddedDatabase.postgresBinary(binaries, "14")).isEqualTo(binaries.resolve("PG-bbb/bin/postgres"));
        assertThatThrownBy(() -> EmbeddedDatabase.postgresBinary(binaries, "16"))
                .hasMessageContaining("PostgreSQL 16");
    }

    private static Path fakePostgres(Path dir, String version) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin")).resolve("postgres");
        Files.writeString(bin, "#!/bin/sh\necho 'postgres (PostgreSQL) " + version + "'\n");
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(dir.resolve(".exists"), "");
        return bin;
    }
}
