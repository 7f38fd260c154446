package io.facerec.common.geometry;

import java.util.Locale;

/**
 * The origin's thumbnail crop ({@code process_face_square} in its {@code detect_faces.py}), which is also what it stores
 * in {@code Faces.BoundingBox}: the detector's box in whole pixels (RetinaFace's {@code facial_area}, truncated), widened
 * by {@code margin} of its width on the left and right and of its height above and below, clipped to the image, then
 * made square: the shorter side grows by the difference (half before, half after) when that stays inside the image,
 * otherwise the longer side shrinks by it. So a face at the edge of the photo still gets a square crop, never a
 * stretched one.
 */
public final class OriginCrop {
    /** The origin's margin: a fifth of the box on each side. */
    public static final double MARGIN = 0.2;

    private OriginCrop() {}

    /** A crop rectangle in whole pixels, {@code [x1, x2) x [y1, y2)}. */
    public record Rect(int x1, int y1, int x2, int y2) {
        public int width() {
            return x2 - x1;
        }

        public int height() {
            return y2 - y1;
        }

        public boolean isEmpty() {
            return width() <= 0 || height() <= 0;
        }

        public BoundingBox toBox() {
            return new BoundingBox(x1, y1, x2, y2);
        }

        /**
         * As the origin writes it to {@code Faces.BoundingBox}: {@code json.dumps([round(float(c), 3) for c in bbox])}
         * of whole numbers, e.g. {@code "[12.0, 34.0, 156.0, 178.0]"}.
         */
        public String toOriginText() {
            return String.format(Locale.ROOT, "[%d.0, %d.0, %d.0, %d.0]", x1, y1, x2, y2);
        }
    }

    /** The origin's square crop of {@code box} in an image of {@code width x height} pixels. */
    public static Rect of(BoundingBox box, int width, int height, double margin) {
        int x1 = (int) box.x1();
        int y1 = (int) box.y1();
        int x2 = (int) box.x2();
        int y2 = (int) box.y2();
        int marginX = (int) ((x2 - x1) * margin);
        int marginY = (int) ((y2 - y1) * margin);
        x1 = Math.max(0, x1 - marginX);
        y1 = Math.max(0, y1 - marginY);
        x2 = Math.min(width, x2 + marginX);
        y2 = Math.min(height, y2 + marginY);
        int cropW = x2 - x1;
        int cropH = y2 - y1;
        if (cropW > cropH) {
            int diff = cropW - cropH;
            int before = Math.floorDiv(diff, 2);
            int after = diff - before;
            if (y1 - before >= 0 && y2 + after <= height) {
                y1 -= before;
                y2 += after;
            } else {
                x1 += before;
                x2 -= after;
            }
        } else if (cropH > cropW) {
            int diff = cropH - cropW;
            int before = Math.floorDiv(diff, 2);
            int after = diff - before;
            if (x1 - before >= 0 && x2 + after <= width) {
                x1 -= before;
                x2 += after;
            } else {
                y1 += before;
                y2 -= after;
            }
        }
        return new Rect(Math.max(0, x1), Math.max(0, y1), Math.min(width, x2), Math.min(height, y2));
    }

    /** With the origin's margin. */
    public static Rect of(BoundingBox box, int width, int height) {
        return of(box, width, height, MARGIN);
    }
}
