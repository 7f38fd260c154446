package io.facerec.common.portrait;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.geometry.Landmarks;
import io.facerec.common.id.FaceId;
import io.facerec.common.id.MediaItemId;
import io.facerec.common.id.PersonId;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.common.persistence.PersonRepository;
import io.facerec.common.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The origin's portrait rule applied to a person in the database: the sharpest face (faces the origin stored measured
 * on their thumbnails, found by {@code Faces.Name}), {@code PortraitMediaFileId}, {@code MediaFile.ModifiedAt} and the
 * {@code Person_<id>_portrait.jpg} copy; the streaming form only lets the newly joined faces compete.
 */
class PortraitsTest {
    static TestDatabase db;
    static JdbcTemplate jdbc;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.start();
        jdbc = db.jdbc();
    }

    @AfterAll
    static void stop() throws Exception {
        db.close();
    }

    /** A grey 112 x 112 thumbnail: flat (sharpness 0) or with a checkerboard of the given contrast. */
    static void thumbnail(Path file, int contrast) {
        try (Mat m = new Mat(112, 112, CV_8UC1);
                UByteIndexer idx = m.createIndexer()) {
            for (int y = 0; y < 112; y++) {
                for (int x = 0; x < 112; x++) {
                    idx.put(y, x, 128 + (((x / 2 + y / 2) % 2 == 0) ? contrast : -contrast));
                }
            }
            imwrite(file.toString(), m);
        }
    }

    static DetectedFace face() {
        return new DetectedFace(0.99, new BoundingBox(10, 10, 60, 60), new Landmarks(new double[][] {
            {20, 30}, {50, 30}, {35, 40}, {22, 50}, {48, 50}
        }));
    }

    @Test
    void theSharpestFaceBecomesThePortraitWithTheOriginsFile() throws Exception {
        FaceRepository faces = new FaceRepository(jdbc);
        PersonRepository persons = new PersonRepository(jdbc);
        MediaFileRepository files = new MediaFileRepository(jdbc);
        MediaItemRepository items = new MediaItemRepository(jdbc);
        Path thumbs = Files.createDirectories(tmp.resolve("Thumbnails"));
        Path originThumbs = Files.createDirectories(tmp.resolve("root/Thumbnails"));
        Path out = tmp.resolve("individuals_portraits");
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

        PersonId person = persons.create(t0);
        List<Long> mediaFiles = new ArrayList<>();
        List<FaceId> ids = new ArrayList<>();
        int[] contrast = {0, 40, 10};
        for (int i = 0; i < 3; i++) {
            var f = files.insert("p" + i + ".jpg", "p" + i + ".jpg", ".jpg");
            mediaFiles.add(f.value());
            MediaItemId item = items.insert(f, "p" + i + ".jpg");
            FaceId id = faces.replaceFaces(
                            item,
                            List.of(new FaceRepository.NewFace(0, 0, face(), null, null, null, "p" + i + "_TN1.jpg")),
                            t0)
                    .get(0);
            faces.assignPerson(id, person, t0);
            ids.add(id);
            // the origin's thumbnails: one in the thumbnails directory, the others under ROOT_PATH/Thumbnails
            thumbnail((i == 0 ? thumbs : originThumbs).resolve("p" + i + "_TN1.jpg"), contrast[i]);
        }
        Portraits portraits =
                new Portraits(faces, persons, files, new Portraits.Locations(out, List.of(thumbs, originThumbs)));
        Instant t1 = Instant.parse("2026-02-01T00:00:00Z");
        portraits.update(person, t1);

        assertThat(persons.portrait(person).faceId()).isEqualTo(ids.get(1).value());
        assertThat(persons.portrait(person).mediaFileId()).isEqualTo(mediaFiles.get(1));
        assertThat(jdbc.queryForObject(
                        "SELECT \"ModifiedAt\" FROM \"MediaFile\" WHERE \"Id\" = ?",
                        LocalDateTime.class,
                        mediaFiles.get(1)))
                .isEqualTo(LocalDateTime.ofInstant(t1, ZoneId.systemDefault()));
        assertThat(Files.readAllBytes(out.resolve("Person_" + person.value() + "_portrait.jpg")))
                .isEqualTo(Files.readAllBytes(originThumbs.resolve("p1_TN1.jpg")));
        assertThat(jdbc.queryForList(
                        "SELECT \"Sharpness\" FROM \"Faces\" WHERE \"PersonId\" = ? ORDER BY \"Id\"",
                        Double.class,
                        person.value()))
                .as("measured once on the thumbnails, then stored")
                .satisfies(s -> assertThat(s.get(0)).isZero())
                .satisfies(s -> assertThat(s.get(1)).isGreaterThan(s.get(2)).isGreaterThan(0.0));

        // the streaming form: a less sharp newcomer leaves the portrait alone, a sharper one takes over
        var f = files.insert("p3.jpg", "p3.jpg", ".jpg");
        MediaItemId item = items.insert(f, "p3.jpg");
        FaceId dull = faces.replaceFaces(item, List.of(new FaceRepository.NewFace(0, 0, face(), null, 1.0)), t1)
                .get(0);
        faces.assignPerson(dull, person, t1);
        portraits.offer(person, List.of(dull), t1);
        assertThat(persons.portrait(person).faceId()).isEqualTo(ids.get(1).value());
        var g = files.insert("p4.jpg", "p4.jpg", ".jpg");
        Path sharpThumb = thumbs.resolve("p4.jpg");
        thumbnail(sharpThumb, 100);
        FaceId sharp = faces.replaceFaces(
                        items.insert(g, "p4.jpg"),
                        List.of(new FaceRepository.NewFace(0, 0, face(), sharpThumb.toString(), 1e9)),
                        t1)
                .get(0);
        faces.assignPerson(sharp, person, t1);
        portraits.offer(person, List.of(sharp), t1);
        assertThat(persons.portrait(person).faceId()).isEqualTo(sharp.value());
        assertThat(Files.readAllBytes(out.resolve("Person_" + person.value() + "_portrait.jpg")))
                .isEqualTo(Files.readAllBytes(sharpThumb));

        // a dry run writes no file
        Path dryOut = tmp.resolve("dry");
        new Portraits(faces, persons, files, new Portraits.Locations(dryOut, List.of(thumbs)))
                .dryRun()
                .update(person, t1);
        assertThat(dryOut).doesNotExist();
    }
}
