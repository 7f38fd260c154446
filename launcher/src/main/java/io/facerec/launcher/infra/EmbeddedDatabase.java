package io.facerec.launcher.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Zero-setup PostgreSQL: io.zonky embedded PostgreSQL with {@code wal_level=logical}, so Debezium's pgoutput capture
 * works exactly as on a real server.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private final EmbeddedPostgres pg;

    private EmbeddedDatabase(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    /** Starts on a fresh database in {@code dataDir/postgres}. */
    public static EmbeddedDatabase start(Path dataDir) throws IOException {
        return start(dataDir, true);
    }

    /** @param fresh wipe an existing database first; false reopens the one an earlier run left there */
    public static EmbeddedDatabase start(Path dataDir, boolean fresh) throws IOException {
        return start(dataDir, fresh, 0);
    }

    /** @param port fixed port (0 = any free one); a restart on the same port looks to clients like a server outage */
    public static EmbeddedDatabase start(Path dataDir, boolean fresh, int port) throws IOException {
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder();
        if (port > 0) {
            b.setPort(port);
        }
        EmbeddedPostgres pg = b
                .setDataDirectory(dataDir.resolve("postgres"))
                .setCleanDataDirectory(fresh)
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "8")
                .setServerConfig("max_wal_senders", "8")
                .setServerConfig("fsync", "off")
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
        return new EmbeddedDatabase(pg);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
    }

    public String user() {
        return "postgres";
    }

    public String password() {
        return "postgres";
    }

    public int port() {
        return pg.getPort();
    }

    @Override
    public void close() throws IOException {
        pg.close();
    }
}
