package io.facerec.common.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_PROGRESSIVE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

import io.facerec.common.error.PermanentProcessingException;
import io.facerec.common.testing.SharedData;
import io.facerec.common.testing.TestImages;
import io.facerec.common.testing.TestJpegs;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageLoaderTest {
    @TempDir
    Path tmp;

    @Test
    void decodesAPngToBgr() throws Exception {
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xFF0000);
        Path p = tmp.resolve("red.png");
        ImageIO.write(img, "png", p.toFile());
        try (DecodedImage d = new ImageLoader(1_000_000).load(p)) {
            assertThat(d.width()).isEqualTo(40);
            assertThat(d.height()).isEqualTo(30);
            byte[] px = Pixels.bytes(d.bgr());
            assertThat(px[2] & 0xff).as("red channel, third in BGR").isEqualTo(255);
            assertThat(px[0] & 0xff).isZero();
        }
    }

    @Test
    void refusesEmptyFilesTextAndTooManyPixelsWithClearKinds() throws Exception {
        ImageLoader loader = new ImageLoader(1_000);
        assertKind(loader, Files.write(tmp.resolve("e.jpg"), new byte[0]), "EMPTY_FILE");
        assertKind(loader, Files.writeString(tmp.resolve("t.jpg"), "hello"), "NOT_AN_IMAGE");
        BufferedImage big = new BufferedImage(100, 100, BufferedImage.TYPE_INT_RGB);
        Path p = tmp.resolve("big.png");
        ImageIO.write(big, "png", p.toFile());
        assertKind(loader, p, "TOO_MANY_PIXELS");
    }

    /** JPEGs are decoded as OpenCV's imread decodes them (libjpeg-turbo), with the EXIF orientation applied. */
    @Test
    void jpegsAreDecodedAsImreadDecodesThemAndOriented() throws Exception {
        Path photo = SharedData.require("eval").resolve("detection/deepframe_hamidMir.jpg");
        byte[] original = Files.readAllBytes(photo);
        try (DecodedImage d = new ImageLoader(1_000_000).load(photo);
                Mat cv = imread(photo.toString(), IMREAD_COLOR)) {
            assertThat(d.width()).isEqualTo(800);
            assertThat(d.height()).isEqualTo(480);
            assertThat(Pixels.bytes(d.bgr())).isEqualTo(Pixels.bytes(cv));
        }
        // stored as is, EXIF says "rotate 90 degrees clockwise to view" (6): comes out 480x800
        Path p = Files.write(
                tmp.resolve("exif6.jpg"), TestImages.spliceAfterSoi(original, TestImages.exifOrientation(6)));
        try (DecodedImage d = new ImageLoader(1_000_000).load(p);
                Mat cv = imread(p.toString(), IMREAD_COLOR)) {
            assertThat(d.width()).isEqualTo(480);
            assertThat(d.height()).isEqualTo(800);
            assertThat(Pixels.bytes(d.bgr())).isEqualTo(Pixels.bytes(cv));
        }
    }

    /** A truncated JPEG is kept as libjpeg fills it in (full size), not refused. */
    @Test
    void aTruncatedJpegIsKeptAsLibjpegFillsItIn() throws Exception {
        Path photo = SharedData.require("eval").resolve("detection/deepframe_hamidMir.jpg");
        byte[] baseline;
        try (Mat m = imread(photo.toString(), IMREAD_COLOR);
                BytePointer buf = new BytePointer()) {
            assertThat(imencode(".jpg", m, buf, new IntPointer(IMWRITE_JPEG_QUALITY, 90, IMWRITE_JPEG_PROGRESSIVE, 0)))
                    .isTrue();
            baseline = new byte[(int) buf.limit()];
            buf.get(baseline);
        }
        Path p = Files.write(tmp.resolve("cut.jpg"), Arrays.copyOf(baseline, baseline.length / 2));
        try (DecodedImage d = new ImageLoader(1_000_000).load(p);
                Mat cv = imread(p.toString(), IMREAD_COLOR)) {
            assertThat(d.width()).isEqualTo(800);
            assertThat(d.height()).isEqualTo(480);
            assertThat(Pixels.bytes(d.bgr())).isEqualTo(Pixels.bytes(cv));
        }
    }

    /**
     * The size is read from the header without decoding, also where the frame header comes after large EXIF and ICC
     * segments (skipped, not read), and for PNG, GIF and BMP.
     */
    @Test
    void headersAreReadBehindLargeMetadataSegmentsAndForEachFormat() throws Exception {
        byte[] big = TestJpegs.claiming(3000, 2000);
        byte[] exif = new byte[60_000];
        exif[0] = (byte) 0xFF;
        exif[1] = (byte) 0xE1;
        exif[2] = (byte) ((exif.length - 2) >> 8);
        exif[3] = (byte) (exif.length - 2);
        byte[] icc = Arrays.copyOf(exif, 40_000);
        icc[1] = (byte) 0xE2;
        icc[2] = (byte) ((icc.length - 2) >> 8);
        icc[3] = (byte) (icc.length - 2);
        Path jpeg = Files.write(
                tmp.resolve("meta.jpg"), TestImages.spliceAfterSoi(TestImages.spliceAfterSoi(big, icc), exif));
        assertThat(ImageHeaders.dimensions(jpeg)).containsExactly(3000, 2000);
        assertKind(new ImageLoader(1_000_000), jpeg, "TOO_MANY_PIXELS");
        for (String format : new String[] {"png", "gif", "bmp"}) {
            Path p = tmp.resolve("size." + format);
            assertThat(ImageIO.write(
                            new BufferedImage(
                                    123,
                                    45,
                                    format.equals("gif")
                                            ? BufferedImage.TYPE_BYTE_INDEXED
                                            : BufferedImage.TYPE_INT_RGB),
                            format,
                            p.toFile()))
                    .isTrue();
            assertThat(ImageHeaders.dimensions(p)).as(format).containsExactly(123, 45);
        }
        assertThat(ImageHeaders.dimensions(Files.writeString(tmp.resolve("x.jpg"), "not an image")))
                .isNull();
    }

    @Test
    void jpegHeaderAboveThePixelLimitIsRefusedBeforeDecoding() throws Exception {
        Path photo = SharedData.require("eval").resolve("detection/deepframe_hamidMir.jpg");
        Path p = Files.copy(photo, tmp.resolve("big.jpg"));
        assertThatThrownBy(() -> new ImageLoader(100_000).load(p))
                .isInstanceOf(PermanentProcessingException.class)
                .satisfies(e -> assertThat(((PermanentProcessingException) e).errorKind())
                        .isEqualTo("TOO_MANY_PIXELS"))
                .hasMessageContaining("big.jpg")
                .hasMessageContaining("800x480");
    }

    private static void assertKind(ImageLoader l, Path p, String kind) {
        assertThatThrownBy(() -> l.load(p))
                .isInstanceOf(PermanentProcessingException.class)
                .satisfies(e -> assertThat(((PermanentProcessingException) e).errorKind())
                        .isEqualTo(kind));
    }
}
