package io.facerec.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OriginEnvironmentTest {

    @Test
    void turnsTheOriginsOdbcStringIntoAJdbcUrl() {
        var ds = OriginEnvironment.parse("DRIVER={ODBC Driver 17 for SQL Server};SERVER=tcp:sql.local,1433;"
                + "DATABASE=Media;UID=facerec;PWD={p;w=d};TrustServerCertificate=yes");
        assertThat(ds.url()).isEqualTo("jdbc:sqlserver://sql.local:1433;databaseName=Media;encrypt=false;trustServerCertificate=true");
        assertThat(ds.user()).isEqualTo("facerec");
        assertThat(ds.password()).isEqualTo("p;w=d");
        assertThat(OriginEnvironment.parse("jdbc:postgresql://h/db").url()).isEqualTo("jdbc:postgresql://h/db");
        assertThatThrownBy(() -> OriginEnvironment.parse("DRIVER=x;UID=y")).hasMessageContaining("SERVER");
    }

    @Test
    void anExplicitSpringUrlWins() {
        assertThat(OriginEnvironment.defaults(Map.of("SQL_CONNECTION_STRING", "SERVER=s;DATABASE=d")))
                .containsEntry("spring.datasource.url", "jdbc:sqlserver://s;databaseName=d;encrypt=false");
        assertThat(OriginEnvironment.defaults(Map.of("SQL_CONNECTION_STRING", "SERVER=s;DATABASE=d",
                "SPRING_DATASOURCE_URL", "jdbc:postgresql://x/y"))).isEmpty();
    }
}
