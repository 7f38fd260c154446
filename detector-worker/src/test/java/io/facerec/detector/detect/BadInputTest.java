package io.facerec.detector.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.bytedeco.opencv.global.opencv_core.CV_16UC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_COUNTERCLOCKWISE;
import static org.bytedeco.opencv.global.opencv_core.rotate;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import io.facerec.common.error.PermanentProcessingException;
import io.facerec.common.event.FacesDetected;
import io.facerec.common.event.MediaItemCaptured;
import io.facerec.common.event.ProcessingFailed;
import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.id.MediaFileId;
import io.facerec.common.id.MediaItemId;
import io.facerec.common.image.DecodedImage;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.image.Pixels;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.messaging.EventCodec;
import io.facerec.common.model.ModelFile;
import io.facerec.common.model.ModelStore;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.common.persistence.MediaItemStatus;
import io.facerec.common.testing.SharedData;
import io.facerec.common.testing.TestDatabase;
import io.facerec.common.testing.TestJpegs;
import io.facerec.detector.thumbnail.ThumbnailWriter;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad and unusual inputs, every one generated here (no committed binaries): what {@link MediaPathResolver},
 * {@link ImageLoader} and {@link RetinaFaceDetector} do with them, and, through {@link DetectFacesHandler} on a real
 * PostgreSQL, that each bad item ends FAILED on its {@code MediaItems} row with a kind and a message naming the file,
 * that a dead letter carries the same reason, and that the next good item is still detected.
 *
 * <p>Unusual-but-valid images (grayscale, 16-bit, CMYK, alpha, EXIF-rotated) are made from one photo of the shared
 * detection set and must give the face found on that photo. Policy for a truncated JPEG: libjpeg decodes what is
 * there and fills the rest; we keep that partial image (as photo viewers do) rather than fail the item.
 */
class BadInputTest {
    /** One clear face, 800x480 (reference box about [351, 108, 482, 284]). */
    static final String PHOTO = "deepframe_hamidMir.jpg";
    static final DetectionSettings SETTINGS = new DetectionSettings(0.75, 0.5, 0);
    static final long MAX_PIXELS = 200_000_000L;

    static RetinaFaceDetector detector;
    static Path photo;
    static BoundingBox originalBox;

    @TempDir
    Path tmp;

    @BeforeAll
    static void loadModelAndOriginal() {
        photo = SharedData.require("eval").resolve("detection").resolve(PHOTO);
        detector = new RetinaFaceDetector(ModelStore.fromEnvironment().resolve(ModelFile.RETINAFACE_MNET25_V2), 2,
                false, null);
        try (DecodedImage img = new ImageLoader(MAX_PIXELS).load(photo)) {
            assertThat(img.width()).isEqualTo(800);
            assertThat(img.height()).isEqualTo(480);
            List<DetectedFace> faces = detector.detect(img, SETTINGS);
            assertThat(faces).as("faces on the original photo").hasSize(1);
            originalBox = faces.get(0).box();
        }
    }

    @AfterAll
    static void closeDetector() {
        detector.close();
    }

    // ---------------------------------------------------------------- files that are not (readable) images

    @Test
    void zeroByteFileIsEmptyFile() throws Exception {
        Path p = Files.write(tmp.resolve("zero.jpg"), new byte[0]);
        PermanentProcessingException e = refused(p);
        assertThat(e.errorKind()).isEqualTo("EMPTY_FILE");
        assertThat(e.getMessage()).contains("zero.jpg");
    }

    @Test
    void textFileNamedJpgIsNotAnImage() throws Exception {
        Path p = Files.writeString(tmp.resolve("notes.jpg"), "shopping list: milk, eggs\n");
        PermanentProcessingException e = refused(p);
        assertThat(e.errorKind()).isEqualTo("NOT_AN_IMAGE");
        assertThat(e.getMessage()).contains("notes.jpg");
    }

    @Test
    void svgAndPdfNamedPngAreNotImages() throws Exception {
        Path svg = Files.writeString(tmp.resolve("drawing.png"), "<?xml version=\"1.0\"?>\n<svg xmlns="
                + "\"http://www.w3.org/2000/svg\" width=\"100\" height=\"100\"><circle cx=\"50\" cy=\"50\" r=\"40\"/></svg>\n");
        Path pdf = Files.writeString(tmp.resolve("scan.png"), "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
                + "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
        for (Path p : List.of(svg, pdf)) {
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
            int right = (10 * 64 + 50) * 3;
            assertThat(px[right] & 0xff).as("right half blue").isGreaterThan(200);
        }
    }

    /**
     * A real JPEG cut at half its bytes. libjpeg warns ("Premature end of JPEG file") and fills in what is missing;
     * OpenCV returns the full-size image. Our policy: keep it (the visible part is detected, as a photo viewer would
     * show it) and do not fail the item; the worker does not crash. The shared photo is progressive: half its bytes
     * still hold every scan's start, so the whole frame decodes at lower detail and the face is found. A baseline
     * JPEG cut at half has real rows on top and flat filler below.
     */
    @Test
    void truncatedJpegDecodesTheVisiblePartAtFullSize() throws Exception {
        byte[] all = Files.readAllBytes(photo);
        assertThat(TestJpegs.sofMarker(all)).as("the shared photo is a progressive JPEG").isEqualTo(0xC2);
        Path progressive = Files.write(tmp.resolve("cut-progressive.jpg"), Arrays.copyOf(all, all.length / 2));
        try (DecodedImage d = new ImageLoader(MAX_PIXELS).load(progressive)) {
            assertThat(d.width()).isEqualTo(800);
            assertThat(d.height()).isEqualTo(480);
            List<DetectedFace> faces = detector.detect(d, SETTINGS);
            assertThat(faces).as("face still found on the truncated progressive JPEG").hasSize(1);
            System.out.printf("BadInputTest: cut-progressive.jpg face %s, max diff %.2f px%n", faces.get(0).box(),
                    maxDiff(faces.get(0).box(), originalBox));
            assertThat(faces.get(0).box().iou(originalBox)).isGreaterThan(0.8);
        }

        Path baselineFull = tmp.resolve("baseline.jpg");
        try (Mat m = imread(photo.toString(), IMREAD_COLOR)) {
            assertThat(imwrite(baselineFull.toString(), m)).isTrue();
        }
        byte[] b = Files.readAllBytes(baselineFull);
        assertThat(TestJpegs.sofMarker(b)).as("OpenCV writes baseline JPEGs").isEqualTo(0xC0);
        Path baseline = Files.write(tmp.resolve("cut-baseline.jpg"), Arrays.copyOf(b, b.length / 2));
        try (DecodedImage d = new ImageLoader(MAX_PIXELS).load(baseline)) {
            assertThat(d.width()).isEqualTo(800);
            assertThat(d.height()).isEqualTo(480);
            assertThat(d.bgr().channels()).isEqualTo(3);
            byte[] px = Pixels.bytes(d.bgr());
            assertThat(rowSpread(px, 800, 5)).as("first row holds real pixels").isGreaterThan(30);
            assertThat(rowSpread(px, 800, 479)).as("last row is filler, flat (no data there)").isLessThan(8);
            assertThat(detector.detect(d, SETTINGS)).as("processed, not thrown at the worker").isNotNull();
        }
    }

    // ---------------------------------------------------------------- pixel limit, before decoding

    @Test
    void pngHeaderClaiming30000x30000IsRefusedFromTheHeaderQuickly() throws Exception {
        ImageLoader loader = new ImageLoader(MAX_PIXELS);
        Path warm = tmp.resolve("warm.png");
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", warm.toFile());
        loader.load(warm).close(); // class loading of ImageIO/OpenCV is not what we time

        Path p = Files.write(tmp.resolve("bomb.png"), pngHeaderOnly(30000, 30000));
        assertThat(Files.size(p)).isLessThan(100);
        long t0 = System.nanoTime();
        PermanentProcessingException e = refused(loader, p);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(e.errorKind()).isEqualTo("TOO_MANY_PIXELS");
        assertThat(e.getMessage()).contains("bomb.png").contains("30000x30000").contains("900000000");
        assertThat(ms).as("refused from the header, not by decoding 900 Mpx").isLessThan(250);
    }

    @Test
    void jpegHeaderClaiming30000x30000IsRefusedFromTheHeader() throws Exception {
        Path p = Files.write(tmp.resolve("bomb.jpg"), jpegClaiming(30000, 30000));
        PermanentProcessingException e = refused(p);
        assertThat(e.errorKind()).isEqualTo("TOO_MANY_PIXELS");
        assertThat(e.getMessage()).contains("bomb.jpg").contains("30000x30000");
    }

    /**
     * A format the JDK cannot read the header of (binary PPM) claiming 40000x40000, named .jpg. OpenCV reads such
     * headers itself and throws (cv::Exception "validateInputImageSize") — that must come out as a permanent error
     * naming the file, not as a RuntimeException the listener would retry for ten minutes.
     */
    @Test
    void hugeHeaderInAFormatOnlyOpenCvReadsIsAPermanentError() throws Exception {
        Path p = Files.write(tmp.resolve("pnm.jpg"), "P6\n40000 40000\n255\n".getBytes(StandardCharsets.US_ASCII));
        PermanentProcessingException e = refused(p);
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

    // ---------------------------------------------------------------- unusual but valid images: must detect the face

    @Test
    void grayscaleJpegAndPngDecodeToThreeChannelsAndFindTheFace() throws Exception {
        Path jpg = tmp.resolve("gray.jpg");
        Path png = tmp.resolve("gray.png");
        try (Mat bgr = imread(photo.toString(), IMREAD_COLOR); Mat gray = new Mat()) {
            cvtColor(bgr, gray, COLOR_BGR2GRAY);
            assertThat(imwrite(jpg.toString(), gray)).isTrue();
            assertThat(imwrite(png.toString(), gray)).isTrue();
        }
        assertThat(jpegComponents(Files.readAllBytes(jpg))).as("the JPEG is stored with one component").isEqualTo(1);
        assertThat(Files.readAllBytes(png)[25]).as("PNG colour type 0 (grey)").isEqualTo((byte) 0);
        assertFaceLikeOriginal(jpg, 6);
        assertFaceLikeOriginal(png, 6);
    }

    @Test
    void sixteenBitPngsDecodeToEightBitAndFindTheFace() throws Exception {
        // 16-bit grey, written by javax.imageio from a TYPE_USHORT_GRAY image
        Path gray16 = tmp.resolve("gray16.png");
        try (Mat bgr = imread(photo.toString(), IMREAD_COLOR); Mat gray = new Mat()) {
            cvtColor(bgr, gray, COLOR_BGR2GRAY);
            byte[] g = Pixels.bytes(gray);
            BufferedImage img = new BufferedImage(800, 480, BufferedImage.TYPE_USHORT_GRAY);
            WritableRaster r = img.getRaster();
            for (int y = 0; y < 480; y++) {
                for (int x = 0; x < 800; x++) {
                    r.setSample(x, y, 0, (g[y * 800 + x] & 0xff) * 257);
                }
            }
            assertThat(ImageIO.write(img, "png", gray16.toFile())).isTrue();
        }
        // 16-bit RGB, written by OpenCV from a CV_16UC3 matrix
        Path rgb16 = tmp.resolve("rgb16.png");
        try (Mat bgr = imread(photo.toString(), IMREAD_COLOR); Mat deep = new Mat()) {
            bgr.convertTo(deep, CV_16UC3, 257, 0);
            assertThat(imwrite(rgb16.toString(), deep)).isTrue();
        }
        for (Path p : List.of(gray16, rgb16)) {
            byte[] b = Files.readAllBytes(p);
            assertThat(b[24]).as(p.getFileName() + " bit depth in IHDR").isEqualTo((byte) 16);
            try (Mat raw = imread(p.toString(), IMREAD_UNCHANGED)) {
                assertThat(raw.elemSize1()).as("really 16 bits per sample").isEqualTo(2);
            }
            try (DecodedImage d = new ImageLoader(MAX_PIXELS).load(p)) {
                assertThat(d.bgr().depth()).isEqualTo(CV_8U);
            }
        }
        assertFaceLikeOriginal(gray16, 6);
        assertFaceLikeOriginal(rgb16, 3);
    }

    /**
     * A CMYK JPEG as Photoshop writes it: 4 components, Adobe APP14 marker (transform 0), inverted CMYK samples. The
     * JDK's JPEG writer encodes a 4-band raster as-is; the Adobe marker is spliced in by hand.
     */
    @Test
    void cmykJpegDecodesToBgrAndFindsTheFace() throws Exception {
        BufferedImage rgb = ImageIO.read(photo.toFile());
        WritableRaster cmyk = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, rgb.getWidth(), rgb.getHeight(), 4,
                null);
        for (int y = 0; y < rgb.getHeight(); y++) {
            for (int x = 0; x < rgb.getWidth(); x++) {
                int c = rgb.getRGB(x, y);
                int r = (c >> 16) & 0xff;
                int g = (c >> 8) & 0xff;
                int b = c & 0xff;
                int k = 255 - Math.max(r, Math.max(g, b)); // K from the brightest channel
                int kk = 255 - k;
                // Adobe stores inverted CMYK: 255 - C etc.; with K=k, R = (255-C)(255-K)/255 => (255-C) = R*255/kk
                int ic = kk == 0 ? 0 : Math.min(255, Math.round(r * 255f / kk));
                int im = kk == 0 ? 0 : Math.min(255, Math.round(g * 255f / kk));
                int iy = kk == 0 ? 0 : Math.min(255, Math.round(b * 255f / kk));
                cmyk.setPixel(x, y, new int[] {ic, im, iy, kk});
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            w.setOutput(out);
            w.write(null, new IIOImage(cmyk, null, null), null);
        } finally {
            w.dispose();
        }
        byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
        Path p = Files.write(tmp.resolve("cmyk.jpg"), spliceAfterSoi(bytes.toByteArray(), adobe));
        assertThat(jpegComponents(Files.readAllBytes(p))).as("4 components (CMYK)").isEqualTo(4);
        try (DecodedImage d = new ImageLoader(MAX_PIXELS).load(p)) {
            assertThat(d.bgr().channels()).isEqualTo(3);
            byte[] px = Pixels.bytes(d.bgr());
            int at = (240 * 800 + 400) * 3;
            int orig = rgb.getRGB(400, 240);
            assertThat(Math.abs((px[at + 2] & 0xff) - ((orig >> 16) & 0xff))).as("red survives CMYK").isLessThan(20);
        }
        assertFaceLikeOriginal(p, 6);
    }

    @Test
    void pngWithAlphaFindsTheFace() throws Exception {
        BufferedImage rgb = ImageIO.read(photo.toFile());
        BufferedImage argb = new BufferedImage(rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < rgb.getHeight(); y++) {
            for (int x = 0; x < rgb.getWidth(); x++) {
                int alpha = x < 100 ? 0 : 180; // a fully transparent strip at the left, translucent elsewhere
                argb.setRGB(x, y, (alpha << 24) | (rgb.getRGB(x, y) & 0xFFFFFF));
            }
        }
        Path p = tmp.resolve("alpha.png");
        assertThat(ImageIO.write(argb, "png", p.toFile())).isTrue();
        assertThat(Files.readAllBytes(p)[25]).as("PNG colour type 6 (RGBA)").isEqualTo((byte) 6);
        try (DecodedImage d = new ImageLoader(MAX_PIXELS).load(p)) {
            assertThat(d.bgr().channels()).isEqualTo(3);
        }
        assertFaceLikeOriginal(p, 3);
    }

    /**
     * Pixels stored rotated 90° counter-clockwise with EXIF Orientation = 6 ("rotate 90° clockwise to view"). imread
     * applies it: the image comes out upright, 800x480, with the face where it is on the original.
     */
    @Test
    void exifRotatedPhotoIsDetectedUpright() throws Exception {
        Path stored = tmp.resolve("stored-rotated.jpg");
        try (Mat bgr = imread(photo.toString(), IMREAD_COLOR); Mat rot = new Mat()) {
            rotate(bgr, rot, ROTATE_90_COUNTERCLOCKWISE);
            assertThat(imwrite(stored.toString(), rot)).isTrue();
        }
        try (DecodedImage plain = new ImageLoader(MAX_PIXELS).load(stored)) {
            assertThat(plain.width()).as("without EXIF the stored pixels are portrait").isEqualTo(480);
            assertThat(plain.height()).isEqualTo(800);
        }
        Path p = Files.write(tmp.resolve("exif6.jpg"), spliceAfterSoi(Files.readAllBytes(stored), exifOrientation(6)));
        try (DecodedImage d = new ImageLoader(MAX_PIXELS).load(p)) {
            assertThat(d.width()).as("EXIF orientation applied").isEqualTo(800);
            assertThat(d.height()).isEqualTo(480);
        }
        assertFaceLikeOriginal(p, 3);
    }

    /** A face cut by the photo's edge: found on the padded image, its box clipped, the unclipped one kept too. */
    @Test
    void aFaceCutByThePhotosEdgeKeepsItsUnclippedBox() throws Exception {
        Path cut = tmp.resolve("cut-face.png");
        try (Mat bgr = imread(photo.toString(), IMREAD_COLOR); org.bytedeco.opencv.opencv_core.Rect r =
                new org.bytedeco.opencv.opencv_core.Rect(380, 0, 420, 480); Mat right = new Mat(bgr, r)) {
            assertThat(imwrite(cut.toString(), right)).isTrue();
        }
        try (DecodedImage d = new ImageLoader(MAX_PIXELS).load(cut)) {
            List<DetectedFace> faces = detector.detect(d, new DetectionSettings(0.5, 0.4, 0, 0.25, false));
            assertThat(faces).hasSize(1);
            DetectedFace f = faces.get(0);
            assertThat(f.box().x1()).as("clipped to the photo").isZero();
            assertThat(f.unclipped().x1()).as("the box as detected reaches beyond the edge").isLessThan(-5);
            assertThat(f.unclipped().x2()).isEqualTo(f.box().x2());
            assertThat(f.unclipped().area()).isGreaterThan(f.box().area());
        }
    }

    // ---------------------------------------------------------------- paths

    @Test
    void missingFileIsFileMissing() {
        MediaPathResolver r = new MediaPathResolver(tmp);
        PermanentProcessingException e = catchThrowableOfType(() -> r.resolve("gone/away.jpg"),
                PermanentProcessingException.class);
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
            PermanentProcessingException e = catchThrowableOfType(() -> r.resolve(c.getKey()),
                    PermanentProcessingException.class);
            assertThat(e).as("path %s", printable(c.getKey())).isNotNull();
            assertThat(e.errorKind()).as("path %s", printable(c.getKey())).isEqualTo(c.getValue());
            if (!c.getKey().isEmpty()) {
                String name = c.getKey().substring(c.getKey().lastIndexOf('/') + 1).replace("\0", "\\0");
                assertThat(e.getMessage()).as("message names the file").contains(name.substring(0, Math.min(40, name.length())));
            }
        }
        // inside the root, through a link that stays inside, and through ../ that stays inside: accepted
        assertThat(r.resolve("innerlink.jpg")).isEqualTo(root.resolve("inside.jpg").toRealPath());
        assertThat(r.resolve("dirlink/../inside.jpg")).isEqualTo(root.resolve("inside.jpg").toRealPath());
        assertThat(r.resolve(root.resolve("inside.jpg").toString())).isEqualTo(root.resolve("inside.jpg").toRealPath());
    }

    // ---------------------------------------------------------------- the handler: row, dead letter, next item

    @Test
    void handlerMarksEachBadItemFailedPublishesADeadLetterAndGoesOn() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("media"));
        Path outside = Files.copy(photo, tmp.resolve("outside.jpg"));
        Files.write(root.resolve("empty.jpg"), new byte[0]);
        Files.writeString(root.resolve("text.jpg"), "not a photo");
        Files.writeString(root.resolve("vector.png"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        Files.write(root.resolve("bomb.png"), pngHeaderOnly(30000, 30000));
        Files.write(root.resolve("pnm.jpg"), "P6\n40000 40000\n255\n".getBytes(StandardCharsets.US_ASCII));
        byte[] all = Files.readAllBytes(photo);
        Files.write(root.resolve("cut.jpg"), Arrays.copyOf(all, all.length / 2));
        Files.createSymbolicLink(root.resolve("link.jpg"), outside);
        Files.copy(photo, root.resolve("good.jpg"));

        Map<String, String> cases = new LinkedHashMap<>(); // FilePath -> expected ErrorKind (null: detected)
        cases.put("empty.jpg", "EMPTY_FILE");
        cases.put("text.jpg", "NOT_AN_IMAGE");
        cases.put("vector.png", "NOT_AN_IMAGE");
        cases.put("bomb.png", "TOO_MANY_PIXELS");
        cases.put("pnm.jpg", null); // kind checked below: TOO_MANY_PIXELS or NOT_AN_IMAGE
        cases.put("missing.jpg", "FILE_MISSING");
        cases.put("../outside.jpg", "PATH_OUTSIDE_ROOT");
        cases.put(outside.toString(), "PATH_OUTSIDE_ROOT");
        cases.put("link.jpg", "PATH_OUTSIDE_ROOT");
        cases.put("y".repeat(300) + ".jpg", "FILE_MISSING");
        cases.put("cut.jpg", "");  // decoded partially: DETECTED
        cases.put("good.jpg", ""); // the worker goes on: DETECTED with the face

        List<Path> opened = Collections.synchronizedList(new ArrayList<>());
        ImageLoader recording = new ImageLoader(MAX_PIXELS) {
            @Override
            public DecodedImage load(Path file) {
                opened.add(file);
                return super.load(file);
            }
        };
        List<ProcessingFailed> deadLetters = new ArrayList<>();
        DeadLetterPublisher dlq = new DeadLetterPublisher(null) {
            @Override
            public void publish(ProcessingFailed failure) {
                deadLetters.add(failure);
            }
        };
        List<FacesDetected> published = new ArrayList<>();
        try (TestDatabase db = TestDatabase.start()) {
            var jdbc = db.jdbc();
            MediaFileRepository files = new MediaFileRepository(jdbc);
            MediaItemRepository items = new MediaItemRepository(jdbc);
            DetectFacesHandler handler = new DetectFacesHandler(items, files, new FaceRepository(jdbc),
                    new MediaPathResolver(root), recording, detector, SETTINGS,
                    new ThumbnailWriter(tmp.resolve("thumbs"), 0.2, 112, 20), db.tx(), published::add, dlq,
                    Clock.systemUTC()).withFaceCrops(new io.facerec.detector.thumbnail.FaceCropWriter(tmp.resolve("crops"),
                    448, io.facerec.detector.thumbnail.FaceCropWriter.Format.BMP));
            for (var c : cases.entrySet()) {
                String filePath = c.getKey();
                String fileName = filePath.substring(filePath.lastIndexOf('/') + 1);
                MediaFileId f = files.insert(filePath, fileName, fileName.substring(fileName.lastIndexOf('.')));
                MediaItemId id = items.insert(f, fileName);
                MediaItemCaptured event = MediaItemCaptured.of(id.value(), f.value(), "cdc");
                int before = deadLetters.size();
                DetectFacesHandler.Outcome outcome = handler.handle(event);
                var row = items.find(id).orElseThrow();
                System.out.printf("BadInputTest: handler %s -> %s %s %s%n", printable(filePath), outcome,
                        row.errorKind(), row.lastError() == null ? "" : printable(row.lastError().replace(tmp.toString(), "$TMP")));
                String kind = c.getValue();
                if ("".equals(kind)) {
                    assertThat(outcome).as(fileName).isEqualTo(DetectFacesHandler.Outcome.DETECTED);
                    assertThat(row.status()).isEqualTo(MediaItemStatus.DETECTED);
                    assertThat(deadLetters).hasSize(before);
                    continue;
                }
                assertThat(outcome).as(printable(fileName)).isEqualTo(DetectFacesHandler.Outcome.FAILED);
                assertThat(row.status()).isEqualTo(MediaItemStatus.FAILED);
                if (kind == null) {
                    assertThat(row.errorKind()).as(fileName).isIn("TOO_MANY_PIXELS", "NOT_AN_IMAGE");
                } else {
                    assertThat(row.errorKind()).as(printable(fileName)).isEqualTo(kind);
                }
                assertThat(row.lastError()).as("LastError names the file").contains(fileName.substring(0,
                        Math.min(40, fileName.length())));
                assertThat(deadLetters).as("one dead letter for " + printable(fileName)).hasSize(before + 1);
                ProcessingFailed dl = deadLetters.get(before);
                assertThat(dl.stage()).isEqualTo("detect");
                assertThat(dl.mediaItemId()).isEqualTo(id.value());
                assertThat(dl.errorKind()).isEqualTo(row.errorKind());
                assertThat(dl.message()).isEqualTo(row.lastError());
                assertThat(dl.payload()).isEqualTo(EventCodec.encode(event));
            }
            // redelivery of a failed item is skipped, no second dead letter
            MediaFileId f = files.findByPath("text.jpg").orElseThrow().id();
            long textItem = jdbc.queryForObject("SELECT \"Id\" FROM \"MediaItems\" WHERE \"MediaFileId\" = ?", Long.class,
                    f.value());
            int dls = deadLetters.size();
            assertThat(handler.handle(MediaItemCaptured.of(textItem, f.value(), "cdc")))
                    .isEqualTo(DetectFacesHandler.Outcome.SKIPPED);
            assertThat(deadLetters).hasSize(dls);
        }
        assertThat(deadLetters).hasSize(10);
        FacesDetected good = published.get(published.size() - 1);
        assertThat(good.filePath()).isEqualTo("good.jpg");
        assertThat(good.faces()).hasSize(1);
        assertThat(maxDiff(BoundingBox.of(good.faces().get(0).box()), originalBox)).isLessThan(0.01);
        assertThat(good.faces().get(0).crop()).as("the face's crop is handed to the embedder").isNotNull();
        assertThat(tmp.resolve("crops").resolve(good.faces().get(0).crop().file())).isRegularFile();
        Path realRoot = root.toRealPath();
        assertThat(opened).as("nothing outside the media root was ever handed to the decoder")
                .isNotEmpty().allSatisfy(p -> assertThat(p.toRealPath()).startsWith(realRoot));
        assertThat(opened).doesNotContain(outside, outside.toRealPath());
    }

    // ---------------------------------------------------------------- helpers

    private void assertFaceLikeOriginal(Path p, double tolerancePx) {
        try (DecodedImage d = new ImageLoader(MAX_PIXELS).load(p)) {
            assertThat(d.bgr().channels()).as(p.getFileName() + " channels").isEqualTo(3);
            assertThat(d.bgr().depth()).isEqualTo(CV_8U);
            assertThat(d.width()).isEqualTo(800);
            assertThat(d.height()).isEqualTo(480);
            List<DetectedFace> faces = detector.detect(d, SETTINGS);
            assertThat(faces).as(p.getFileName() + " faces").hasSize(1);
            double diff = maxDiff(faces.get(0).box(), originalBox);
            System.out.printf("BadInputTest: %s face %s, max coordinate diff to the original %.2f px%n",
                    p.getFileName(), faces.get(0).box(), diff);
            assertThat(diff).as(p.getFileName() + " box vs original " + originalBox).isLessThanOrEqualTo(tolerancePx);
        }
    }

    private static double maxDiff(BoundingBox a, BoundingBox b) {
        return Math.max(Math.max(Math.abs(a.x1() - b.x1()), Math.abs(a.y1() - b.y1())),
                Math.max(Math.abs(a.x2() - b.x2()), Math.abs(a.y2() - b.y2())));
    }

    private static PermanentProcessingException refused(Path p) {
        return refused(new ImageLoader(MAX_PIXELS), p);
    }

    private static PermanentProcessingException refused(ImageLoader loader, Path p) {
        Callable<DecodedImage> call = () -> loader.load(p);
        PermanentProcessingException e = catchThrowableOfType(() -> call.call().close(), PermanentProcessingException.class);
        assertThat(e).as("a PermanentProcessingException for " + p.getFileName()).isNotNull();
        return e;
    }

    private static String printable(String s) {
        String t = s.replace("\0", "\\0");
        return t.length() > 160 ? t.substring(0, 160) + "…(" + t.length() + " chars)" : t;
    }

    /** Max minus min of the grey values of one row. */
    private static int rowSpread(byte[] bgr, int width, int row) {
        int min = 255;
        int max = 0;
        for (int i = row * width * 3; i < (row + 1) * width * 3; i++) {
            min = Math.min(min, bgr[i] & 0xff);
            max = Math.max(max, bgr[i] & 0xff);
        }
        return max - min;
    }

    /** PNG signature, an IHDR for 8-bit RGB of the given size, IEND; no pixel data. */
    static byte[] pngHeaderOnly(int w, int h) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        out.writeBytes(chunk("IHDR", ihdr.array()));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    private static byte[] chunk(String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        return ByteBuffer.allocate(12 + data.length).putInt(data.length).put(t).put(data).putInt((int) crc.getValue())
                .array();
    }

    /** A real 16x16 baseline JPEG whose SOF0 is patched to claim the given size (tables and scan are real). */
    static byte[] jpegClaiming(int w, int h) {
        byte[] jpeg;
        try (Mat small = new Mat(16, 16, org.bytedeco.opencv.global.opencv_core.CV_8UC3,
                new org.bytedeco.opencv.opencv_core.Scalar(40, 90, 160, 0));
                org.bytedeco.javacpp.BytePointer buf = new org.bytedeco.javacpp.BytePointer()) {
            org.bytedeco.opencv.global.opencv_imgcodecs.imencode(".jpg", small, buf);
            jpeg = new byte[(int) buf.limit()];
            buf.get(jpeg);
        }
        int p = 2;
        while ((jpeg[p + 1] & 0xff) != 0xC0) {
            p += 2 + (((jpeg[p + 2] & 0xff) << 8) | (jpeg[p + 3] & 0xff));
        }
        ByteBuffer.wrap(jpeg, p + 5, 4).putShort((short) h).putShort((short) w);
        return jpeg;
    }

    /** APP1 "Exif" segment with a big-endian TIFF header and one IFD0 entry: Orientation (0x0112) SHORT = value. */
    static byte[] exifOrientation(int value) {
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4); // big-endian by default
        tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
        tiff.putShort((short) 1);
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) value).putShort((short) 0);
        tiff.putInt(0);
        byte[] payload = tiff.array();
        ByteBuffer app1 = ByteBuffer.allocate(4 + 6 + payload.length);
        app1.put((byte) 0xFF).put((byte) 0xE1).putShort((short) (2 + 6 + payload.length));
        app1.put("Exif".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put((byte) 0).put(payload);
        return app1.array();
    }

    static byte[] spliceAfterSoi(byte[] jpeg, byte[] segment) {
        assertThat(jpeg[0] & 0xff).isEqualTo(0xFF);
        assertThat(jpeg[1] & 0xff).isEqualTo(0xD8);
        byte[] out = new byte[jpeg.length + segment.length];
        System.arraycopy(jpeg, 0, out, 0, 2);
        System.arraycopy(segment, 0, out, 2, segment.length);
        System.arraycopy(jpeg, 2, out, 2 + segment.length, jpeg.length - 2);
        return out;
    }

    /** Number of components declared by the first SOFn marker. */
    static int jpegComponents(byte[] jpeg) {
        int p = 2;
        while (p + 4 < jpeg.length) {
            int marker = jpeg[p + 1] & 0xff;
            int len = ((jpeg[p + 2] & 0xff) << 8) | (jpeg[p + 3] & 0xff);
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                return jpeg[p + 9] & 0xff;
            }
            p += 2 + len;
        }
        return -1;
    }
}
