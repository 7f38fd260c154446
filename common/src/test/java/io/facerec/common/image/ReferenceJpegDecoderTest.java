package io.facerec.common.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_PROGRESSIVE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_RST_INTERVAL;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR_411;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR_420;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR_422;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR_440;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR_444;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.facerec.common.image.ReferenceJpegDecoder.Image;
import io.facerec.common.image.ReferenceJpegDecoder.JpegDecodeException;
import io.facerec.common.image.ReferenceJpegDecoder.Order;
import io.facerec.common.image.ReferenceJpegDecoder.Reason;
import io.facerec.common.testing.SharedData;
import io.facerec.common.testing.TestJpegs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;

/**
 * {@link ReferenceJpegDecoder} without node: golden hashes of jpeg-js's output for shared photos, agreement with
 * OpenCV (within decoder rounding) on JPEGs made here, the single pass against jpeg-js's own two-pass order, and the
 * clear refusals. Bit-exactness against jpeg-js itself on the whole shared set is checked by
 * {@code bench/jpeg-decoder.sh}.
 */
class ReferenceJpegDecoderTest {

    /**
     * SHA-256 of the RGB bytes jpeg-js 0.4.4 decodes ({@code decode(buf, {useTArray: true, formatAsRGBA: true})}, alpha
     * dropped) — golden values computed with jpeg-js in node, not by this decoder.
     */
    @Test
    void decodesSharedPhotosBitForBitAsJpegJs() throws Exception {
        Path eval = SharedData.require("eval");
        assertGolden(eval.resolve("detection/deepframe_hamidMir.jpg"), 800, 480, // progressive, 4:2:0
                "a59a5ecae6ba5677ed0ea84fb20df7c0ebc793282cbfb37468ad761334bb5fb4");
        assertGolden(eval.resolve("detection/deepface_couple.jpg"), 2280, 1588, // baseline, 4:2:0, restart markers
                "67f84729ae1dd4d203ae51140311b07cc61d59b11b863c0ef5ed0e71651dd65e");
        assertGolden(eval.resolve("detection/faceapijs_bbt1.jpg"), 1366, 768, // baseline 4:4:4, Adobe marker
                "30a1b9c76be868c4b730c44b759761cf656de5d290261d6f7f0d3429ebdfef5b");
        assertGolden(eval.resolve("identity/Abdullah_Gul/lfwg_Abdullah_Gul_0001.jpg"), 350, 350, // grayscale
                "7d2dc5c69c1a26e12e038e2255589c973e65ebaa0748641c7c46209f8b094637");
    }

    private static void assertGolden(Path file, int w, int h, String sha256) throws Exception {
        byte[] jpeg = Files.readAllBytes(file);
        Image rgb = ReferenceJpegDecoder.decode(jpeg, Order.RGB);
        assertThat(rgb.width()).as(file.getFileName() + " width").isEqualTo(w);
        assertThat(rgb.height()).isEqualTo(h);
        assertThat(sha256(rgb.pixels())).as(file.getFileName() + " RGB bytes").isEqualTo(sha256);
        assertThat(sha256(ReferenceJpegDecoder.decodeTwoPass(jpeg, Order.RGB).pixels())).isEqualTo(sha256);
        byte[] bgr = ReferenceJpegDecoder.decode(jpeg, Order.BGR).pixels();
        byte[] p = rgb.pixels();
        for (int i = 0; i < p.length; i += 3) {
            if (bgr[i] != p[i + 2] || bgr[i + 1] != p[i + 1] || bgr[i + 2] != p[i]) {
                throw new AssertionError("BGR is not RGB reversed at pixel " + i / 3);
            }
        }
    }

    @Test
    void progressiveRestartAndSubsampledJpegsMatchOpenCvWithinDecoderRounding() throws Exception {
        Mat photo = imread(SharedData.require("eval").resolve("detection/deepframe_hamidMir.jpg").toString(),
                IMREAD_COLOR);
        int[] samplings = {IMWRITE_JPEG_SAMPLING_FACTOR_444, IMWRITE_JPEG_SAMPLING_FACTOR_420,
            IMWRITE_JPEG_SAMPLING_FACTOR_422, IMWRITE_JPEG_SAMPLING_FACTOR_440, IMWRITE_JPEG_SAMPLING_FACTOR_411};
        for (int[] size : new int[][] {{333, 217}, {64, 48}, {17, 9}}) {
            Mat small = new Mat();
            resize(photo, small, new Size(size[0], size[1]), 0, 0, INTER_AREA);
            for (int sampling : samplings) {
                for (int progressive = 0; progressive < 2; progressive++) {
                    for (int restart : new int[] {0, 1, 3}) {
                        byte[] jpeg = encode(small, IMWRITE_JPEG_QUALITY, 92, IMWRITE_JPEG_SAMPLING_FACTOR, sampling,
                                IMWRITE_JPEG_PROGRESSIVE, progressive, IMWRITE_JPEG_RST_INTERVAL, restart);
                        String what = String.format("%dx%d sampling %x progressive %d restart %d", size[0], size[1],
                                sampling, progressive, restart);
                        assertThat(TestJpegs.sofMarker(jpeg)).as(what).isEqualTo(progressive == 1 ? 0xC2 : 0xC0);
                        assertThat(hasMarker(jpeg, 0xDD)).as(what + ": DRI").isEqualTo(restart > 0);
                        Image ours = ReferenceJpegDecoder.decode(jpeg, Order.BGR);
                        assertThat(ours.width()).isEqualTo(size[0]);
                        assertThat(ours.height()).isEqualTo(size[1]);
                        byte[] cv = opencv(jpeg);
                        // jpeg-js replicates chroma and truncates; libjpeg-turbo interpolates chroma and rounds
                        double limit = sampling == IMWRITE_JPEG_SAMPLING_FACTOR_444 ? 1.5 : 3.0;
                        assertThat(meanAbsDiff(ours.pixels(), cv)).as(what + ": mean |ours - OpenCV|")
                                .isLessThan(limit);
                        assertThat(ReferenceJpegDecoder.decodeTwoPass(jpeg, Order.BGR).pixels())
                                .as(what + ": single pass = jpeg-js's two passes").isEqualTo(ours.pixels());
                    }
                }
            }
        }
    }

    @Test
    void grayscaleJpegComesOutAsThreeEqualChannels() throws Exception {
        Mat gray = new Mat(24, 40, org.bytedeco.opencv.global.opencv_core.CV_8UC1);
        byte[] ramp = new byte[24 * 40];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = (byte) (i * 7);
        }
        gray.data().put(ramp);
        byte[] jpeg = encode(gray, IMWRITE_JPEG_QUALITY, 95);
        Image img = ReferenceJpegDecoder.decode(jpeg, Order.BGR);
        byte[] p = img.pixels();
        for (int i = 0; i < p.length; i += 3) {
            assertThat(p[i]).isEqualTo(p[i + 1]).isEqualTo(p[i + 2]);
        }
        assertThat(meanAbsDiff(p, opencv(jpeg))).isLessThan(1.0);
    }

    @Test
    void refusesWhatJpegJsCannotDecodeWithTheReason() throws Exception {
        byte[] jpeg = encode(new Mat(16, 16, CV_8UC3, new org.bytedeco.opencv.opencv_core.Scalar(40, 90, 160, 0)),
                IMWRITE_JPEG_QUALITY, 90);
        int sof = indexOfMarker(jpeg, 0xC0);

        byte[] arithmetic = jpeg.clone();
        arithmetic[sof + 1] = (byte) 0xC9;
        assertRefused(arithmetic, Reason.UNSUPPORTED, "arithmetic");

        byte[] lossless = jpeg.clone();
        lossless[sof + 1] = (byte) 0xC3;
        assertRefused(lossless, Reason.UNSUPPORTED, "lossless");

        byte[] twelveBit = jpeg.clone();
        twelveBit[sof + 4] = 12; // precision: jpeg-js would decode it as 8-bit garbage
        assertRefused(twelveBit, Reason.UNSUPPORTED, "12-bit");

        assertRefused(Arrays.copyOf(jpeg, jpeg.length / 2), Reason.MALFORMED, "");
        assertRefused("not a jpeg".getBytes(), Reason.MALFORMED, "SOI");

        byte[] huge = jpeg.clone();
        huge[sof + 5] = (byte) 0x75; // height 30000 and more
        huge[sof + 7] = (byte) 0x75;
        JpegDecodeException e = catchThrowableOfType(() -> ReferenceJpegDecoder.decode(huge, Order.BGR, 1_000_000,
                Long.MAX_VALUE), JpegDecodeException.class);
        assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS);
        assertThat(e.getMessage()).contains("pixels");

        // more heap than the caller grants (checked on the header, as jpeg-js's maxMemoryUsageInMB): left to OpenCV
        JpegDecodeException heap = catchThrowableOfType(() -> ReferenceJpegDecoder.decode(jpeg, Order.BGR,
                Long.MAX_VALUE, 1_000), JpegDecodeException.class);
        assertThat(heap.reason()).isEqualTo(Reason.UNSUPPORTED);
        assertThat(heap.getMessage()).contains("heap");
        assertThat(ReferenceJpegDecoder.decode(jpeg, Order.BGR, Long.MAX_VALUE, 1_000_000).width()).isEqualTo(16);
    }

    private static void assertRefused(byte[] jpeg, Reason reason, String message) {
        JpegDecodeException e = catchThrowableOfType(() -> ReferenceJpegDecoder.decode(jpeg, Order.BGR),
                JpegDecodeException.class);
        assertThat(e).as("refused: " + message).isNotNull();
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e.getMessage()).contains(message);
    }

    /**
     * The colour conversion runs in integers: {@code trunc(clamp(Y + d))} with jpeg-js's double {@code d} equals
     * {@code clamp(Y + floor(d))} for every (Y, Cb, Cr), all 2^24 of them.
     */
    @Test
    void integerColourTablesEqualJpegJsDoublesForEverySample() {
        long mismatches = 0;
        for (int cb = 0; cb < 256; cb++) {
            for (int cr = 0; cr < 256; cr++) {
                double gd = 0.3441363 * (cb - 128);
                double gd2 = 0.71413636 * (cr - 128);
                int gOff = ReferenceJpegDecoder.G_OFF[(cb << 8) | cr];
                for (int y = 0; y < 256; y++) {
                    double g = y - gd - gd2;
                    if (js(g) != clamp(y + gOff)) {
                        mismatches++;
                    }
                    if (cb == 0) {
                        if (js(y + 1.402 * (cr - 128)) != clamp(y + ReferenceJpegDecoder.R_OFF[cr])) {
                            mismatches++;
                        }
                    }
                    if (cr == 0) {
                        if (js(y + 1.772 * (cb - 128)) != clamp(y + ReferenceJpegDecoder.B_OFF[cb])) {
                            mismatches++;
                        }
                    }
                }
            }
        }
        assertThat(mismatches).isZero();
    }

    private static int js(double v) {
        return v < 0 ? 0 : v > 255 ? 255 : (int) v; // clampTo8bit, then the Uint8Array store truncates
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    // ---------------------------------------------------------------- helpers

    static byte[] encode(Mat m, int... params) {
        try (BytePointer buf = new BytePointer(); IntPointer p = new IntPointer(params)) {
            assertThat(imencode(".jpg", m, buf, p)).isTrue();
            byte[] b = new byte[(int) buf.limit()];
            buf.get(b);
            return b;
        }
    }

    static byte[] opencv(byte[] jpeg) {
        try (Mat raw = new Mat(1, jpeg.length, org.bytedeco.opencv.global.opencv_core.CV_8UC1);
                Mat m = imdecode(rawOf(raw, jpeg), IMREAD_COLOR)) {
            return Pixels.bytes(m);
        }
    }

    private static Mat rawOf(Mat raw, byte[] jpeg) {
        raw.data().put(jpeg);
        return raw;
    }

    static double meanAbsDiff(byte[] a, byte[] b) {
        assertThat(a).hasSameSizeAs(b);
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
        }
        return (double) sum / a.length;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static int indexOfMarker(byte[] jpeg, int marker) {
        int p = 2;
        while (p + 4 < jpeg.length) {
            if ((jpeg[p + 1] & 0xff) == marker) {
                return p;
            }
            if ((jpeg[p + 1] & 0xff) == 0xDA) {
                return -1;
            }
            p += 2 + (((jpeg[p + 2] & 0xff) << 8) | (jpeg[p + 3] & 0xff));
        }
        return -1;
    }

    private static boolean hasMarker(byte[] jpeg, int marker) {
        return indexOfMarker(jpeg, marker) >= 0;
    }
}
