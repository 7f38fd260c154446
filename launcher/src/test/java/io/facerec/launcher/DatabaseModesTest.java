package io.facerec.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.common.testing.SharedData;
import io.facerec.common.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The origin's database modes on a real PostgreSQL without CDC or a broker: --db, --recognize, --all (repair),
 * --recluster and --dry-run, with the real models.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DatabaseModesTest {
    TestDatabase db;
    JdbcTemplate jdbc;
    DatabaseModes modes;
    Path media;

    @BeforeAll
    void start() throws Exception {
        db = TestDatabase.start();
        jdbc = db.jdbc();
        media = Files.createTempDirectory("facerec-dbmodes");
        SharedData.copyIdentityPhotos(media, List.of("Al_Gore", "Adrien_Brody", "Ai_Sugiyama"), 3);
        modes = DatabaseModes.open(
                Map.of(
                        "spring.datasource.url",
                        db.jdbcUrl(),
                        "facerec.media-root",
                        media.toString(),
                        "facerec.thumbnails-dir",
                        media.resolveSibling(media.getFileName() + "-thumbs").toString(),
                        "facerec.portraits-dir",
                        media.resolveSibling(media.getFileName() + "-portraits").toString()),
                System.err);
        new MediaImporter(
                        modes.context().getBean(MediaFileRepository.class),
                        modes.context().getBean(MediaItemRepository.class),
                        new MediaPathResolver(media))
                .importFiles(MediaImporter.scan(media));
    }

    @AfterAll
    void stop() throws Exception {
        modes.close();
        db.close();
    }

    long count(String sql) {
        return jdbc.queryForObject(sql, Long.class);
    }

    @Test
    @Order(1)
    void dryRunWritesNothing() {
        assertThat(modes.db(true).items()).isEqualTo(9);
        assertThat(count("SELECT COUNT(*) FROM \"Faces\"")).isZero();
        assertThat(count("SELECT COUNT(*) FROM \"MediaItems\" WHERE \"IsFacesExtracted\" = TRUE"))
                .isZero();
    }

    @Test
    @Order(2)
    void dbDetectsEmbedsAndClustersEveryPendingItem() {
        // --db detects (the origin's --db), --recognize embeds and clusters
        assertThat(modes.db(false).items()).isEqualTo(9);
        assertThat(count("SELECT COUNT(*) FROM \"MediaItems\" WHERE \"IsFacesExtracted\" = TRUE"))
                .isEqualTo(9);
        assertThat(count("SELECT COUNT(*) FROM \"Faces\" WHERE \"Embedding\" IS NOT NULL"))
                .isZero();
        assertThat(modes.recognize(false).embedded()).isEqualTo((int) count("SELECT COUNT(*) FROM \"Faces\""));
        assertThat(count("SELECT COUNT(*) FROM \"Faces\" WHERE \"Embedding\" IS NULL"))
                .isZero();
        assertThat(count("SELECT COUNT(DISTINCT \"PersonId\") FROM \"Faces\" WHERE \"FaceIndex\" = 0"))
                .isEqualTo(3);
        assertThat(modes.db(false).items())
                .as("a second pass finds nothing to do")
                .isZero();
        assertThat(modes.failures()).isEmpty();
    }

    @Test
    @Order(3)
    void allRepairsItemsWithoutFacesAndMissingThumbnails() throws Exception {
        long item = count("SELECT MIN(\"Id\") FROM \"MediaItems\"");
        jdbc.update("DELETE FROM \"Faces\" WHERE \"MediaItemId\" = ?", item);
        String thumb = jdbc.queryForObject("SELECT MIN(\"ThumbnailPath\") FROM \"Faces\"", String.class);
        Files.delete(Path.of(thumb));
        jdbc.update("UPDATE \"Faces\" SET \"Embedding\" = NULL WHERE \"Id\" = (SELECT MAX(\"Id\") FROM \"Faces\")");

        int[] dry = modes.repair(true);
        assertThat(dry[0]).isEqualTo(1);
        assertThat(Path.of(thumb)).doesNotExist();

        modes.all(false);
        assertThat(count("SELECT COUNT(*) FROM \"Faces\" WHERE \"MediaItemId\" = " + item))
                .isEqualTo(1);
        assertThat(Path.of(thumb)).exists();
        assertThat(count("SELECT COUNT(*) FROM \"Faces\" WHERE \"Embedding\" IS NULL"))
                .isZero();
        assertThat(count("SELECT COUNT(*) FROM \"Faces\" WHERE \"PersonId\" IS NULL"))
                .isZero();
        assertThat(count("SELECT COUNT(DISTINCT \"PersonId\") FROM \"Faces\"")).isEqualTo(3);
    }

    @Test
    @Order(4)
    void reclusterKeepsPersonIds() {
        List<Long> before = jdbc.queryForList("SELECT \"PersonId\" FROM \"Faces\" ORDER BY \"Id\"", Long.class);
        assertThat(modes.recluster(true).moved()).isZero();
        var r = modes.recluster(false);
        assertThat(r.moved()).isZero();
        assertThat(r.personsCreated()).isZero();
        assertThat(jdbc.queryForList("SELECT \"PersonId\" FROM \"Faces\" ORDER BY \"Id\"", Long.class))
                .isEqualTo(before);
        assertThat(count("SELECT COUNT(*) FROM \"Persons\" WHERE \"PortraitMediaFileId\" IS NOT NULL"))
                .isEqualTo(3);
    }
}
