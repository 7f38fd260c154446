package io.facerec.detector.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

import io.facerec.common.error.PermanentProcessingException;
import io.facerec.common.event.FacesDetected;
import io.facerec.common.event.MediaItemCaptured;
import io.facerec.common.event.PipelineEvent;
import io.facerec.common.event.ProcessingFailed;
import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.id.FaceId;
import io.facerec.common.id.MediaFileId;
import io.facerec.common.id.MediaItemId;
import io.facerec.common.image.DecodedImage;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.messaging.EventCodec;
import io.facerec.common.model.ModelFile;
import io.facerec.common.model.ModelStore;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.common.persistence.MediaItemStatus;
import io.facerec.common.persistence.PipelineStore;
import io.facerec.common.pipeline.Outcome;
import io.facerec.common.pipeline.StageWorkers;
import io.facerec.common.testing.SharedData;
import io.facerec.common.testing.TestDatabase;
import io.facerec.common.testing.TestImages;
import io.facerec.detector.thumbnail.FaceCropWriter;
import io.facerec.detector.thumbnail.ThumbnailWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Bad and unusual inputs at the detector, every one generated here (no committed binaries; what the loader does with
 * each file alone is {@code common}'s {@code BadImageInputTest}): unusual but valid images still give the face found
 * on the original photo; and, through {@link DetectFacesHandler} on a real PostgreSQL, one batch holding every kind of
 * bad item ends with each of them FAILED on its {@code MediaItems} row with a kind and a message naming the file, a
 * dead letter with the same reason, and the good items of the same batch detected. A record that breaks the batch's
 * transaction is split out of it and only it is dead-lettered.
 */
class BadInputTest {
    /** One clear face, 800x480 (reference box about [351, 108, 482, 284]). */
    static final String PHOTO = "deepframe_hamidMir.jpg";

    static final DetectionSettings SETTINGS = new DetectionSettings(0.75, 0.5, 0);
    static final long MAX_PIXELS = 200_000_000L;

    static RetinaFaceDetector detector;
    static Path photo;
    static BoundingBox originalBox;
    /** One database for the class (the handler tests' items are told apart by their ids). */
    static TestDatabase db;

    @TempDir
    Path tmp;

    @BeforeAll
    static void loadModelAndOriginal() throws Exception {
        db = TestDatabase.start();
        photo = SharedData.require("eval").resolve("detection").resolve(PHOTO);
        detector = new RetinaFaceDetector(
                ModelStore.fromEnvironment().resolve(ModelFile.RETINAFACE_MNET25_V2), 2, false, null);
        try (DecodedImage img = new ImageLoader(MAX_PIXELS).load(photo)) {
            List<DetectedFace> faces = detector.detect(img, SETTINGS);
            assertThat(faces).as("faces on the original photo").hasSize(1);
            originalBox = faces.get(0).box();
        }
    }

    @AfterAll
    static void closeDetectorAndDatabase() throws Exception {
        detector.close();
        db.close();
    }

    /** Grayscale, 16-bit, CMYK, alpha and EXIF-rotated variants: the face is where it is on the original. */
    @Test
    void unusualButValidImagesGiveTheOriginalsFace() {
        Map<String, Double> tolerancePx = Map.of(
                "gray.jpg",
                6.0,
                "gray.png",
                6.0,
                "gray16.png",
                6.0,
                "rgb16.png",
                3.0,
                "cmyk.jpg",
                6.0,
                "alpha.png",
                3.0,
                "exif6.jpg",
                3.0);
        Map<String, Path> variants = TestImages.unusualVariants(photo, tmp);
        assertThat(variants.keySet()).containsExactlyInAnyOrderElementsOf(tolerancePx.keySet());
        for (var v : variants.entrySet()) {
            try (DecodedImage d = new ImageLoader(MAX_PIXELS).load(v.getValue())) {
                List<DetectedFace> faces = detector.detect(d, SETTINGS);
                assertThat(faces).as(v.getKey() + " faces").hasSize(1);
                double diff = maxDiff(faces.get(0).box(), originalBox);
                System.out.printf(
                        "BadInputTest: %s face %s, max coordinate diff to the original %.2f px%n",
                        v.getKey(), faces.get(0).box(), diff);
                assertThat(diff)
                        .as(v.getKey() + " box vs original " + originalBox)
                        .isLessThanOrEqualTo(tolerancePx.get(v.getKey()));
            }
        }
    }

    /** Half a progressive JPEG still holds every scan's start: the whole frame at lower detail, the face found. */
    @Test
    void aTruncatedProgressiveJpegStillShowsTheFace() throws Exception {
        Path cut = Files.write(tmp.resolve("cut-progressive.jpg"), TestImages.truncated(Files.readAllBytes(photo)));
        try (DecodedImage d = new ImageLoader(MAX_PIXELS).load(cut)) {
            List<DetectedFace> faces = detector.detect(d, SETTINGS);
            assertThat(faces)
                    .as("face still found on the truncated progressive JPEG")
                    .hasSize(1);
            assertThat(faces.get(0).box().iou(originalBox)).isGreaterThan(0.8);
        }
    }

    /** A face cut by the photo's edge: found on the padded image, its box clipped, the unclipped one kept too. */
    @Test
    void aFaceCutByThePhotosEdgeKeepsItsUnclippedBox() {
        Path cut = tmp.resolve("cut-face.png");
        try (Mat bgr = imread(photo.toString(), IMREAD_COLOR);
                Rect r = new Rect(380, 0, 420, 480);
                Mat right = new Mat(bgr, r)) {
            assertThat(imwrite(cut.toString(), right)).isTrue();
        }
        try (DecodedImage d = new ImageLoader(MAX_PIXELS).load(cut)) {
            List<DetectedFace> faces = detector.detect(d, new DetectionSettings(0.5, 0.4, 0, 0.25, false));
            assertThat(faces).hasSize(1);
            DetectedFace f = faces.get(0);
            assertThat(f.box().x1()).as("clipped to the photo").isZero();
            assertThat(f.unclipped().x1())
                    .as("the box as detected reaches beyond the edge")
                    .isLessThan(-5);
            assertThat(f.unclipped().x2()).isEqualTo(f.box().x2());
            assertThat(f.unclipped().area()).isGreaterThan(f.box().area());
        }
    }

    // ---------------------------------------------------------------- the handler: rows, dead letters, the batch goes
    // on

    /** What a test handler published and dead-lettered. */
    private static final class Published {
        final List<FacesDetected> events = Collections.synchronizedList(new ArrayList<>());
        final List<ProcessingFailed> deadLetters = Collections.synchronizedList(new ArrayList<>());

        void publish(List<? extends PipelineEvent> out) {
            out.forEach(e -> events.add((FacesDetected) e));
        }

        DeadLetterPublisher deadLetterPublisher() {
            return new DeadLetterPublisher(out -> out.forEach(e -> deadLetters.add((ProcessingFailed) e)), null);
        }
    }

    private DetectFacesHandler handler(
            JdbcTemplate jdbc,
            FaceRepository faces,
            Path root,
            ImageLoader loader,
            Published published,
            StageWorkers workers) {
        MediaDetection detection = new MediaDetection(
                loader,
                detector,
                SETTINGS,
                new ThumbnailWriter(tmp.resolve("thumbs"), 0.2, 112, 20),
                new FaceCropWriter(tmp.resolve("crops"), 448, FaceCropWriter.Format.BMP),
                null,
                MediaDetection.VideoSampling.DEFAULT);
        PipelineStore store = new PipelineStore(
                new MediaItemRepository(jdbc), new MediaFileRepository(jdbc), faces, db.tx(), Clock.systemUTC());
        return new DetectFacesHandler(
                store,
                new MediaPathResolver(root),
                detection,
                workers,
                published::publish,
                published.deadLetterPublisher(),
                null);
    }

    @Test
    void aBatchOfBadItemsMarksEachFailedDeadLettersItAndDetectsTheGoodOnes() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("media"));
        Path outside = Files.copy(photo, tmp.resolve("outside.jpg"));
        Files.write(root.resolve("empty.jpg"), new byte[0]);
        Files.writeString(root.resolve("text.jpg"), "not a photo");
        Files.writeString(root.resolve("vector.png"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        Files.write(root.resolve("bomb.png"), TestImages.pngHeaderOnly(30000, 30000));
        Files.write(root.resolve("pnm.jpg"), TestImages.pnmHeaderOnly(40000, 40000));
        Files.write(root.resolve("cut.jpg"), TestImages.truncated(Files.readAllBytes(photo)));
        Files.createSymbolicLink(root.resolve("link.jpg"), outside);
        Files.copy(photo, root.resolve("good.jpg"));
        Files.copy(photo, root.resolve("good2.jpg"));

        Map<String, String> cases = new LinkedHashMap<>(); // FilePath -> expected ErrorKind ("": detected)
        cases.put("empty.jpg", "EMPTY_FILE");
        cases.put("good.jpg", "");
        cases.put("text.jpg", "NOT_AN_IMAGE");
        cases.put("vector.png", "NOT_AN_IMAGE");
        cases.put("bomb.png", "TOO_MANY_PIXELS");
        cases.put("pnm.jpg", null); // TOO_MANY_PIXELS or NOT_AN_IMAGE
        cases.put("missing.jpg", "FILE_MISSING");
        cases.put("../outside.jpg", "PATH_OUTSIDE_ROOT");
        cases.put(outside.toString(), "PATH_OUTSIDE_ROOT");
        cases.put("link.jpg", "PATH_OUTSIDE_ROOT");
        cases.put("y".repeat(300) + ".jpg", "FILE_MISSING");
        cases.put("cut.jpg", ""); // decoded partially: detected
        cases.put("good2.jpg", ""); // the batch goes on

        List<Path> opened = Collections.synchronizedList(new ArrayList<>());
        ImageLoader recording = new ImageLoader(MAX_PIXELS) {
            @Override
            public DecodedImage load(Path file) {
                opened.add(file);
                return super.load(file);
            }
        };
        Published published = new Published();
        try (StageWorkers workers = new StageWorkers("detector", 2)) {
            JdbcTemplate jdbc = db.jdbc();
            MediaFileRepository files = new MediaFileRepository(jdbc);
            MediaItemRepository items = new MediaItemRepository(jdbc);
            DetectFacesHandler handler = handler(jdbc, new FaceRepository(jdbc), root, recording, published, workers);
            List<MediaItemCaptured> batch = new ArrayList<>();
            Map<Long, String> pathOf = new LinkedHashMap<>();
            for (String filePath : cases.keySet()) {
                String fileName = filePath.substring(filePath.lastIndexOf('/') + 1);
                MediaFileId f = files.insert(filePath, fileName, fileName.substring(fileName.lastIndexOf('.')));
                MediaItemId id = items.insert(f, fileName);
                batch.add(MediaItemCaptured.of(id.value(), f.value(), "cdc"));
                pathOf.put(id.value(), filePath);
            }
            Outcome outcome = handler.handle(batch);
            assertThat(outcome.done()).isEqualTo(3);
            assertThat(outcome.failed()).isEqualTo(10);

            for (MediaItemCaptured event : batch) {
                String filePath = pathOf.get(event.mediaItemId());
                String fileName = filePath.substring(filePath.lastIndexOf('/') + 1);
                String kind = cases.get(filePath);
                var row = items.find(MediaItemId.of(event.mediaItemId())).orElseThrow();
                System.out.printf(
                        "BadInputTest: handler %s -> %s %s %s%n",
                        printable(filePath),
                        row.status(),
                        row.errorKind(),
                        row.lastError() == null ? "" : printable(row.lastError().replace(tmp.toString(), "$TMP")));
                List<ProcessingFailed> letters = published.deadLetters.stream()
                        .filter(d -> d.mediaItemId() == event.mediaItemId())
                        .toList();
                if ("".equals(kind)) {
                    assertThat(row.status()).as(fileName).isEqualTo(MediaItemStatus.DETECTED);
                    assertThat(letters).isEmpty();
                    continue;
                }
                assertThat(row.status()).as(printable(fileName)).isEqualTo(MediaItemStatus.FAILED);
                if (kind == null) {
                    assertThat(row.errorKind()).as(fileName).isIn("TOO_MANY_PIXELS", "NOT_AN_IMAGE");
                } else {
                    assertThat(row.errorKind()).as(printable(fileName)).isEqualTo(kind);
                }
                assertThat(row.lastError())
                        .as("LastError names the file")
                        .contains(fileName.substring(0, Math.min(40, fileName.length())));
                assertThat(letters)
                        .as("one dead letter for " + printable(fileName))
                        .hasSize(1);
                ProcessingFailed dl = letters.get(0);
                assertThat(dl.stage()).isEqualTo("detect");
                assertThat(dl.errorKind()).isEqualTo(row.errorKind());
                assertThat(dl.message()).isEqualTo(row.lastError());
                assertThat(dl.payload()).isEqualTo(EventCodec.encode(event));
            }
            // redelivery of a failed item is skipped, no second dead letter
            long textItem = pathOf.entrySet().stream()
                    .filter(e -> e.getValue().equals("text.jpg"))
                    .findFirst()
                    .orElseThrow()
                    .getKey();
            int dls = published.deadLetters.size();
            assertThat(handler.handle(batch.stream()
                                    .filter(e -> e.mediaItemId() == textItem)
                                    .findFirst()
                                    .orElseThrow())
                            .skipped())
                    .isEqualTo(1);
            assertThat(published.deadLetters).hasSize(dls);
        }
        assertThat(published.deadLetters).hasSize(10);
        assertThat(published.events).hasSize(3);
        FacesDetected good = published.events.stream()
                .filter(e -> e.filePath().equals("good.jpg"))
                .findFirst()
                .orElseThrow();
        assertThat(good.faces()).hasSize(1);
        assertThat(maxDiff(BoundingBox.of(good.faces().get(0).box()), originalBox))
                .isLessThan(0.01);
        assertThat(good.faces().get(0).crop())
                .as("the face's crop is handed to the embedder")
                .isNotNull();
        assertThat(tmp.resolve("crops").resolve(good.faces().get(0).crop().file()))
                .isRegularFile();
        Path realRoot = root.toRealPath();
        assertThat(opened)
                .as("nothing outside the media root was ever handed to the decoder")
                .isNotEmpty()
                .allSatisfy(p -> assertThat(p.toRealPath()).startsWith(realRoot));
        assertThat(opened).doesNotContain(outside, outside.toRealPath());
    }

    /**
     * A record whose rows break the batch's transaction (here: a constraint the database refuses for that item) is
     * split out of its batch: the other items are written, published once each, and only it is dead-lettered.
     */
    @Test
    void aPoisonRecordIsSplitOutOfItsBatchAndOnlyItIsDeadLettered() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("media"));
        Published published = new Published();
        try (StageWorkers workers = new StageWorkers("detector", 2)) {
            JdbcTemplate jdbc = db.jdbc();
            MediaFileRepository files = new MediaFileRepository(jdbc);
            MediaItemRepository items = new MediaItemRepository(jdbc);
            List<MediaItemCaptured> batch = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Files.copy(photo, root.resolve("poison" + i + ".jpg"));
                MediaFileId f = files.insert("poison" + i + ".jpg", "poison" + i + ".jpg", ".jpg");
                batch.add(MediaItemCaptured.of(items.insert(f, "p" + i).value(), f.value(), "cdc"));
            }
            long poison = batch.get(4).mediaItemId();
            int[] writes = {0};
            FaceRepository faces = new FaceRepository(jdbc) {
                @Override
                public List<FaceId> replaceFaces(MediaItemId item, List<NewFace> found, Instant now) {
                    writes[0]++;
                    if (item.value() == poison) {
                        throw new DataIntegrityViolationException("the database refuses the faces of item " + poison);
                    }
                    return super.replaceFaces(item, found, now);
                }
            };
            Outcome outcome = handler(jdbc, faces, root, new ImageLoader(MAX_PIXELS), published, workers)
                    .handle(batch);
            assertThat(outcome.done()).isEqualTo(5);
            assertThat(outcome.failed()).isEqualTo(1);
            assertThat(published.deadLetters).hasSize(1);
            assertThat(published.deadLetters.get(0).mediaItemId()).isEqualTo(poison);
            assertThat(published.deadLetters.get(0).errorKind()).isEqualTo(PermanentProcessingException.UNPROCESSABLE);
            assertThat(published.events)
                    .extracting(FacesDetected::mediaItemId)
                    .doesNotHaveDuplicates()
                    .hasSize(5)
                    .doesNotContain(poison);
            for (MediaItemCaptured e : batch) {
                var row = items.find(MediaItemId.of(e.mediaItemId())).orElseThrow();
                assertThat(row.status())
                        .isEqualTo(e.mediaItemId() == poison ? MediaItemStatus.FAILED : MediaItemStatus.DETECTED);
            }
            assertThat(faces
                            .findByMediaItems(batch.stream()
                                    .map(e -> MediaItemId.of(e.mediaItemId()))
                                    .toList())
                            .values()
                            .stream()
                            .mapToInt(List::size)
                            .sum())
                    .isEqualTo(5);
            assertThat(writes[0])
                    .as("the whole batch tried first, then halves down to the poison record")
                    .isGreaterThan(6);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static double maxDiff(BoundingBox a, BoundingBox b) {
        return Math.max(
                Math.max(Math.abs(a.x1() - b.x1()), Math.abs(a.y1() - b.y1())),
                Math.max(Math.abs(a.x2() - b.x2()), Math.abs(a.y2() - b.y2())));
    }

    private static String printable(String s) {
        String t = s.replace("\0", "\\0");
        return t.length() > 160 ? t.substring(0, 160) + "…(" + t.length() + " chars)" : t;
    }
}
