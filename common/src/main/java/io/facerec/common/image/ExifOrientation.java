package io.facerec.common.image;

import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_core.transpose;

import org.bytedeco.opencv.opencv_core.Mat;

/**
 * The EXIF orientation of a JPEG, read and applied as OpenCV 4.13's {@code imread} does, for images decoded without
 * OpenCV ({@link ReferenceJpegDecoder}).
 *
 * <p>Reading follows OpenCV's JPEG decoder and {@code ExifReader}: every APP1 segment before the first scan that starts
 * with {@code "Exif\0\0"} is parsed (others, such as XMP, are skipped); the TIFF byte order is Intel only for
 * {@code "II"}, big-endian otherwise; the tag mark must be 42; the entries of IFD0 are read in order, and the first
 * Orientation entry (0x0112) found in any segment wins, its value read as an unsigned 16-bit number at the entry's value
 * field whatever its declared type. A segment whose parsing fails (an offset out of range, e.g. in a string tag before
 * the orientation) contributes only the entries read before the failure. Values other than 1 to 8 change nothing.
 *
 * <p>Applying it is OpenCV's {@code ExifTransform}: flips and a transpose, never a resampling.
 */
public final class ExifOrientation {
    /** No orientation tag (or none OpenCV would see). */
    public static final int NONE = 0;

    private static final int ORIENTATION = 0x0112;

    private ExifOrientation() {
    }

    /** @return the orientation OpenCV would apply to this JPEG (1 to 8, or any other value it ignores), or {@link #NONE} */
    public static int read(byte[] jpeg) {
        if (jpeg.length < 4 || (jpeg[0] & 0xff) != 0xFF || (jpeg[1] & 0xff) != 0xD8) {
            return NONE;
        }
        int p = 2;
        while (p + 1 < jpeg.length) {
            // as libjpeg's next_marker: skip anything up to an 0xFF, then any fill 0xFFs
            while (p < jpeg.length && (jpeg[p] & 0xff) != 0xFF) {
                p++;
            }
            while (p < jpeg.length && (jpeg[p] & 0xff) == 0xFF) {
                p++;
            }
            if (p >= jpeg.length) {
                return NONE;
            }
            int marker = jpeg[p++] & 0xff;
            if (marker == 0xDA || marker == 0xD9) {
                return NONE; // libjpeg stops saving markers at the first scan
            }
            if (marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x00) {
                continue; // no length
            }
            if (p + 1 >= jpeg.length) {
                return NONE;
            }
            int len = ((jpeg[p] & 0xff) << 8) | (jpeg[p + 1] & 0xff);
            int start = p + 2;
            int end = Math.min(jpeg.length, p + len);
            if (len < 2) {
                return NONE;
            }
            if (marker == 0xE1 && end - start > 6 && jpeg[start] == 'E' && jpeg[start + 1] == 'x'
                    && jpeg[start + 2] == 'i' && jpeg[start + 3] == 'f' && jpeg[start + 4] == 0 && jpeg[start + 5] == 0) {
                int o = new Tiff(jpeg, start + 6, end).orientation();
                if (o >= 0) {
                    return o;
                }
            }
            p += len;
        }
        return NONE;
    }

    /**
     * Applies OpenCV's {@code ExifTransform} to {@code image}. @return {@code image} itself for 1 and values out of
     * range, otherwise a new matrix (the caller closes {@code image} when it differs)
     */
    public static Mat apply(Mat image, int orientation) {
        Mat out;
        switch (orientation) {
            case 2 -> { // TR: flip horizontally
                out = new Mat();
                flip(image, out, 1);
            }
            case 3 -> { // BR: flip both ways
                out = new Mat();
                flip(image, out, -1);
            }
            case 4 -> { // BL: flip vertically
                out = new Mat();
                flip(image, out, 0);
            }
            case 5 -> { // LT: transpose
                out = new Mat();
                transpose(image, out);
            }
            case 6 -> { // RT: transpose, flip horizontally (90 degrees clockwise)
                out = new Mat();
                transpose(image, out);
                flip(out, out, 1);
            }
            case 7 -> { // RB: transpose, flip both ways
                out = new Mat();
                transpose(image, out);
                flip(out, out, -1);
            }
            case 8 -> { // LB: transpose, flip vertically (90 degrees counter-clockwise)
                out = new Mat();
                transpose(image, out);
                flip(out, out, 0);
            }
            default -> out = image;
        }
        return out;
    }

    /** OpenCV's ExifReader over one segment's TIFF data {@code [base, end)}. */
    private static final class Tiff {
        private final byte[] d;
        private final int base;
        private final long size;
        private boolean intel;

        Tiff(byte[] d, int base, int end) {
            this.d = d;
            this.base = base;
            this.size = end - base;
        }

        /** @return the orientation, or -1 when this segment has none (or fails before reaching it) */
        int orientation() {
            try {
                intel = size > 0 && !(size > 1 && at(0) != at(1)) && at(0) == 'I';
                if (u16(2) != 42) {
                    return -1;
                }
                long offset = u32(4);
                long numEntry = u16(offset);
                offset = (offset + 2) & 0xFFFFFFFFL;
                for (long entry = 0; entry < numEntry; entry++) {
                    int tag = u16(offset);
                    switch (tag) {
                        case ORIENTATION:
                            return u16(offset + 8);
                        case 0x010E, 0x010F, 0x0110, 0x0131, 0x0132, 0x8298: // strings
                            string(offset);
                            break;
                        case 0x011A, 0x011B: // X / Y resolution: one rational
                            rationals(offset, 1);
                            break;
                        case 0x013E: // white point
                            rationals(offset, 2);
                            break;
                        case 0x013F, 0x0214: // primary chromaticities, reference black and white
                            rationals(offset, 6);
                            break;
                        case 0x0211: // YCbCr coefficients
                            rationals(offset, 3);
                            break;
                        case 0x0128, 0x0213: // resolution unit, YCbCr positioning
                            u16(offset + 8);
                            break;
                        default:
                            break;
                    }
                    offset = (offset + 12) & 0xFFFFFFFFL;
                }
                return -1;
            } catch (IndexOutOfBoundsException e) {
                return -1; // ExifParsingError: the entries read so far stand; none was the orientation
            }
        }

        private int at(long i) {
            return d[(int) (base + i)] & 0xff;
        }

        private int u16(long o) {
            if (o + 1 >= size) {
                throw new IndexOutOfBoundsException();
            }
            return intel ? at(o) | (at(o + 1) << 8) : (at(o) << 8) | at(o + 1);
        }

        private long u32(long o) {
            if (o + 3 >= size) {
                throw new IndexOutOfBoundsException();
            }
            long v = intel ? at(o) | (at(o + 1) << 8) | (at(o + 2) << 16) | ((long) at(o + 3) << 24)
                    : ((long) at(o) << 24) | (at(o + 1) << 16) | (at(o + 2) << 8) | at(o + 3);
            return v & 0xFFFFFFFFL;
        }

        private void string(long offset) {
            long n = u32(offset + 4);
            long dataOffset = 8;
            if (n > 4) {
                dataOffset = u32(offset + 8);
            }
            if (dataOffset > size || dataOffset + n > size) {
                throw new IndexOutOfBoundsException();
            }
        }

        private void rationals(long offset, int count) {
            long r = u32(offset + 8);
            for (int i = 0; i < count; i++) {
                u32(r);
                u32(r + 4);
                r = (r + 8) & 0xFFFFFFFFL;
            }
        }
    }
}
