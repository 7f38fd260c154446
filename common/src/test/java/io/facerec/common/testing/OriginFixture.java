package io.facerec.common.testing;

import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.init.ScriptUtils;

/**
 * The origin database fixture ({@code db/origin/postgresql/origin_database.sql}: the origin's tables and rows as its
 * code wrote them) and the Flyway configuration facerec's workers use ({@code spring.flyway.*} of
 * {@code facerec-common.properties}), for tests that adopt an origin database.
 */
public final class OriginFixture {
    public static final String POSTGRESQL = "db/origin/postgresql/origin_database.sql";
    public static final String SQLSERVER = "db/origin/sqlserver/origin_database.sql";
    /** The origin's DB_PREFIX of the fixture's MediaFile.FilePath values. */
    public static final String DB_PREFIX =
            "C:/Users/ADMIN/Downloads/DeepFrame-UP/services/image_grouping/image_face_detection/Images";

    private OriginFixture() {}

    /** Creates the origin's tables and rows in an empty PostgreSQL database. */
    public static void load(DataSource ds) {
        try (var con = ds.getConnection()) {
            ScriptUtils.executeSqlScript(con, new ClassPathResource(POSTGRESQL));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Flyway as the workers configure it (the baseline settings of {@code facerec-common.properties}). */
    public static Flyway flyway(DataSource ds) {
        Properties p = new Properties();
        try (InputStream in = new ClassPathResource("io/facerec/common/facerec-common.properties").getInputStream()) {
            p.load(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Flyway.configure()
                .dataSource(ds)
                .locations("classpath:db/migration/postgresql")
                .baselineOnMigrate(Boolean.parseBoolean(p.getProperty("spring.flyway.baseline-on-migrate")))
                .baselineVersion(p.getProperty("spring.flyway.baseline-version"))
                .load();
    }
}
