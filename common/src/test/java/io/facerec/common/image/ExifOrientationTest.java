package io.facerec.common.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ExifOrientation} against OpenCV's {@code imread} itself: for each JPEG, the stored pixels
 * ({@code IMREAD_IGNORE_ORIENTATION}) with our orientation applied must equal what {@code imread} returns, pixel for
 * pixel — for the eight orientations in both byte orders, and for the layouts where readers disagree.
 */
class ExifOrientationTest {
    @TempDir
    Path tmp;

    @Test
    void allEightOrientationsInBothByteOrdersAsImread() throws Exception {
        for (boolean intel : new boolean[] {false, true}) {
            for (int o = 1; o <= 8; o++) {
                byte[] jpeg = withSegments(exif(intel, 8, new int[][] {{0x0112, 3, 1, o}}));
                assertThat(ExifOrientation.read(jpeg)).isEqualTo(o);
                assertSameAsImread(jpeg, (intel ? "II" : "MM") + " orientation " + o);
            }
        }
    }

    @Test
    void unusualLayoutsAsImread() throws Exception {
        byte[] xmp = segment(0xE1, "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>".getBytes(StandardCharsets.US_ASCII));
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {"IFD0 further in", 6, new byte[][] {exif(true, 20, new int[][] {{0x0112, 3, 1, 6}})}});
        cases.add(new Object[] {"XMP before Exif", 6, new byte[][] {xmp, exif(false, 8, new int[][] {{0x0112, 3, 1, 6}})}});
        cases.add(new Object[] {"two Exif segments: the first orientation wins", 3,
            new byte[][] {exif(false, 8, new int[][] {{0x0112, 3, 1, 3}}), exif(false, 8, new int[][] {{0x0112, 3, 1, 6}})}});
        cases.add(new Object[] {"Exif without orientation, then one with", 8,
            new byte[][] {exif(false, 8, new int[][] {{0x011A, 5, 1, 100}}), exif(false, 8, new int[][] {{0x0112, 3, 1, 8}})}});
        cases.add(new Object[] {"no Exif header", ExifOrientation.NONE,
            new byte[][] {rawTiffApp1(exif(false, 8, new int[][] {{0x0112, 3, 1, 6}}))}});
        cases.add(new Object[] {"declared LONG: the 16 bits read are 0", 0,
            new byte[][] {exif(false, 8, new int[][] {{0x0112, 4, 1, 6}})}});
        cases.add(new Object[] {"a Make string out of range before it", ExifOrientation.NONE,
            new byte[][] {exif(false, 8, new int[][] {{0x010F, 2, 40, 5000}, {0x0112, 3, 1, 6}})}});
        cases.add(new Object[] {"out of range value 9", 9, new byte[][] {exif(false, 8, new int[][] {{0x0112, 3, 1, 9}})}});
        cases.add(new Object[] {"two orientation entries: the first", 6,
            new byte[][] {exif(false, 8, new int[][] {{0x0112, 3, 1, 6}, {0x0112, 3, 1, 3}})}});
        for (Object[] c : cases) {
            byte[] jpeg = withSegments((byte[][]) c[2]);
            assertThat(ExifOrientation.read(jpeg)).as((String) c[0]).isEqualTo((int) c[1]);
            assertSameAsImread(jpeg, (String) c[0]);
        }
    }

    private void assertSameAsImread(byte[] jpeg, String what) throws Exception {
        Path p = Files.write(tmp.resolve("o.jpg"), jpeg);
        try (Mat stored = imread(p.toString(), IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION);
                Mat expected = imread(p.toString(), IMREAD_COLOR)) {
            Mat ours = ExifOrientation.apply(stored, ExifOrientation.read(jpeg));
            try {
                assertThat(ours.cols()).as(what + " width").isEqualTo(expected.cols());
                assertThat(ours.rows()).as(what + " height").isEqualTo(expected.rows());
                assertThat(Pixels.bytes(ours)).as(what + " pixels").isEqualTo(Pixels.bytes(expected));
            } finally {
                if (ours != stored) {
                    ours.close();
                }
            }
        }
    }

    /** A 32x16 JPEG whose four 16x8 quadrants (two blocks wide) are distinct, with the segments after SOI. */
    private static byte[] withSegments(byte[]... segments) {
        Mat m = new Mat(16, 32, CV_8UC3);
        byte[] px = new byte[16 * 32 * 3];
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 32; x++) {
                int q = (y / 8) * 2 + x / 16;
                int i = (y * 32 + x) * 3;
                px[i] = (byte) (q * 70);
                px[i + 1] = (byte) (250 - q * 60);
                px[i + 2] = (byte) (x * 8);
            }
        }
        m.data().put(px);
        byte[] jpeg = ReferenceJpegDecoderTest.encode(m, org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY,
                95);
        m.close();
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(jpeg, 0, 2);
        for (byte[] s : segments) {
            o.writeBytes(s);
        }
        o.write(jpeg, 2, jpeg.length - 2);
        return o.toByteArray();
    }

    /** APP1 "Exif\0\0" + a TIFF header and one IFD0 with the entries {tag, type, count, value}. */
    static byte[] exif(boolean intel, int ifdOffset, int[][] entries) {
        ByteBuffer t = ByteBuffer.allocate(256).order(intel ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        t.put((byte) (intel ? 'I' : 'M')).put((byte) (intel ? 'I' : 'M')).putShort((short) 42).putInt(ifdOffset);
        while (t.position() < ifdOffset) {
            t.put((byte) 0);
        }
        t.putShort((short) entries.length);
        for (int[] e : entries) {
            t.putShort((short) e[0]).putShort((short) e[1]).putInt(e[2]);
            if (e[1] == 3) {
                t.putShort((short) e[3]).putShort((short) 0);
            } else {
                t.putInt(e[3]);
            }
        }
        t.putInt(0);
        byte[] tiff = new byte[t.position()];
        t.flip().get(tiff);
        byte[] payload = new byte[6 + tiff.length];
        System.arraycopy("Exif\0\0".getBytes(StandardCharsets.US_ASCII), 0, payload, 0, 6);
        System.arraycopy(tiff, 0, payload, 6, tiff.length);
        return segment(0xE1, payload);
    }

    /** The same APP1 without its "Exif\0\0" header. */
    private static byte[] rawTiffApp1(byte[] exifSegment) {
        byte[] payload = new byte[exifSegment.length - 4 - 6];
        System.arraycopy(exifSegment, 10, payload, 0, payload.length);
        return segment(0xE1, payload);
    }

    static byte[] segment(int marker, byte[] payload) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(0xFF);
        o.write(marker);
        o.write((payload.length + 2) >> 8);
        o.write((payload.length + 2) & 0xff);
        o.writeBytes(payload);
        return o.toByteArray();
    }
}
