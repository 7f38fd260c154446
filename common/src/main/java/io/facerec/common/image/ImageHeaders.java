package io.facerec.common.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Width and height from an image file's header, read without decoding: JPEG (the first frame header, found by
 * walking the marker segments and skipping their bodies), PNG, GIF and BMP. A few small reads per file (a JPEG's
 * EXIF and ICC segments are skipped, not read), where the JDK's image readers take milliseconds.
 */
final class ImageHeaders {
    /** Most marker segments walked before giving up on a JPEG (a real one has a handful before its frame header). */
    private static final int MAX_JPEG_SEGMENTS = 4096;

    private ImageHeaders() {}

    /** {width, height}, or null when the format is none of these or the header is unreadable. */
    static long[] dimensions(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = read(ch, 0, 30);
            if (head.remaining() < 10) {
                return null;
            }
            int b0 = head.get(0) & 0xff;
            int b1 = head.get(1) & 0xff;
            if (b0 == 0xFF && b1 == 0xD8) {
                return jpeg(ch);
            }
            if (b0 == 0x89 && b1 == 'P' && head.remaining() >= 24 && head.get(2) == 'N' && head.get(3) == 'G') {
                return new long[] {Integer.toUnsignedLong(head.getInt(16)), Integer.toUnsignedLong(head.getInt(20))};
            }
            if (b0 == 'G' && b1 == 'I' && head.get(2) == 'F') {
                head.order(ByteOrder.LITTLE_ENDIAN);
                return new long[] {head.getShort(6) & 0xffff, head.getShort(8) & 0xffff};
            }
            if (b0 == 'B' && b1 == 'M' && head.remaining() >= 26) {
                head.order(ByteOrder.LITTLE_ENDIAN);
                return new long[] {Math.abs((long) head.getInt(18)), Math.abs((long) head.getInt(22))};
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The first SOFn frame header's size; null when the scan or the end comes first. */
    private static long[] jpeg(FileChannel ch) throws IOException {
        long p = 2;
        for (int segments = 0; segments < MAX_JPEG_SEGMENTS; segments++) {
            ByteBuffer m = read(ch, p, 9);
            if (m.remaining() < 4 || (m.get(0) & 0xff) != 0xFF) {
                return null;
            }
            int marker = m.get(1) & 0xff;
            if (marker == 0xFF) {
                p++; // fill byte
                continue;
            }
            if (marker == 0xD8 || marker == 0x01 || marker >= 0xD0 && marker <= 0xD7) {
                p += 2; // markers without a length
                continue;
            }
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                if (m.remaining() < 9) {
                    return null;
                }
                return new long[] {m.getShort(7) & 0xffff, m.getShort(5) & 0xffff};
            }
            if (marker == 0xDA || marker == 0xD9) {
                return null;
            }
            p += 2 + (m.getShort(2) & 0xffff);
        }
        return null;
    }

    private static ByteBuffer read(FileChannel ch, long position, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                break;
            }
        }
        return b.flip();
    }
}
