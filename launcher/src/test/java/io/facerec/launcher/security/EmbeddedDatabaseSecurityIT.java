package io.facerec.launcher.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facerec.common.testing.OtherAccount;
import io.facerec.launcher.infra.EmbeddedDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Findings 2 and 4 of the security review against the real embedded PostgreSQL: it trusted every local connection as
 * superuser ({@code postgres/postgres}, {@code trust} in {@code pg_hba.conf}), and its binaries came from the shared,
 * world-writable {@code /tmp/embedded-pg}. Now: a random password (scram-sha-256) for every connection, kept 0600 in
 * the 0700 data folder; the binaries unpacked in a folder of this account only; and a data folder from an earlier run
 * converted when opened, its rows kept.
 */
class EmbeddedDatabaseSecurityIT {
    @TempDir
    Path tmp;

    /** The data folder in an open (0755) parent, so only facerec's own permissions keep other accounts out. */
    Path dataDir() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        return tmp.resolve("data");
    }

    static Connection connect(EmbeddedDatabase db, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(db.jdbcUrl(), p);
    }

    @Test
    void onlyThePasswordInThePrivateDataFolderLetsAnyoneIn() throws Exception {
        Path data = dataDir();
        try (EmbeddedDatabase db = EmbeddedDatabase.start(data)) {
            try (Connection c = connect(db, "postgres", db.password())) {
                assertThat(c.createStatement().executeQuery("SELECT 1").next()).isTrue();
            }
            // what every local account could do before: connect as the superuser without a password, or with the old
            // one
            assertThatThrownBy(() -> connect(db, "postgres", null).close())
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("password");
            assertThatThrownBy(() -> connect(db, "postgres", "postgres").close())
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("password authentication failed");
            assertThat(db.password()).matches("[A-Za-z0-9_-]{43}");
            assertThat(Files.readString(data.resolve(EmbeddedDatabase.PASSWORD_FILE))
                            .strip())
                    .isEqualTo(db.password());
            String hba = Files.readString(data.resolve("postgres/pg_hba.conf"));
            assertThat(hba.lines().filter(l -> !l.startsWith("#") && !l.isBlank()))
                    .isNotEmpty()
                    .allSatisfy(l -> assertThat(l).endsWith("scram-sha-256"));
            assertThat(hba).doesNotContain("trust");
            // another local account: no access to the folder, the password file or the database files
            OtherAccount.cannotRead(data);
            OtherAccount.cannotRead(data.resolve(EmbeddedDatabase.PASSWORD_FILE));
            OtherAccount.cannotRead(data.resolve("postgres"));
            if (OtherAccount.available() && Files.isExecutable(Path.of("/usr/bin/psql"))) {
                // the real psql, as nobody, as postgres, without a password (what finding 2 did)
                var r = OtherAccount.run(
                        "/usr/bin/psql",
                        "-w",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        Integer.toString(db.port()),
                        "-U",
                        "postgres",
                        "-c",
                        "COPY (SELECT 1) TO PROGRAM 'id'");
                assertThat(r.exit()).as(r.output()).isNotZero();
                assertThat(r.output()).contains("no password supplied");
            }
            // the running server is the binary from our private folder, not from /tmp/embedded-pg
            long pid = Long.parseLong(Files.readAllLines(data.resolve("postgres/postmaster.pid"))
                    .get(0)
                    .strip());
            Path exe = Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe"));
            assertThat(exe.toString())
                    .doesNotStartWith("/tmp/embedded-pg")
                    .contains("embedded-pg")
                    .endsWith("/bin/postgres");
            Path pgFolder = exe.getParent().getParent().getParent(); // .../embedded-pg/PG-<md5>/bin/postgres
            assertThat(pgFolder.getParent())
                    .satisfies(p -> assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                            .isEqualTo("rwx------"));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pgFolder)))
                    .isEqualTo("rwx------");
        }
    }

    @Test
    void aDataFolderFromAnEarlierRunIsConvertedAndKeepsItsRows() throws Exception {
        Path data = dataDir();
        // the way facerec left its database before: trust authentication, no password
        try (EmbeddedPostgres old = EmbeddedPostgres.builder()
                .setDataDirectory(data.resolve("postgres"))
                .setCleanDataDirectory(false)
                .start()) {
            try (Connection c = old.getPostgresDatabase().getConnection()) {
                c.createStatement().execute("CREATE TABLE kept (id int); INSERT INTO kept VALUES (1), (2), (3)");
            }
        }
        assertThat(Files.readString(data.resolve("postgres/pg_hba.conf"))).contains("trust");
        try (EmbeddedDatabase db = EmbeddedDatabase.start(data, false)) {
            try (Connection c = connect(db, "postgres", db.password())) {
                var rs = c.createStatement().executeQuery("SELECT count(*) FROM kept");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(3);
            }
            assertThatThrownBy(() -> connect(db, "postgres", null).close()).isInstanceOf(SQLException.class);
            assertThat(Files.readString(data.resolve("postgres/pg_hba.conf"))).doesNotContain("trust");
            String password = db.password();
            db.close();
            // reopened again: the same password from the file
            try (EmbeddedDatabase again = EmbeddedDatabase.start(data, false)) {
                assertThat(again.password()).isEqualTo(password);
                try (Connection c = connect(again, "postgres", password)) {
                    assertThat(c.isValid(5)).isTrue();
                }
            }
        }
    }
}
