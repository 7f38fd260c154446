package io.facerec.common.testing;

/** JPEG byte-level helpers for tests. */
public final class TestJpegs {
    private TestJpegs() {
    }

    /** The first SOFn marker (0xC0 baseline, 0xC2 progressive); -1 when there is none. */
    public static int sofMarker(byte[] jpeg) {
        int p = 2;
        while (p + 4 < jpeg.length) {
            int marker = jpeg[p + 1] & 0xff;
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                return marker;
            }
            p += 2 + (((jpeg[p + 2] & 0xff) << 8) | (jpeg[p + 3] & 0xff));
        }
        return -1;
    }
}
