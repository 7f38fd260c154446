package io.facerec.common.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

import io.facerec.common.error.PermanentProcessingException;
import io.facerec.common.testing.TestJpegs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 9 of the security review: 600-byte JPEGs declaring 14000x14000 (under the old 200-megapixel default) were
 * decoded to full size, about 1.1 GB each. Now the default limit is 100 megapixels and a canvas implausibly large for
 * its file is refused from the header, before anything is allocated; the most compressible real pictures still load.
 */
class DecompressionBombTest {
    @TempDir
    Path tmp;

    static PermanentProcessingException refused(ImageLoader loader, Path p) {
        long heapBefore = usedHeap();
        long t0 = System.nanoTime();
        PermanentProcessingException[] e = {null};
        assertThatThrownBy(() -> loader.load(p))
                .isInstanceOf(PermanentProcessingException.class)
                .satisfies(x -> e[0] = (PermanentProcessingException) x);
        assertThat((System.nanoTime() - t0) / 1e6)
                .as("refused from the header, in ms")
                .isLessThan(500);
        assertThat(usedHeap() - heapBefore)
                .as("nothing of the declared size allocated")
                .isLessThan(64L << 20);
        return e[0];
    }

    static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void aSixHundredByteJpegDeclaring14000x14000IsRefusedByTheDefaultLimit() throws Exception {
        Path p = Files.write(tmp.resolve("bomb.jpg"), TestJpegs.claiming(14000, 14000));
        assertThat(Files.size(p)).isLessThan(1000);
        PermanentProcessingException e = refused(new ImageLoader(ImageLoader.DEFAULT_MAX_PIXELS), p);
        assertThat(e.errorKind()).isEqualTo("TOO_MANY_PIXELS");
        assertThat(e.getMessage()).contains("14000x14000").contains("above the limit of 100000000");
    }

    @Test
    void aTinyJpegDeclaringACanvasUnderTheLimitIsRefusedAsImplausible() throws Exception {
        Path p = Files.write(tmp.resolve("bomb64.jpg"), TestJpegs.claiming(9000, 9000)); // 81 MP in < 1 KB
        PermanentProcessingException e = refused(new ImageLoader(ImageLoader.DEFAULT_MAX_PIXELS), p);
        assertThat(e.errorKind()).isEqualTo("IMPLAUSIBLE_HEADER");
        assertThat(e.getMessage()).contains("9000x9000").contains("refused before decoding");
    }

    @Test
    void theMostCompressibleRealPicturesStillLoad() throws Exception {
        // a uniform colour is the best case of every codec: a black 12-megapixel JPEG and a grey 16-megapixel PNG
        Path black = tmp.resolve("black.jpg");
        try (Mat m = new Mat(3000, 4000, CV_8UC3, new Scalar(0, 0, 0, 0))) {
            assertThat(imwrite(black.toString(), m)).isTrue();
        }
        Path grey = tmp.resolve("grey.png");
        try (Mat m = new Mat(4000, 4000, CV_8UC1, new Scalar(128, 0, 0, 0))) {
            assertThat(imwrite(grey.toString(), m)).isTrue();
        }
        ImageLoader loader = new ImageLoader(ImageLoader.DEFAULT_MAX_PIXELS);
        for (Path p : new Path[] {black, grey}) {
            long pixelsPerByte = (p == black ? 12_000_000L : 16_000_000L) / Files.size(p);
            assertThat(pixelsPerByte).as(p + " pixels per byte").isLessThan(ImageLoader.DEFAULT_MAX_PIXELS_PER_BYTE);
            try (DecodedImage d = loader.load(p)) {
                assertThat((long) d.width() * d.height()).isEqualTo(p == black ? 12_000_000L : 16_000_000L);
            }
        }
    }

    @Test
    void theBoundIsConfigurable() throws Exception {
        Path p = Files.write(tmp.resolve("bomb5.jpg"), TestJpegs.claiming(2500, 2000)); // 5 MP
        assertThat(refused(new ImageLoader(ImageLoader.DEFAULT_MAX_PIXELS), p).errorKind())
                .isEqualTo("IMPLAUSIBLE_HEADER");
        // a bound above its ratio lets it through: the decoder allocates the whole declared canvas for a few hundred
        // bytes
        ImageLoader lax = new ImageLoader(ImageLoader.DEFAULT_MAX_PIXELS).withMaxPixelsPerByte(1_000_000);
        try (DecodedImage d = lax.load(p)) {
            assertThat(d.width()).isEqualTo(2500);
            assertThat(d.height()).isEqualTo(2000);
        }
    }
}
