package io.facerec.common.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facerec.common.error.PermanentProcessingException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
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

    private static void assertKind(ImageLoader l, Path p, String kind) {
        assertThatThrownBy(() -> l.load(p)).isInstanceOf(PermanentProcessingException.class)
                .satisfies(e -> assertThat(((PermanentProcessingException) e).errorKind()).isEqualTo(kind));
    }
}
