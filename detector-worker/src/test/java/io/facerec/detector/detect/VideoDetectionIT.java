package io.facerec.detector.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.common.event.FacesDetected;
import io.facerec.common.event.MediaItemCaptured;
import io.facerec.common.event.ProcessingFailed;
import io.facerec.common.files.FilePermissions;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.id.MediaFileId;
import io.facerec.common.id.MediaItemId;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.image.VideoFrameStore;
import io.facerec.common.image.VideoFrames;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.model.ModelFile;
import io.facerec.common.model.ModelStore;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.common.persistence.MediaItemStatus;
import io.facerec.common.persistence.PipelineStore;
import io.facerec.common.pipeline.StageWorkers;
import io.facerec.common.testing.SharedData;
import io.facerec.common.testing.TestDatabase;
import io.facerec.common.testing.TestVideos;
import io.facerec.common.testing.TestVideos.Scene;
import io.facerec.detector.thumbnail.ThumbnailWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Video media items: a 4-second MP4 the test encodes from two detection photos (one face moving for 2 s, 1 s of black,
 * then two faces for 1 s) goes through {@link DetectFacesHandler} on a real PostgreSQL with the real RetinaFace model.
 * Sampling every 0.5 s gives 8 frames with 8 face detections; the track rule keeps one row per track (3), each the
 * track's highest-scoring detection with its frame number.
 */
class VideoDetectionIT {
    static final int FPS = 10;
    static final DetectionSettings SETTINGS = new DetectionSettings(0.75, 0.4, 0);

    static RetinaFaceDetector detector;

    @TempDir
    static Path tmp;

    static Path video;

    @BeforeAll
    static void encode() throws Exception {
        Path detection = SharedData.require("eval").resolve("detection");
        detector = new RetinaFaceDetector(
                ModelStore.fromEnvironment().resolve(ModelFile.RETINAFACE_MNET25_V2), 2, false, null);
        Files.createDirectories(tmp.resolve("media"));
        video = TestVideos.encode(
                tmp.resolve("media").resolve("clip.mp4"),
                800,
                480,
                FPS,
                TestVideos.scenes(
                        new Scene(detection.resolve("deepframe_hamidMir.jpg"), 20, 2), // frames 0-19: one face, moving
                        new Scene(null, 10, 0), // frames 20-29: nobody
                        new Scene(detection.resolve("fr_two_people.jpg"), 10, 0))); // frames 30-39: two faces
    }

    @AfterAll
    static void close() {
        detector.close();
    }

    @Test
    void framesAreSampledAtTheIntervalAndNumberedByTime() {
        List<Integer> seen = new ArrayList<>();
        var summary = new VideoFrames(100_000_000L).sample(video, 0.5, 1000, (n, seconds, frame) -> {
            assertThat(frame.width()).isEqualTo(800);
            assertThat(frame.height()).isEqualTo(480);
            assertThat(seconds).isEqualTo(n / (double) FPS, Offset.offset(1e-9));
            seen.add(n);
            return true;
        });
        assertThat(seen).containsExactly(0, 5, 10, 15, 20, 25, 30, 35);
        assertThat(summary.framesDecoded()).isEqualTo(40);
        assertThat(summary.frameRate()).isEqualTo(FPS);
    }

    @Test
    void oneFaceRowPerTrackWithItsBestFrame() throws Exception {
        // what the detector sees on every sampled frame, for the expectations
        Map<Integer, List<DetectedFace>> perFrame = new TreeMap<>();
        new VideoFrames(100_000_000L).sample(video, 0.5, 1000, (n, s, frame) -> {
            perFrame.put(n, detector.detect(frame, SETTINGS));
            return true;
        });
        assertThat(perFrame.values().stream().mapToInt(List::size).toArray()).containsExactly(1, 1, 1, 1, 0, 0, 2, 2);
        int bestSolo = 0;
        for (int n : List.of(0, 5, 10, 15)) {
            if (perFrame.get(n).get(0).score() > perFrame.get(bestSolo).get(0).score()) {
                bestSolo = n;
            }
        }

        List<FacesDetected> published = new ArrayList<>();
        List<ProcessingFailed> dead = new ArrayList<>();
        DeadLetterPublisher dlq =
                new DeadLetterPublisher(out -> out.forEach(e -> dead.add((ProcessingFailed) e)), null);
        VideoFrameStore frameStore = new VideoFrameStore(tmp.resolve("thumbs"), FilePermissions.OWNER);
        try (TestDatabase db = TestDatabase.start()) {
            var jdbc = db.jdbc();
            MediaFileRepository files = new MediaFileRepository(jdbc);
            MediaItemRepository items = new MediaItemRepository(jdbc);
            FaceRepository faces = new FaceRepository(jdbc);
            MediaDetection detection = new MediaDetection(
                    new ImageLoader(100_000_000L),
                    detector,
                    SETTINGS,
                    new ThumbnailWriter(tmp.resolve("thumbs"), 0.2, 112, 20),
                    null,
                    frameStore,
                    new MediaDetection.VideoSampling(0.5, 1000, 0.3));
            DetectFacesHandler handler = new DetectFacesHandler(
                    new PipelineStore(items, files, faces, db.tx(), Clock.systemUTC()),
                    new MediaPathResolver(tmp.resolve("media")),
                    detection,
                    new StageWorkers("detector", 1),
                    out -> out.forEach(e -> published.add((FacesDetected) e)),
                    dlq,
                    null);

            MediaFileId f = files.insert("clip.mp4", "clip.mp4", ".mp4");
            MediaItemId id = items.insert(f, "clip.mp4");
            assertThat(handler.handle(MediaItemCaptured.of(id.value(), f.value(), "cdc"))
                            .done())
                    .isEqualTo(1);

            var row = items.find(id).orElseThrow();
            assertThat(row.status()).isEqualTo(MediaItemStatus.DETECTED);
            List<FaceRepository.Face> stored = faces.findByMediaItem(id);
            assertThat(stored).as("8 detections in 3 tracks -> 3 rows").hasSize(3);
            FaceRepository.Face solo = stored.stream()
                    .filter(x -> x.frameNumber() < 20)
                    .findFirst()
                    .orElseThrow();
            assertThat(solo.frameNumber())
                    .as("the best-scoring frame of the moving face")
                    .isEqualTo(bestSolo);
            assertThat(solo.score()).isCloseTo(perFrame.get(bestSolo).get(0).score(), Offset.offset(1e-6));
            List<FaceRepository.Face> pair =
                    stored.stream().filter(x -> x.frameNumber() >= 30).toList();
            assertThat(pair).hasSize(2);
            assertThat(pair)
                    .extracting(x -> x.frameNumber() + "/" + x.faceIndex())
                    .doesNotHaveDuplicates();
            assertThat(pair).extracting(FaceRepository.Face::frameNumber).allMatch(n -> n == 30 || n == 35);
            assertThat(pair.get(0).box().iou(pair.get(1).box()))
                    .as("two different people")
                    .isLessThan(0.1);
            for (FaceRepository.Face face : stored) {
                assertThat(face.thumbnailPath()).isNotNull();
                assertThat(Path.of(face.thumbnailPath())).exists();
                // the origin's naming, with the frame: <video>_f<frame>_TN<index + 1>.jpg, also in Faces.Name
                assertThat(Path.of(face.thumbnailPath()).getFileName().toString())
                        .isEqualTo("clip_f" + face.frameNumber() + "_TN" + (face.faceIndex() + 1) + ".jpg")
                        .isEqualTo(face.name());
            }
            // the frame of every stored face is kept for the gallery (which never decodes the video), readable by us
            // only
            for (FaceRepository.Face face : stored) {
                Path frame = frameStore.file(id.value(), face.frameNumber());
                assertThat(frame).exists();
                try (var img = new ImageLoader(100_000_000L).load(frame)) {
                    assertThat(img.width()).isEqualTo(800);
                    assertThat(img.height()).isEqualTo(480);
                }
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(frame)))
                        .isEqualTo("rw-------");
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(face.thumbnailPath()))))
                        .isEqualTo("rw-------");
            }
            try (var frames = Files.list(frameStore.dir())) {
                assertThat(frames.count())
                        .as("one file per frame with kept faces")
                        .isEqualTo(stored.stream()
                                .map(FaceRepository.Face::frameNumber)
                                .distinct()
                                .count());
            }
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("thumbs"))))
                    .isEqualTo("rwx------");
            assertThat(published).hasSize(1);
            assertThat(published.get(0).faces())
                    .extracting(FacesDetected.Face::frameNumber)
                    .containsExactlyInAnyOrderElementsOf(stored.stream()
                            .map(FaceRepository.Face::frameNumber)
                            .toList());
            assertThat(dead).isEmpty();

            // a broken video fails alone, with a reason on the row and a dead letter; the next item still works
            Files.writeString(tmp.resolve("media").resolve("broken.mp4"), "not a video at all\n");
            MediaFileId bf = files.insert("broken.mp4", "broken.mp4", ".mp4");
            MediaItemId bid = items.insert(bf, "broken.mp4");
            assertThat(handler.handle(MediaItemCaptured.of(bid.value(), bf.value(), "cdc"))
                            .failed())
                    .isEqualTo(1);
            var bad = items.find(bid).orElseThrow();
            assertThat(bad.status()).isEqualTo(MediaItemStatus.FAILED);
            assertThat(bad.errorKind()).isEqualTo("NOT_A_VIDEO");
            assertThat(bad.lastError()).contains("broken.mp4");
            assertThat(dead).extracting(ProcessingFailed::errorKind).containsExactly("NOT_A_VIDEO");
        }
    }
}
