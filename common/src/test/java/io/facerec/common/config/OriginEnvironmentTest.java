package io.facerec.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OriginEnvironmentTest {
    @TempDir
    Path tmp;

    @Test
    void readsTheOriginsDotenvAndTheEnvironmentWins() throws Exception {
        // the origin's .env as its manual and its repository write them: quoted, one value over several lines,
        // a Windows path with a backslash, trailing spaces after a quote, comments
        Path env = Files.writeString(
                tmp.resolve(".env"),
                String.join(
                        "\n",
                        "#SQL_CONNECTION_STRING=\"Driver={ODBC Driver 17 for SQL Server};Server=old\"",
                        "SQL_CONNECTION_STRING=\"Driver={SQL Server};",
                        "Server=sql.local,1433;",
                        "Database=MetaData;",
                        "Encrypt=no;",
                        "TrustServerCertificate=no;\"",
                        "THUMBNAIL_SAVE_PATH=\"C:/data/Thumbnails\"",
                        "DB_PREFIX=\"C:/Users/ADMIN/Pictures\"  ",
                        "CONTAINER_IMAGES_ROOT='/srv/photos'",
                        "ROOT_PATH=\"C:\\data\\\"",
                        ""));
        Map<String, String> file = OriginEnvironment.readDotenv(env);
        assertThat(file)
                .containsEntry("THUMBNAIL_SAVE_PATH", "C:/data/Thumbnails")
                .containsEntry("DB_PREFIX", "C:/Users/ADMIN/Pictures")
                .containsEntry("CONTAINER_IMAGES_ROOT", "/srv/photos")
                .containsEntry("ROOT_PATH", "C:\\data\\");
        assertThat(file.get("SQL_CONNECTION_STRING"))
                .contains("Server=sql.local,1433;")
                .contains("Database=MetaData;");

        Map<String, String> vars = OriginEnvironment.variables(Map.of("DB_PREFIX", "D:/other"), file);
        assertThat(vars).containsEntry("DB_PREFIX", "D:/other").containsEntry("ROOT_PATH", "C:\\data\\");
        Map<String, Object> d = OriginEnvironment.defaults(vars);
        assertThat(d)
                .containsEntry(
                        "spring.datasource.url",
                        "jdbc:sqlserver://sql.local:1433;databaseName=MetaData;encrypt=false;trustServerCertificate=false")
                .containsEntry("THUMBNAIL_SAVE_PATH", "C:/data/Thumbnails")
                .containsEntry("DB_PREFIX", "D:/other")
                .containsEntry("CONTAINER_IMAGES_ROOT", "/srv/photos")
                .doesNotContainKey("SQL_CONNECTION_STRING");
        assertThat(OriginEnvironment.readDotenv(tmp.resolve("none/.env"))).isEmpty();
    }

    @Test
    void aMalformedDotenvIsAClearError() throws Exception {
        Path env = Files.writeString(tmp.resolve(".env"), "DB_PREFIX=C:/x\nnot an entry\n");
        Assertions.assertThatThrownBy(() -> OriginEnvironment.readDotenv(env))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(env.toString());
    }

    @Test
    void turnsTheOriginsOdbcStringIntoAJdbcUrl() {
        var ds = OriginEnvironment.parse("DRIVER={ODBC Driver 17 for SQL Server};SERVER=tcp:sql.local,1433;"
                + "DATABASE=Media;UID=facerec;PWD={p;w=d};TrustServerCertificate=yes");
        assertThat(ds.url())
                .isEqualTo(
                        "jdbc:sqlserver://sql.local:1433;databaseName=Media;encrypt=false;trustServerCertificate=true");
        assertThat(ds.user()).isEqualTo("facerec");
        assertThat(ds.password()).isEqualTo("p;w=d");
        assertThat(OriginEnvironment.parse("jdbc:postgresql://h/db").url()).isEqualTo("jdbc:postgresql://h/db");
        assertThatThrownBy(() -> OriginEnvironment.parse("DRIVER=x;UID=y")).hasMessageContaining("SERVER");
    }

    @Test
    void anExplicitSpringUrlWins() {
        assertThat(OriginEnvironment.defaults(Map.of("SQL_CONNECTION_STRING", "SERVER=s;DATABASE=d")))
                .containsEntry("spring.datasource.url", "jdbc:sqlserver://s;databaseName=d;encrypt=false");
        assertThat(OriginEnvironment.defaults(Map.of(
                        "SQL_CONNECTION_STRING",
                        "SERVER=s;DATABASE=d",
                        "SPRING_DATASOURCE_URL",
                        "jdbc:postgresql://x/y")))
                .isEmpty();
    }
}
