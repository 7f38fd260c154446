package io.facerec.common.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_PROGRESSIVE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

import io.facerec.common.error.PermanentProcessingException;
import io.facerec.common.testing.SharedData;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
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

    /** Full-size JPEGs come from the jpeg-js port, with the EXIF orientation applied as imread applies it. */
    @Test
    void jpegsAreDecodedAsTheReferenceDecodesThemAndOriented() throws Exception {
        Path photo = SharedData.require("eval").resolve("detection/deepframe_hamidMir.jpg");
        byte[] original = Files.readAllBytes(photo);
        try (DecodedImage d = new ImageLoader(1_000_000).load(photo)) {
            assertThat(d.width()).isEqualTo(800);
            assertThat(d.height()).isEqualTo(480);
            assertThat(Pixels.bytes(d.bgr())).isEqualTo(
                    ReferenceJpegDecoder.decode(original, ReferenceJpegDecoder.Order.BGR).pixels());
        }
        // stored as is, EXIF says "rotate 90 degrees clockwise to view" (6): comes out 480x800, as from imread
        byte[] rotated = spliceAfterSoi(original, ExifOrientationTest.exif(false, 8, new int[][] {{0x0112, 3, 1, 6}}));
        Path p = Files.write(tmp.resolve("exif6.jpg"), rotated);
        try (DecodedImage d = new ImageLoader(1_000_000).load(p); Mat cv = imread(p.toString(), IMREAD_COLOR)) {
            assertThat(d.width()).isEqualTo(480);
            assertThat(d.height()).isEqualTo(800);
            assertThat(cv.cols()).isEqualTo(480);
            Mat stored = new Mat(480, 800, org.bytedeco.opencv.global.opencv_core.CV_8UC3);
            stored.data().put(ReferenceJpegDecoder.decode(original, ReferenceJpegDecoder.Order.BGR).pixels());
            Mat upright = ExifOrientation.apply(stored, 6);
            assertThat(Pixels.bytes(d.bgr())).isEqualTo(Pixels.bytes(upright));
            // the same geometry as OpenCV's decode of the same file, within decoder rounding
            assertThat(ReferenceJpegDecoderTest.meanAbsDiff(Pixels.bytes(d.bgr()), Pixels.bytes(cv))).isLessThan(3);
            upright.close();
            stored.close();
        }
    }

    /** What the port refuses goes to OpenCV: a truncated JPEG is kept as libjpeg fills it in. */
    @Test
    void jpegsTheReferenceDecoderRefusesFallBackToOpenCv() throws Exception {
        Path photo = SharedData.require("eval").resolve("detection/deepframe_hamidMir.jpg");
        Mat m = imread(photo.toString(), IMREAD_COLOR);
        byte[] baseline = ReferenceJpegDecoderTest.encode(m, IMWRITE_JPEG_QUALITY, 90, IMWRITE_JPEG_PROGRESSIVE, 0);
        m.close();
        byte[] cut = Arrays.copyOf(baseline, baseline.length / 2);
        assertThatThrownBy(() -> ReferenceJpegDecoder.decode(cut, ReferenceJpegDecoder.Order.BGR))
                .isInstanceOf(ReferenceJpegDecoder.JpegDecodeException.class);
        Path p = Files.write(tmp.resolve("cut.jpg"), cut);
        try (DecodedImage d = new ImageLoader(1_000_000).load(p); Mat cv = imread(p.toString(), IMREAD_COLOR)) {
            assertThat(d.width()).isEqualTo(800);
            assertThat(d.height()).isEqualTo(480);
            assertThat(Pixels.bytes(d.bgr())).isEqualTo(Pixels.bytes(cv));
        }
        // and the OpenCV-only loader decodes every JPEG as imread does
        try (DecodedImage d = new ImageLoader(1_000_000, false).load(photo); Mat cv = imread(photo.toString(),
                IMREAD_COLOR)) {
            assertThat(Pixels.bytes(d.bgr())).isEqualTo(Pixels.bytes(cv));
        }
    }

    @Test
    void jpegHeaderAboveThePixelLimitIsRefusedBeforeDecoding() throws Exception {
        Path photo = SharedData.require("eval").resolve("detection/deepframe_hamidMir.jpg");
        Path p = Files.copy(photo, tmp.resolve("big.jpg"));
        assertThatThrownBy(() -> new ImageLoader(100_000).load(p)).isInstanceOf(PermanentProcessingException.class)
                .satisfies(e -> assertThat(((PermanentProcessingException) e).errorKind()).isEqualTo("TOO_MANY_PIXELS"))
                .hasMessageContaining("big.jpg").hasMessageContaining("800x480");
    }

    private static byte[] spliceAfterSoi(byte[] jpeg, byte[] segment) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(jpeg, 0, 2);
        o.writeBytes(segment);
        o.write(jpeg, 2, jpeg.length - 2);
        return o.toByteArray();
    }

    private static void assertKind(ImageLoader l, Path p, String kind) {
        assertThatThrownBy(() -> l.load(p)).isInstanceOf(PermanentProcessingException.class)
                .satisfies(e -> assertThat(((PermanentProcessingException) e).errorKind()).isEqualTo(kind));
    }
}
