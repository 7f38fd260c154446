package io.facerec.detector.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class CaptureMappingTest {
    static final CaptureProperties PROPS = new CaptureProperties(
            true,
            CaptureProperties.StartFrom.PENDING_ROWS,
            Path.of("off.dat"),
            Path.of("hist.dat"),
            "Slot",
            "pub",
            "facerec",
            false,
            100);

    @Test
    void mapsInsertsAndSnapshotReadsOfUnextractedRows() {
        assertThat(ChangeEventMapper.map(
                        "{\"op\":\"c\",\"after\":{\"Id\":7,\"MediaFileId\":3,\"IsFacesExtracted\":false}}"))
                .hasValueSatisfying(e -> {
                    assertThat(e.mediaItemId()).isEqualTo(7);
                    assertThat(e.mediaFileId()).isEqualTo(3);
                    assertThat(e.source()).isEqualTo("cdc");
                });
        assertThat(ChangeEventMapper.map(
                        "{\"op\":\"r\",\"after\":{\"Id\":8,\"MediaFileId\":3,\"IsFacesExtracted\":0}}"))
                .hasValueSatisfying(e -> assertThat(e.source()).isEqualTo("snapshot"));
        assertThat(ChangeEventMapper.map(
                        "{\"op\":\"r\",\"after\":{\"Id\":8,\"MediaFileId\":3,\"IsFacesExtracted\":true}}"))
                .isEmpty();
        assertThat(ChangeEventMapper.map("{\"op\":\"u\",\"after\":{\"Id\":8,\"MediaFileId\":3}}"))
                .isEmpty();
        assertThat(ChangeEventMapper.map("{\"op\":\"d\",\"before\":{\"Id\":8},\"after\":null}"))
                .isEmpty();
        assertThatThrownBy(() -> ChangeEventMapper.map("{not json")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void buildsPostgresAndSqlServerConnectorConfigFromTheJdbcUrl() {
        Properties pg = DebeziumConfig.build(PROPS, "jdbc:postgresql://db.local:5433/media", "u", "p");
        assertThat(pg.getProperty("connector.class")).isEqualTo("io.debezium.connector.postgresql.PostgresConnector");
        assertThat(pg.getProperty("database.hostname")).isEqualTo("db.local");
        assertThat(pg.getProperty("database.port")).isEqualTo("5433");
        assertThat(pg.getProperty("database.dbname")).isEqualTo("media");
        assertThat(pg.getProperty("slot.name")).isEqualTo("slot");
        assertThat(pg.getProperty("table.include.list")).isEqualTo("public.MediaItems");
        assertThat(pg.getProperty("snapshot.mode")).isEqualTo("initial");

        Properties ms =
                DebeziumConfig.build(PROPS, "jdbc:sqlserver://sql:1434;databaseName=Media;encrypt=false", "sa", "x");
        assertThat(ms.getProperty("connector.class")).isEqualTo("io.debezium.connector.sqlserver.SqlServerConnector");
        assertThat(ms.getProperty("database.names")).isEqualTo("Media");
        assertThat(ms.getProperty("database.port")).isEqualTo("1434");
        assertThat(ms.getProperty("table.include.list")).isEqualTo("dbo.MediaItems");
        assertThat(ms.getProperty("schema.history.internal.file.filename")).endsWith("hist.dat");

        assertThatThrownBy(() -> DebeziumConfig.parse("jdbc:mysql://x/y")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DebeziumConfig.parse("jdbc:sqlserver://x:1433"))
                .hasMessageContaining("databaseName");
    }
}
