package io.facerec.common.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import io.facerec.common.error.PermanentProcessingException;
import io.facerec.common.testing.SharedData;
import io.facerec.common.testing.TestImages;
import io.facerec.common.testing.TestJpegs;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad and unusual inputs, every one generated here from one photo (no committed binaries): what {@link ImageLoader}
 * and {@link MediaPathResolver} make of them. Files that are not (readable) images and paths out of the media root are
 * refused with a clear kind and a message naming the file; unusual but valid images (grayscale, 16-bit, CMYK, alpha,
 * EXIF-rotated, GIF) decode to upright 8-bit BGR with the photo's pixels. Policy for a truncated JPEG: libjpeg decodes
 * what is there and fills the rest; we keep that partial image (as photo viewers do) rather than fail the item. The
 * detector's side (the face is still found, the handler records each failure) is {@code BadInputTest}.
 */
class BadImageInputTest {
    /** One clear face, 800x480. */
    static final String PHOTO = "deepframe_hamidMir.jpg";

    static final long MAX_PIXELS = 200_000_000L;

    static Path photo;
    static byte[] originalGray;

    @TempDir
    Path tmp;

    @BeforeAll
    static void original() {
        photo = SharedData.require("eval").resolve("detection").resolve(PHOTO);
        try (Mat bgr = imread(photo.toString(), IMREAD_COLOR);
                Mat gray = new Mat()) {
            cvtColor(bgr, gray, COLOR_BGR2GRAY);
            originalGray = Pixels.bytes(gray);
        }
    }

    // ---------------------------------------------------------------- files that are not (readable) images

    @Test
    void zeroByteFileIsEmptyFile() throws Exception {
        PermanentProcessingException e = refused(Files.write(tmp.resolve("zero.jpg"), new byte[0]));
        assertThat(e.errorKind()).isEqualTo("EMPTY_FILE");
        assertThat(e.getMessage()).contains("zero.jpg");
    }

    @Test
    void textSvgAndPdfNamedAsImagesAreNotImages() throws Exception {
        Path text = Files.writeString(tmp.resolve("notes.jpg"), "shopping list: milk, eggs\n");
        Path svg = Files.writeString(
                tmp.resolve("drawing.png"),
                "<?xml version=\"1.0\"?>\n<svg xmlns="
                        + "\"http://www.w3.org/2000/svg\" width=\"100\" height=\"100\"><circle cx=\"50\" cy=\"50\" r=\"40\"/></svg>\n");
        Path pdf = Files.writeString(
                tmp.resolve("scan.png"),
                "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
                        + "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
        for (Path p : List.of(text, svg, pdf)) {
            PermanentProcessingException e = refused(p);
            assertThat(e.errorKind()).as(p.getFileName().toString()).isEqualTo("NOT_AN_IMAGE");
            assertThat(e.getMessage()).contains(p.getFileName().toString());
        }
    }

    /** A valid GIF: OpenCV 4.13 has a GIF decoder, so it is read like any other image (first frame, 3 channels). */
    @Test
    void validGifIsDecodedToBgr() throws Exception {
        BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_BYTE_INDEXED);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                img.setRGB(x, y, x < 32 ? 0xFF0000 : 0x0000FF);
            }
        }
        Path p = tmp.resolve("anim.gif");
        assertThat(ImageIO.write(img, "gif", p.toFile())).isTrue();
        try (DecodedImage d = new ImageLoader(MAX_PIXELS).load(p)) {
            assertThat(d.width()).isEqualTo(64);
            assertThat(d.height()).isEqualTo(48);
            assertThat(d.bgr().channels()).isEqualTo(3);
            byte[] px = Pixels.bytes(d.bgr());
            assertThat(px[2] & 0xff).as("left half red (R is third in BGR)").isGreaterThan(200);
            assertThat(px[(10 * 64 + 50) * 3] & 0xff).as("right half blue").isGreaterThan(200);
        }
    }

    /**
     * A JPEG cut at half its bytes: libjpeg warns ("Premature end of JPEG file") and fills in what is missing; the
     * loader returns the full-size image. The shared photo is progressive: half its bytes still hold every scan's
     * start, so the whole frame decodes at lower detail. A baseline JPEG cut at half has real rows on top and flat
     * filler below.
     */
    @Test
    void truncatedJpegsDecodeTheVisiblePartAtFullSize() throws Exception {
        byte[] all = Files.readAllBytes(photo);
        assertThat(TestJpegs.sofMarker(all))
                .as("the shared photo is a progressive JPEG")
                .isEqualTo(0xC2);
        Path progressive = Files.write(tmp.resolve("cut-progressive.jpg"), TestImages.truncated(all));
        try (DecodedImage d = new ImageLoader(MAX_PIXELS).load(progressive)) {
            assertThat(d.width()).isEqualTo(800);
            assertThat(d.height()).isEqualTo(480);
            assertThat(meanGrayDifference(d))
                    .as("the whole frame, at lower detail")
                    .isLessThan(12);
        }
        Path baselineFull = tmp.resolve("baseline.jpg");
        try (Mat m = imread(photo.toString(), IMREAD_COLOR)) {
            assertThat(imwrite(baselineFull.toString(), m)).isTrue();
        }
        byte[] b = Files.readAllBytes(baselineFull);
        assertThat(TestJpegs.sofMarker(b)).as("OpenCV writes baseline JPEGs").isEqualTo(0xC0);
        Path baseline = Files.write(tmp.resolve("cut-baseline.jpg"), TestImages.truncated(b));
        try (DecodedImage d = new ImageLoader(MAX_PIXELS).load(baseline)) {
            assertThat(d.width()).isEqualTo(800);
            assertThat(d.height()).isEqualTo(480);
            byte[] px = Pixels.bytes(d.bgr());
            assertThat(TestImages.rowSpread(px, 800, 5))
                    .as("first row holds real pixels")
                    .isGreaterThan(30);
            assertThat(TestImages.rowSpread(px, 800, 479))
                    .as("last row is filler, flat (no data there)")
                    .isLessThan(8);
        }
    }

    // ---------------------------------------------------------------- pixel limit, before decoding

    @Test
    void pngHeaderClaiming30000x30000IsRefusedFromTheHeader() throws Exception {
        Path p = Files.write(tmp.resolve("bomb.png"), TestImages.pngHeaderOnly(30000, 30000));
        assertThat(Files.size(p)).isLessThan(100);
        PermanentProcessingException e = refused(p);
        assertThat(e.errorKind()).isEqualTo("TOO_MANY_PIXELS");
        assertThat(e.getMessage()).contains("bomb.png").contains("30000x30000").contains("900000000");
    }

    @Test
    void jpegHeaderClaiming30000x30000IsRefusedFromTheHeader() throws Exception {
        PermanentProcessingException e =
                refused(Files.write(tmp.resolve("bomb.jpg"), TestJpegs.claiming(30000, 30000)));
        assertThat(e.errorKind()).isEqualTo("TOO_MANY_PIXELS");
        assertThat(e.getMessage()).contains("bomb.jpg").contains("30000x30000");
    }

    /**
     * A format whose header only OpenCV reads (binary PPM) claiming 40000x40000, named .jpg: OpenCV refuses it itself
     * (cv::Exception "validateInputImageSize"), which must come out as a permanent error naming the file, not as a
     * RuntimeException the listener would retry.
     */
    @Test
    void hugeHeaderInAFormatOnlyOpenCvReadsIsAPermanentError() throws Exception {
        PermanentProcessingException e =
                refused(Files.write(tmp.resolve("pnm.jpg"), TestImages.pnmHeaderOnly(40000, 40000)));
        assertThat(e.errorKind()).isIn("TOO_MANY_PIXELS", "NOT_AN_IMAGE");
        assertThat(e.getMessage()).contains("pnm.jpg");
    }

    /** Decoded images above the limit are refused even when no header check ran before (any format). */
    @Test
    void decodedImageAboveTheLimitIsRefused() throws Exception {
        Path p = tmp.resolve("small.ppm");
        try (Mat m = imread(photo.toString(), IMREAD_COLOR)) {
            assertThat(imwrite(p.toString(), m)).isTrue();
        }
        PermanentProcessingException e = refused(new ImageLoader(1000), p);
        assertThat(e.errorKind()).isEqualTo("TOO_MANY_PIXELS");
        assertThat(e.getMessage()).contains("small.ppm").contains("800x480");
    }

    // ---------------------------------------------------------------- unusual but valid images

    /** Each variant decodes to 8-bit, 3-channel, upright 800x480 with the photo's grey values. */
    @Test
    void unusualButValidImagesDecodeToUprightEightBitBgrWithThePhotosPixels() throws Exception {
        Map<String, Path> variants = TestImages.unusualVariants(photo, tmp);
        assertThat(TestImages.jpegComponents(Files.readAllBytes(variants.get("gray.jpg"))))
                .isEqualTo(1);
        assertThat(Files.readAllBytes(variants.get("gray.png"))[25])
                .as("PNG colour type 0 (grey)")
                .isEqualTo((byte) 0);
        assertThat(TestImages.jpegComponents(Files.readAllBytes(variants.get("cmyk.jpg"))))
                .as("CMYK")
                .isEqualTo(4);
        assertThat(Files.readAllBytes(variants.get("alpha.png"))[25])
                .as("PNG colour type 6 (RGBA)")
                .isEqualTo((byte) 6);
        for (String deep : List.of("gray16.png", "rgb16.png")) {
            assertThat(Files.readAllBytes(variants.get(deep))[24])
                    .as(deep + " bit depth")
                    .isEqualTo((byte) 16);
            try (Mat raw = imread(variants.get(deep).toString(), IMREAD_UNCHANGED)) {
                assertThat(raw.elemSize1()).as("really 16 bits per sample").isEqualTo(2);
            }
        }
        try (DecodedImage plain = new ImageLoader(MAX_PIXELS).load(tmp.resolve("stored-rotated.jpg"))) {
            assertThat(plain.width())
                    .as("without EXIF the stored pixels are portrait")
                    .isEqualTo(480);
        }
        for (var v : variants.entrySet()) {
            try (DecodedImage d = new ImageLoader(MAX_PIXELS).load(v.getValue())) {
                assertThat(d.bgr().channels()).as(v.getKey() + " channels").isEqualTo(3);
                assertThat(d.bgr().depth()).as(v.getKey() + " depth").isEqualTo(CV_8U);
                assertThat(d.width()).as(v.getKey() + " upright width").isEqualTo(800);
                assertThat(d.height()).isEqualTo(480);
                double diff = meanGrayDifference(d);
                System.out.printf("BadImageInputTest: %s mean grey difference to the photo %.2f%n", v.getKey(), diff);
                assertThat(diff).as(v.getKey() + " grey values").isLessThan(2.0); // the alpha channel is dropped
            }
        }
    }

    // ---------------------------------------------------------------- paths

    @Test
    void missingFileIsFileMissing() {
        MediaPathResolver r = new MediaPathResolver(tmp);
        PermanentProcessingException e =
                catchThrowableOfType(() -> r.resolve("gone/away.jpg"), PermanentProcessingException.class);
        assertThat(e.errorKind()).isEqualTo("FILE_MISSING");
        assertThat(e.getMessage()).contains("away.jpg");
        PermanentProcessingException l = refused(tmp.resolve("away.jpg"));
        assertThat(l.errorKind()).isEqualTo("FILE_MISSING");
        assertThat(l.getMessage()).contains("away.jpg");
    }

    @Test
    void pathsLeavingTheMediaRootAreRefused() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("media"));
        Path outsideDir = Files.createDirectories(tmp.resolve("private"));
        Path secret = Files.copy(photo, outsideDir.resolve("secret.jpg"));
        Files.copy(photo, root.resolve("inside.jpg"));
        Files.createSymbolicLink(root.resolve("link.jpg"), secret);
        Files.createSymbolicLink(root.resolve("dirlink"), outsideDir);
        Files.createSymbolicLink(root.resolve("innerlink.jpg"), root.resolve("inside.jpg"));
        MediaPathResolver r = new MediaPathResolver(root);

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("../private/secret.jpg", "PATH_OUTSIDE_ROOT");
        expected.put("sub/../../private/secret.jpg", "PATH_OUTSIDE_ROOT");
        expected.put(secret.toString(), "PATH_OUTSIDE_ROOT");
        expected.put("/etc/passwd", "PATH_OUTSIDE_ROOT");
        expected.put("link.jpg", "PATH_OUTSIDE_ROOT");
        expected.put("dirlink/secret.jpg", "PATH_OUTSIDE_ROOT");
        expected.put("inside.jpg\0.png", "INVALID_PATH");
        expected.put("x".repeat(300) + ".jpg", "FILE_MISSING"); // a name longer than NAME_MAX (255)
        expected.put("d/".repeat(3000) + "long.jpg", "FILE_MISSING"); // a path longer than PATH_MAX (4096)
        expected.put("", "INVALID_PATH");
        for (var c : expected.entrySet()) {
            String shown = printable(c.getKey());
            PermanentProcessingException e =
                    catchThrowableOfType(() -> r.resolve(c.getKey()), PermanentProcessingException.class);
            assertThat(e).as("path %s", shown).isNotNull();
            assertThat(e.errorKind()).as("path %s", shown).isEqualTo(c.getValue());
            if (!c.getKey().isEmpty()) {
                String name =
                        c.getKey().substring(c.getKey().lastIndexOf('/') + 1).replace("\0", "\\0");
                assertThat(e.getMessage())
                        .as("message names the file")
                        .contains(name.substring(0, Math.min(40, name.length())));
            }
        }
        // inside the root, through a link that stays inside, and through ../ that stays inside: accepted
        assertThat(r.resolve("innerlink.jpg"))
                .isEqualTo(root.resolve("inside.jpg").toRealPath());
        assertThat(r.resolve("dirlink/../inside.jpg"))
                .isEqualTo(root.resolve("inside.jpg").toRealPath());
        assertThat(r.resolve(root.resolve("inside.jpg").toString()))
                .isEqualTo(root.resolve("inside.jpg").toRealPath());
    }

    // ---------------------------------------------------------------- helpers

    /** Mean absolute difference of the decoded image's grey values to the photo's. */
    private static double meanGrayDifference(DecodedImage d) {
        try (Mat gray = new Mat()) {
            cvtColor(d.bgr(), gray, COLOR_BGR2GRAY);
            byte[] g = Pixels.bytes(gray);
            long sum = 0;
            for (int i = 0; i < g.length; i++) {
                sum += Math.abs((g[i] & 0xff) - (originalGray[i] & 0xff));
            }
            return (double) sum / g.length;
        }
    }

    private static PermanentProcessingException refused(Path p) {
        return refused(new ImageLoader(MAX_PIXELS), p);
    }

    private static PermanentProcessingException refused(ImageLoader loader, Path p) {
        PermanentProcessingException e =
                catchThrowableOfType(() -> loader.load(p).close(), PermanentProcessingException.class);
        assertThat(e)
                .as("a PermanentProcessingException for " + p.getFileName())
                .isNotNull();
        return e;
    }

    private static String printable(String s) {
        String t = s.replace("\0", "\\0");
        return t.length() > 160 ? t.substring(0, 160) + "…(" + t.length() + " chars)" : t;
    }
}
