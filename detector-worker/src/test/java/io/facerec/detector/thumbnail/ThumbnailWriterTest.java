package io.facerec.detector.thumbnail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.image.DecodedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The origin's thumbnails: its names, and square crops even at the edge of the photo. */
class ThumbnailWriterTest {
    @TempDir
    Path tmp;

    @Test
    void namesThumbnailsAsTheOrigin() {
        ThumbnailWriter w = new ThumbnailWriter(tmp, 0.2, 112, 20);
        assertThat(w.fileName(7, "C:/Users/me/Pictures/IMG_0001.JPG", null, 0)).isEqualTo("IMG_0001_TN1.jpg");
        assertThat(w.fileName(7, "a\\b\\conference.png", null, 7)).isEqualTo("conference_TN8.png");
        assertThat(w.fileName(7, "noext", null, 1)).isEqualTo("noext_TN2.jpg");
        assertThat(w.fileName(7, "x.heic", null, 0))
                .as("not writable by OpenCV")
                .isEqualTo("x_TN1.jpg");
        assertThat(w.fileName(7, "clip.mp4", 30, 0)).isEqualTo("clip_f30_TN1.jpg");
        ThumbnailWriter unique = w.withNaming(ThumbnailWriter.Naming.ITEM_PREFIXED);
        assertThat(unique.fileName(7, "dir/photo.png", null, 0)).isEqualTo("item7_photo_0.png");
        assertThat(unique.fileName(7, "clip.mp4", 30, 1)).isEqualTo("item7_clip_f30_1.jpg");
    }

    @Test
    void aFaceAtTheEdgeGetsASquareThumbnailNotAStretchedOne() throws Exception {
        try (Mat bgr = new Mat(500, 640, CV_8UC3, new Scalar(40, 80, 120, 0))) {
            DecodedImage img = new DecodedImage(bgr, 640, 500);
            ThumbnailWriter w = new ThumbnailWriter(tmp, 0.2, 112, 20);
            BoundingBox atBottom = new BoundingBox(208, 405, 303, 500);
            try (Rect r = w.cropRect(atBottom, 640, 500)) {
                assertThat(r.width()).isEqualTo(r.height()).isEqualTo(114);
                assertThat(r.y() + r.height()).isLessThanOrEqualTo(500);
                Path t = w.write(img, r, "edge_TN1.jpg");
                try (Mat read = imread(t.toString())) {
                    assertThat(read.cols()).isEqualTo(112);
                    assertThat(read.rows()).isEqualTo(112);
                }
            }
            assertThat(w.originCrop(atBottom, 640, 500).toOriginText()).isEqualTo("[198.0, 386.0, 312.0, 500.0]");
            Path dry = w.dryRun().write(img, w.cropRect(atBottom, 640, 500), "dry_TN1.jpg");
            assertThat(dry).isEqualTo(tmp.resolve("dry_TN1.jpg"));
            assertThat(Files.exists(dry)).as("a dry run writes nothing").isFalse();
        }
    }
}
