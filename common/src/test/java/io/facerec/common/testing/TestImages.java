package io.facerec.common.testing;

import static org.bytedeco.opencv.global.opencv_core.CV_16UC3;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_COUNTERCLOCKWISE;
import static org.bytedeco.opencv.global.opencv_core.rotate;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import io.facerec.common.image.Pixels;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Bad and unusual image files made from one photo (no committed binaries): what the image-loading tests of
 * {@code common} and the detector's tests both feed the pipeline.
 */
public final class TestImages {
    private TestImages() {}

    /**
     * Unusual but valid variants of a photo, by file name: grayscale JPEG and PNG, 16-bit grey and RGB PNGs, a CMYK
     * JPEG (Adobe, inverted), a PNG with alpha, and the pixels stored rotated with EXIF orientation 6. Each decodes to
     * the photo's geometry, upright.
     */
    public static Map<String, Path> unusualVariants(Path photo, Path dir) {
        Map<String, Path> out = new LinkedHashMap<>();
        try (Mat bgr = imread(photo.toString(), IMREAD_COLOR);
                Mat gray = new Mat();
                Mat deep = new Mat();
                Mat rot = new Mat()) {
            cvtColor(bgr, gray, COLOR_BGR2GRAY);
            out.put("gray.jpg", write(dir.resolve("gray.jpg"), gray));
            out.put("gray.png", write(dir.resolve("gray.png"), gray));
            Path gray16 = dir.resolve("gray16.png");
            byte[] g = Pixels.bytes(gray);
            BufferedImage img = new BufferedImage(gray.cols(), gray.rows(), BufferedImage.TYPE_USHORT_GRAY);
            WritableRaster r = img.getRaster();
            for (int y = 0; y < gray.rows(); y++) {
                for (int x = 0; x < gray.cols(); x++) {
                    r.setSample(x, y, 0, (g[y * gray.cols() + x] & 0xff) * 257);
                }
            }
            ImageIO.write(img, "png", gray16.toFile());
            out.put("gray16.png", gray16);
            bgr.convertTo(deep, CV_16UC3, 257, 0);
            out.put("rgb16.png", write(dir.resolve("rgb16.png"), deep));
            out.put("cmyk.jpg", Files.write(dir.resolve("cmyk.jpg"), cmykJpeg(photo)));
            out.put("alpha.png", alphaPng(photo, dir.resolve("alpha.png")));
            rotate(bgr, rot, ROTATE_90_COUNTERCLOCKWISE);
            Path stored = write(dir.resolve("stored-rotated.jpg"), rot);
            out.put(
                    "exif6.jpg",
                    Files.write(
                            dir.resolve("exif6.jpg"), spliceAfterSoi(Files.readAllBytes(stored), exifOrientation(6))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static Path write(Path p, Mat m) {
        if (!imwrite(p.toString(), m)) {
            throw new IllegalStateException("cannot write " + p);
        }
        return p;
    }

    /**
     * A CMYK JPEG as Photoshop writes it: 4 components, Adobe APP14 marker (transform 0), inverted CMYK samples. The
     * JDK's JPEG writer encodes a 4-band raster as it is; the Adobe marker is spliced in by hand.
     */
    public static byte[] cmykJpeg(Path photo) throws IOException {
        BufferedImage rgb = ImageIO.read(photo.toFile());
        WritableRaster cmyk =
                Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, rgb.getWidth(), rgb.getHeight(), 4, null);
        for (int y = 0; y < rgb.getHeight(); y++) {
            for (int x = 0; x < rgb.getWidth(); x++) {
                int c = rgb.getRGB(x, y);
                int r = (c >> 16) & 0xff;
                int g = (c >> 8) & 0xff;
                int b = c & 0xff;
                int kk = Math.max(r, Math.max(g, b)); // 255 - K, K from the brightest channel
                // Adobe stores inverted CMYK: with K, R = (255-C)(255-K)/255, so (255-C) = R*255/(255-K)
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
        return spliceAfterSoi(bytes.toByteArray(), adobe);
    }

    /** The photo as an RGBA PNG: a fully transparent strip on the left (100 px), translucent elsewhere. */
    public static Path alphaPng(Path photo, Path out) throws IOException {
        BufferedImage rgb = ImageIO.read(photo.toFile());
        BufferedImage argb = new BufferedImage(rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < rgb.getHeight(); y++) {
            for (int x = 0; x < rgb.getWidth(); x++) {
                int alpha = x < 100 ? 0 : 180;
                argb.setRGB(x, y, (alpha << 24) | (rgb.getRGB(x, y) & 0xFFFFFF));
            }
        }
        ImageIO.write(argb, "png", out.toFile());
        return out;
    }

    /** A JPEG cut at half its bytes. */
    public static byte[] truncated(byte[] file) {
        return Arrays.copyOf(file, file.length / 2);
    }

    /** PNG signature, an IHDR for 8-bit RGB of the given size, IEND; no pixel data. */
    public static byte[] pngHeaderOnly(int w, int h) {
        ByteBuffer ihdr = ByteBuffer.allocate(13)
                .putInt(w)
                .putInt(h)
                .put((byte) 8)
                .put((byte) 2)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0);
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
        return ByteBuffer.allocate(12 + data.length)
                .putInt(data.length)
                .put(t)
                .put(data)
                .putInt((int) crc.getValue())
                .array();
    }

    /** A binary PPM header (a format the JDK cannot read) claiming {@code w x h}, without pixels. */
    public static byte[] pnmHeaderOnly(int w, int h) {
        return ("P6\n" + w + " " + h + "\n255\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** APP1 "Exif" segment with a big-endian TIFF header and one IFD0 entry: Orientation (0x0112) SHORT = value. */
    public static byte[] exifOrientation(int value) {
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4); // big-endian by default
        tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
        tiff.putShort((short) 1);
        tiff.putShort((short) 0x0112)
                .putShort((short) 3)
                .putInt(1)
                .putShort((short) value)
                .putShort((short) 0);
        tiff.putInt(0);
        byte[] payload = tiff.array();
        ByteBuffer app1 = ByteBuffer.allocate(4 + 6 + payload.length);
        app1.put((byte) 0xFF).put((byte) 0xE1).putShort((short) (2 + 6 + payload.length));
        app1.put("Exif".getBytes(StandardCharsets.US_ASCII))
                .put((byte) 0)
                .put((byte) 0)
                .put(payload);
        return app1.array();
    }

    /** The JPEG with a marker segment inserted right after its start-of-image marker. */
    public static byte[] spliceAfterSoi(byte[] jpeg, byte[] segment) {
        if ((jpeg[0] & 0xff) != 0xFF || (jpeg[1] & 0xff) != 0xD8) {
            throw new IllegalArgumentException("not a JPEG");
        }
        byte[] out = new byte[jpeg.length + segment.length];
        System.arraycopy(jpeg, 0, out, 0, 2);
        System.arraycopy(segment, 0, out, 2, segment.length);
        System.arraycopy(jpeg, 2, out, 2 + segment.length, jpeg.length - 2);
        return out;
    }

    /** Number of components declared by the first SOFn marker. */
    public static int jpegComponents(byte[] jpeg) {
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

    /** Max minus min of the grey values of one row of a BGR image. */
    public static int rowSpread(byte[] bgr, int width, int row) {
        int min = 255;
        int max = 0;
        for (int i = row * width * 3; i < (row + 1) * width * 3; i++) {
            min = Math.min(min, bgr[i] & 0xff);
            max = Math.max(max, bgr[i] & 0xff);
        }
        return max - min;
    }
}
