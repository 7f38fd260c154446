package io.facerec.detector.thumbnail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

import io.facerec.common.files.FilePermissions;
import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.image.DecodedImage;
import io.facerec.common.image.FaceCrop;
import io.facerec.common.image.Pixels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Random;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaceCropWriterTest {
    @TempDir
    Path tmp;

    static DecodedImage noise(int w, int h) {
        Mat m = new Mat(h, w, CV_8UC3);
        byte[] px = new byte[w * h * 3];
        new Random(3).nextBytes(px);
        m.data().put(px);
        return new DecodedImage(m, w, h);
    }

    @Test
    void aSmallFaceIsStoredLosslesslyAtThePhotosResolution() {
        try (DecodedImage img = noise(800, 600)) {
            for (FaceCropWriter.Format format :
                    new FaceCropWriter.Format[] {FaceCropWriter.Format.BMP, FaceCropWriter.Format.PNG}) {
                FaceCrop c = new FaceCropWriter(tmp, 448, format).write(img, new BoundingBox(300, 200, 400, 330), "f");
                assertThat(c.file()).isEqualTo("f." + format.extension());
                assertThat(c.scaled()).isFalse();
                try (Mat back = imread(tmp.resolve(c.file()).toString());
                        Rect r = new Rect(c.x(), c.y(), c.width(), c.height());
                        Mat region = new Mat(img.bgr(), r)) {
                    assertThat(Pixels.bytes(back))
                            .as(format + " holds the photo's own pixels")
                            .isEqualTo(Pixels.bytes(region));
                }
            }
        }
    }

    @Test
    void aLargeFaceIsScaledToTheFaceSize() {
        try (DecodedImage img = noise(3000, 2000)) {
            FaceCrop c = new FaceCropWriter(tmp, 448, FaceCropWriter.Format.BMP)
                    .write(img, new BoundingBox(1000, 500, 1800, 1500), "big");
            assertThat(c.scaled()).isTrue();
            try (Mat back = imread(tmp.resolve(c.file()).toString())) {
                assertThat(back.cols()).isEqualTo(c.cropWidth());
                assertThat(back.rows()).isEqualTo(c.cropHeight());
            }
            assertThat(c.faceSide(new BoundingBox(1000, 500, 1800, 1500))).isBetween(448.0, 449.0);
        }
    }

    @Test
    void noMoreCropsWhileTheDirectoryIsOverItsLimit() {
        try (DecodedImage img = noise(800, 600)) {
            FaceCropWriter writer = new FaceCropWriter(tmp.resolve("crops"), 448, FaceCropWriter.Format.BMP, 1);
            assertThat(writer.write(img, new BoundingBox(300, 200, 400, 330), "a"))
                    .isNotNull();
            assertThat(writer.write(img, new BoundingBox(300, 200, 400, 330), "b"))
                    .as("the directory now holds more than 1 byte")
                    .isNull();
            assertThat(tmp.resolve("crops/b.bmp")).doesNotExist();
        }
    }

    @Test
    void aCropThatCannotBeWrittenIsSkippedNotThrown() throws Exception {
        Path notADir = Files.writeString(tmp.resolve("file"), "x");
        try (DecodedImage img = noise(800, 600)) {
            assertThat(new FaceCropWriter(notADir, 448, FaceCropWriter.Format.BMP)
                            .write(img, new BoundingBox(300, 200, 400, 330), "a"))
                    .isNull();
        }
    }

    @Test
    void oldCropsAreSweptAndNoPartialFileIsLeft() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("crops"));
        Path stale = Files.writeString(dir.resolve("item1_0.bmp"), "never read");
        Files.setLastModifiedTime(stale, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        try (DecodedImage img = noise(800, 600)) {
            FaceCropWriter writer = new FaceCropWriter(
                    dir, 448, FaceCropWriter.Format.BMP, 1L << 30, FilePermissions.OWNER, Duration.ofMinutes(30));
            assertThat(writer.write(img, new BoundingBox(300, 200, 400, 330), "item2_0"))
                    .isNotNull();
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList())
                    .as("the stale crop swept, no partial file")
                    .containsExactly("item2_0.bmp");
        }
    }

    @Test
    void theCropsOfAnItemCanBeDroppedWithoutTouchingOthers() {
        try (DecodedImage img = noise(800, 600)) {
            FaceCropWriter writer = new FaceCropWriter(tmp, 448, FaceCropWriter.Format.BMP);
            for (String name : new String[] {"item5_0", "item5_1", "item50_0"}) {
                assertThat(writer.write(img, new BoundingBox(300, 200, 400, 330), name))
                        .isNotNull();
            }
            writer.deleteCropsOf(5);
            assertThat(tmp.resolve("item5_0.bmp")).doesNotExist();
            assertThat(tmp.resolve("item5_1.bmp")).doesNotExist();
            assertThat(tmp.resolve("item50_0.bmp")).exists();
        }
    }
}
