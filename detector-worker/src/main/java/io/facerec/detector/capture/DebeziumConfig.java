package io.facerec.detector.capture;

import java.net.URI;
import java.util.Locale;
import java.util.Properties;

/**
 * Builds the Debezium embedded engine's properties from the JDBC URL the workers already use: the one place where
 * capture settings become Debezium's string keys. PostgreSQL (pgoutput) and SQL Server (CDC) are supported.
 */
public final class DebeziumConfig {
    private DebeziumConfig() {}

    /** Database endpoint parsed from a JDBC URL. */
    public record Endpoint(String kind, String host, int port, String database) {}

    public static Endpoint parse(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:postgresql://")) {
            URI u = URI.create(jdbcUrl.substring("jdbc:".length()));
            String db = u.getPath() == null || u.getPath().length() <= 1
                    ? "postgres"
                    : u.getPath().substring(1);
            return new Endpoint("postgres", u.getHost(), u.getPort() < 0 ? 5432 : u.getPort(), db);
        }
        if (jdbcUrl.startsWith("jdbc:sqlserver://")) {
            String rest = jdbcUrl.substring("jdbc:sqlserver://".length());
            String hostPart = rest.split(";", 2)[0];
            String host = hostPart;
            int port = 1433;
            if (hostPart.contains(":")) {
                host = hostPart.substring(0, hostPart.indexOf(':'));
                port = Integer.parseInt(hostPart.substring(hostPart.indexOf(':') + 1));
            }
            if (host.contains("\\")) {
                host = host.substring(0, host.indexOf('\\'));
            }
            String db = null;
            for (String part : rest.split(";")) {
                String[] kv = part.split("=", 2);
                if (kv.length == 2
                        && (kv[0].trim().equalsIgnoreCase("databaseName")
                                || kv[0].trim().equalsIgnoreCase("database"))) {
                    db = kv[1].trim();
                }
            }
            if (db == null) {
                throw new IllegalArgumentException(
                        "the SQL Server JDBC URL needs databaseName=... for change data capture");
            }
            return new Endpoint("sqlserver", host, port, db);
        }
        throw new IllegalArgumentException("change data capture supports PostgreSQL and SQL Server, not " + jdbcUrl);
    }

    public static Properties build(CaptureProperties c, String jdbcUrl, String user, String password) {
        Endpoint e = parse(jdbcUrl);
        Properties p = new Properties();
        p.setProperty("name", "facerec-media-items");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        p.setProperty(
                "offset.storage.file.filename", c.offsetFile().toAbsolutePath().toString());
        p.setProperty("offset.flush.interval.ms", "1000");
        p.setProperty("poll.interval.ms", Integer.toString(c.pollIntervalMs()));
        p.setProperty("topic.prefix", c.topicPrefix());
        p.setProperty("database.hostname", e.host());
        p.setProperty("database.port", Integer.toString(e.port()));
        p.setProperty("database.user", user == null ? "" : user);
        p.setProperty("database.password", password == null ? "" : password);
        p.setProperty("key.converter.schemas.enable", "false");
        p.setProperty("value.converter.schemas.enable", "false");
        p.setProperty("converter.schemas.enable", "false");
        p.setProperty("tombstones.on.delete", "false");
        p.setProperty(
                "snapshot.mode", c.startFrom() == CaptureProperties.StartFrom.PENDING_ROWS ? "initial" : "no_data");
        // A lost connection is retried by Debezium a few times (0.3 s doubling to 10 s, about 20 s in all); after that
        // the engine stops, the capture health turns DOWN, and MediaItemCapture restarts it from the committed offsets
        // with its own back-off (5 s doubling to 60 s) for as long as the process runs. (Debezium's default, -1,
        // retries for ever inside an engine that still looks RUNNING.)
        p.setProperty("errors.max.retries", "6");
        if (e.kind().equals("postgres")) {
            p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
            p.setProperty("database.dbname", e.database());
            p.setProperty("plugin.name", "pgoutput");
            p.setProperty("slot.name", c.slotName().toLowerCase(Locale.ROOT));
            p.setProperty("publication.name", c.publicationName().toLowerCase(Locale.ROOT));
            p.setProperty("publication.autocreate.mode", "filtered");
            p.setProperty("table.include.list", "public.MediaItems");
            p.setProperty("slot.drop.on.stop", Boolean.toString(c.dropSlotOnStop()));
        } else {
            p.setProperty("connector.class", "io.debezium.connector.sqlserver.SqlServerConnector");
            p.setProperty("database.names", e.database());
            p.setProperty("database.encrypt", "false");
            p.setProperty("table.include.list", "dbo.MediaItems");
            p.setProperty("schema.history.internal", "io.debezium.storage.file.history.FileSchemaHistory");
            p.setProperty(
                    "schema.history.internal.file.filename",
                    c.schemaHistoryFile().toAbsolutePath().toString());
        }
        return p;
    }
}
