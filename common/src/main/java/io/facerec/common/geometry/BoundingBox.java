package io.facerec.common.geometry;

/**
 * Axis-aligned box in original image pixels, {@code [x1, y1, x2, y2]} as the origin stored it in
 * {@code Faces.BoundingBox}.
 */
public record BoundingBox(double x1, double y1, double x2, double y2) {

    public double width() {
        return x2 - x1;
    }

    public double height() {
        return y2 - y1;
    }

    public double area() {
        return Math.max(0, width()) * Math.max(0, height());
    }

    public double iou(BoundingBox o) {
        double ix = Math.max(0, Math.min(x2, o.x2) - Math.max(x1, o.x1));
        double iy = Math.max(0, Math.min(y2, o.y2) - Math.max(y1, o.y1));
        double inter = ix * iy;
        double union = area() + o.area() - inter;
        return union <= 0 ? 0 : inter / union;
    }

    public double[] toArray() {
        return new double[] {x1, y1, x2, y2};
    }

    public static BoundingBox of(double[] a) {
        if (a == null || a.length != 4) {
            throw new IllegalArgumentException("a bounding box needs 4 numbers [x1, y1, x2, y2]");
        }
        return new BoundingBox(a[0], a[1], a[2], a[3]);
    }
}
