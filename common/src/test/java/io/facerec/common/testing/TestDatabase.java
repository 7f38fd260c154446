package io.facerec.common.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** A real PostgreSQL (io.zonky embedded) with the facerec schema migrated by Flyway, for repository-level tests. */
public final class TestDatabase implements AutoCloseable {
    private final EmbeddedPostgres pg;
    private final DataSource dataSource;

    private TestDatabase(EmbeddedPostgres pg) {
        this.pg = pg;
        this.dataSource = pg.getPostgresDatabase();
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration/postgresql")
                .load()
                .migrate();
    }

    public static TestDatabase start() throws IOException {
        return new TestDatabase(EmbeddedPostgres.builder().start());
    }

    /** JDBC URL of the database (user and password: {@code postgres}). */
    public String jdbcUrl() {
        return pg.getJdbcUrl("postgres", "postgres");
    }

    public JdbcTemplate jdbc() {
        return new JdbcTemplate(dataSource);
    }

    public TransactionTemplate tx() {
        return new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    @Override
    public void close() throws IOException {
        pg.close();
    }
}
