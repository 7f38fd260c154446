package io.facerec.detector.detect;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Bilinear scaling exactly as the reference harness's canvas does it: {@code drawImage(image, 0, 0, dw, dh)} on an
 * {@code @napi-rs/canvas} 2D context with the default smoothing (quality "low": Skia {@code SkFilterMode::kLinear}, no
 * mipmaps), which Skia's raster pipeline runs as its lowp {@code bilerp_clamp_8888} stage:
 * <ul>
 * <li>the canvas scale is {@code (float) dw / (float) sw}, inverted in float ({@code 1f / scale}); destination pixel
 * {@code x} samples at {@code (x + 0.5f) * inverse} (single-precision);</li>
 * <li>that centre is quantised to 16.16 fixed point, less half a pixel: {@code q = floor(65536 c + 0.5) - 32768}; the
 * integer part and the next pixel (both clamped to the image) are the two taps, the fraction minus one half is a
 * signed Q15 weight {@code t = (short) (q ^ 0x8000)};</li>
 * <li>each axis interpolates with a rounding Q15 multiply ({@code (a b + 2^14) >> 15}, as {@code pmulhrsw} /
 * {@code vqrdmulh}): horizontally {@code (qmul(tx, (r - l) << 7) + ((r + l) << 7) + 1) >> 1}, then vertically
 * {@code (qmul(ty, bottom - top) + bottom + top + 128) >> 8}.</li>
 * </ul>
 * With the reference's decoded pixels ({@link io.facerec.common.image.ReferenceJpegDecoder}) this reproduces the
 * reference network input byte for byte on all 50 photos of the shared detection set; OpenCV's {@code INTER_LINEAR}
 * and {@code INTER_LINEAR_EXACT} differ from it by one grey level on about 8% and 0.4% of the bytes.
 */
final class SkiaBilinear {
    private SkiaBilinear() {
    }

    /**
     * Scales the 8-bit BGR {@code bgr} to {@code dw x dh} and writes it at the top-left of a planar RGB float image
     * ({@code out}: 3 planes of {@code size x size}, NCHW), leaving the rest of {@code out} untouched.
     */
    static void letterbox(Mat bgr, int dw, int dh, float[] out, int size) {
        int sw = bgr.cols();
        int sh = bgr.rows();
        float invX = 1.0f / ((float) dw / (float) sw);
        float invY = 1.0f / ((float) dh / (float) sh);
        int[] left = new int[dw];
        int[] right = new int[dw];
        int[] tx = new int[dw];
        for (int x = 0; x < dw; x++) {
            int q = quantise(((float) x + 0.5f) * invX);
            int i = q >> 16;
            left[x] = 3 * clamp(i, sw);
            right[x] = 3 * clamp(i + 1, sw);
            tx[x] = (short) (q ^ 0x8000);
        }
        int plane = size * size;
        int rowBytes = sw * 3;
        byte[] top = new byte[rowBytes];
        byte[] bottom = new byte[rowBytes];
        int topRow = -1;
        int bottomRow = -1;
        for (int y = 0; y < dh; y++) {
            int q = quantise(((float) y + 0.5f) * invY);
            int y0 = clamp(q >> 16, sh);
            int y1 = clamp((q >> 16) + 1, sh);
            int ty = (short) (q ^ 0x8000);
            if (y0 != topRow) {
                if (y0 == bottomRow) { // moving down one row: reuse it
                    byte[] t = top;
                    top = bottom;
                    bottom = t;
                    bottomRow = topRow;
                } else {
                    row(bgr, y0, top);
                }
                topRow = y0;
            }
            if (y1 != bottomRow) {
                if (y1 == topRow) {
                    System.arraycopy(top, 0, bottom, 0, rowBytes);
                } else {
                    row(bgr, y1, bottom);
                }
                bottomRow = y1;
            }
            int o = y * size;
            for (int x = 0; x < dw; x++) {
                int l = left[x];
                int r = right[x];
                int t = tx[x];
                // BGR in, RGB planes out
                out[o + x + 2 * plane] = lerp(top, bottom, l, r, t, ty);
                out[o + x + plane] = lerp(top, bottom, l + 1, r + 1, t, ty);
                out[o + x] = lerp(top, bottom, l + 2, r + 2, t, ty);
            }
        }
    }

    private static int lerp(byte[] top, byte[] bottom, int l, int r, int tx, int ty) {
        int a = horizontal(top[l] & 0xff, top[r] & 0xff, tx);
        int b = horizontal(bottom[l] & 0xff, bottom[r] & 0xff, tx);
        return (qmul(ty, b - a) + b + a + 128) >> 8;
    }

    private static int horizontal(int l, int r, int t) {
        return (qmul(t, (r - l) << 7) + ((r + l) << 7) + 1) >> 1;
    }

    /** Rounding Q15 multiply; the operands here never reach the one saturating case (-32768 x -32768). */
    private static int qmul(int a, int b) {
        return (a * b + (1 << 14)) >> 15;
    }

    /** The sample centre in 16.16 fixed point, less half a pixel. */
    private static int quantise(float centre) {
        return (int) Math.floor(65536.0f * centre + 0.5f) - 32768;
    }

    private static int clamp(int i, int n) {
        return i < 0 ? 0 : i >= n ? n - 1 : i;
    }

    private static void row(Mat m, int y, byte[] into) {
        BytePointer p = m.ptr(y);
        p.get(into, 0, into.length);
    }
}
