package io.facerec.common.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.common.testing.OriginFixture;
import io.facerec.common.testing.OriginQueries;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The migrations adopt a database the origin filled (the origin fixture on a real PostgreSQL): every value the origin
 * wrote stays as it was, its own read queries answer as before, its own writes still work, and facerec's columns,
 * numbering and unique index are in place. A database facerec created is migrated as before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OriginMigrationTest {
    EmbeddedPostgres pg;

    @BeforeAll
    void start() throws Exception {
        pg = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    void stop() throws Exception {
        pg.close();
    }

    DataSource database(String name) {
        new JdbcTemplate(pg.getPostgresDatabase()).execute("CREATE DATABASE " + name);
        return pg.getDatabase("postgres", name);
    }

    @Test
    void adoptsTheOriginsDatabaseWithoutChangingWhatItWrote() {
        DataSource ds = database("origin");
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        OriginFixture.load(ds);
        Map<String, List<List<String>>> before = OriginQueries.run(jdbc);

        Flyway flyway = OriginFixture.flyway(ds);
        flyway.migrate();

        assertThat(OriginQueries.run(jdbc))
                .as("the origin's own queries answer as before")
                .isEqualTo(before);
        assertThat(jdbc.queryForList(
                        "SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank",
                        String.class))
                .as("baselined at 2: V1/V2 never run on an origin database")
                .containsExactly("2", "3", "4", "5");

        // facerec's columns: the pipeline's, with what its code needs filled in
        assertThat(jdbc.queryForList(
                        "SELECT \"MediaItemId\" || ':' || \"FaceIndex\" FROM \"Faces\" ORDER BY \"Id\"", String.class))
                .as("faces numbered per item in the origin's order (its _TN1, _TN2)")
                .containsExactly(
                        "1:0", "2:0", "3:0", "4:0", "5:0", "6:0", "7:0", "8:0", "9:0", "9:1", "10:0", "10:1", "11:0");
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'UQ_Faces_Item_Frame_Index'", Integer.class))
                .isOne();
        assertThat(jdbc.queryForList("SELECT \"Status\" FROM \"MediaItems\" ORDER BY \"Id\"", String.class))
                .containsExactly(
                        "DETECTED",
                        "DETECTED",
                        "DETECTED",
                        "DETECTED",
                        "DETECTED",
                        "DETECTED",
                        "DETECTED",
                        "DETECTED",
                        "DETECTED",
                        "DETECTED",
                        "DETECTED",
                        "DETECTED",
                        "PENDING",
                        "PENDING",
                        "PENDING",
                        "PENDING");
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM \"Faces\" WHERE \"FrameNumber\" IS NULL AND \"Landmarks\" IS NULL "
                                + "AND \"Score\" IS NULL AND \"EmbeddingModel\" IS NULL AND \"DetectorBox\" IS NULL",
                        Integer.class))
                .as("nothing invented for the origin's rows")
                .isEqualTo(13);
        assertThat(jdbc.queryForObject(
                        "SELECT data_type FROM information_schema.columns WHERE table_name = 'Persons' "
                                + "AND column_name = 'PortraitFaceId'",
                        String.class))
                .as("the type of the origin's Faces.Id")
                .isEqualTo("integer");
        assertThat(jdbc.queryForObject(
                        "SELECT data_type FROM information_schema.columns WHERE table_name = 'Persons' "
                                + "AND column_name = 'Rank'",
                        String.class))
                .isEqualTo("character varying");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM \"FaceRejections\"", Integer.class))
                .isZero();

        // the origin's own writes (detect_faces.update_database, assign_clusters, update_face_embedding,
        // update_portrait_with_existing_mediafile) still work: a way back stays open
        new TransactionTemplate(new DataSourceTransactionManager(ds)).executeWithoutResult(s -> {
            LocalDateTime now = LocalDateTime.now();
            for (String box : List.of("[1.0, 2.0, 30.0, 31.0]", "[40.0, 2.0, 70.0, 32.0]")) {
                jdbc.update(
                        "INSERT INTO \"Faces\" (\"MediaItemId\", \"BoundingBox\", \"Name\", \"CreatedAt\", "
                                + "\"IsUserVerified\") VALUES (?, ?, ?, ?, ?)",
                        13,
                        box,
                        "imran_khan_img_TN1.jpg",
                        now,
                        false);
            }
            Long person = jdbc.queryForObject(
                    "INSERT INTO \"Persons\" (\"Name\", \"Rank\", \"Appointment\", \"CreatedAt\", "
                            + "\"Type\") VALUES (?, NULL, NULL, ?, ?) RETURNING \"Id\"",
                    Long.class,
                    "Unknown-0",
                    now,
                    0);
            jdbc.update("UPDATE \"Faces\" SET \"PersonId\" = ?, \"ModifiedAt\" = ? WHERE \"Id\" = ?", person, now, 12);
            jdbc.update(
                    "UPDATE \"Faces\" SET \"Embedding\" = ?, \"ModifiedAt\" = ? WHERE \"Id\" = ?",
                    new byte[2048],
                    now,
                    13);
            jdbc.update(
                    "UPDATE \"Persons\" SET \"PortraitMediaFileId\" = ?, \"ModifiedAt\" = ? WHERE \"Id\" = ?",
                    11,
                    now,
                    person);
            jdbc.update("UPDATE \"MediaFile\" SET \"ModifiedAt\" = ? WHERE \"Id\" = ?", now, 11);
            jdbc.update(
                    "UPDATE \"MediaItems\" SET \"IsFacesExtracted\" = TRUE, \"FacesExtractedOn\" = ? WHERE \"Id\" = ?",
                    now,
                    13);
            s.setRollbackOnly();
        });

        // every later start: nothing to do, nothing changed
        flyway.migrate();
        assertThat(OriginQueries.run(jdbc)).isEqualTo(before);
        assertThat(flyway.info().pending()).isEmpty();
    }

    @Test
    void aDatabaseFacerecCreatedKeepsItsHistoryAndGetsRankAsText() {
        DataSource ds = database("facerec_v2");
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        Flyway.configure()
                .dataSource(ds)
                .locations("classpath:db/migration/postgresql")
                .target("2")
                .load()
                .migrate();
        jdbc.update("INSERT INTO \"Persons\" (\"Name\", \"Rank\") VALUES ('x', 7)");
        assertThat(jdbc.queryForObject(
                        "SELECT data_type FROM information_schema.columns WHERE table_name = 'Persons' "
                                + "AND column_name = 'Rank'",
                        String.class))
                .isEqualTo("integer");

        OriginFixture.flyway(ds).migrate();

        assertThat(jdbc.queryForList(
                        "SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank",
                        String.class))
                .containsExactly("1", "2", "3", "4", "5");
        assertThat(jdbc.queryForObject("SELECT \"Rank\" FROM \"Persons\"", String.class))
                .isEqualTo("7");
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'Faces' "
                                + "AND column_name IN ('DetectorBox', 'OriginEmbedding')",
                        Integer.class))
                .isEqualTo(2);
        assertThat(jdbc.queryForObject(
                        "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'Faces' "
                                + "AND column_name = 'Landmarks'",
                        String.class))
                .as("the callback left V1's schema alone")
                .isEqualTo("NO");
    }

    @Test
    void anEmptyDatabaseGetsTheWholeSchema() {
        DataSource ds = database("empty");
        OriginFixture.flyway(ds).migrate();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        assertThat(jdbc.queryForList(
                        "SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank",
                        String.class))
                .containsExactly("1", "2", "3", "4", "5");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM \"Faces\"", Integer.class))
                .isZero();
    }
}
