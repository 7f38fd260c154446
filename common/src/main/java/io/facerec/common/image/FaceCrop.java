package io.facerec.common.image;

import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.Landmarks;

/**
 * A face's neighbourhood, cut out of the decoded photo by the detector and stored in the face-crops directory, so the
 * embedder decodes a few kilobytes instead of the whole photo again. The rectangle is a square of
 * {@link #SIDE_FACTOR} times the box's longer side around the box centre, clipped to the photo; it is stored at the
 * photo's resolution, or scaled down (area interpolation) when the face's longer side exceeds the configured face size.
 *
 * <p>Coordinates map with OpenCV's pixel-centre convention: a photo coordinate {@code p} is
 * {@code (p - x + 0.5) * cropWidth / width - 0.5} in the crop (just {@code p - x} when not scaled).
 *
 * @param file the crop's file name in the face-crops directory (no directories)
 * @param x left edge of the rectangle in photo pixels
 * @param y top edge of the rectangle in photo pixels
 * @param width rectangle width in photo pixels
 * @param height rectangle height in photo pixels
 * @param cropWidth stored image width (below {@code width} when scaled down)
 * @param cropHeight stored image height
 * @param photoWidth the decoded photo's width (EXIF orientation applied)
 * @param photoHeight the decoded photo's height
 */
public record FaceCrop(
        String file,
        int x,
        int y,
        int width,
        int height,
        int cropWidth,
        int cropHeight,
        int photoWidth,
        int photoHeight) {
    /**
     * Crop side as a multiple of the box's longer side: the ArcFace 112 frame spans about 1.4 box widths, up to 1.9
     * when the face is rotated by 45 degrees (every face of the detection set fits; the embedder checks each one).
     */
    public static final double SIDE_FACTOR = 2.0;

    /**
     * Whether the geometry is consistent (the rectangle lies in the photo, sizes positive). Not enforced on
     * construction, so an event with a damaged crop still decodes and its face falls back to the photo.
     */
    public boolean valid() {
        return width >= 1
                && height >= 1
                && cropWidth >= 1
                && cropHeight >= 1
                && x >= 0
                && y >= 0
                && (long) x + width <= photoWidth
                && (long) y + height <= photoHeight;
    }

    /**
     * The crop for a face: the square around its box, clipped to the photo, scaled so that the box's longer side is at
     * most {@code maxFaceSide} pixels. Null when the clipped rectangle is empty.
     */
    public static FaceCrop around(BoundingBox box, int photoWidth, int photoHeight, int maxFaceSide) {
        double longer = Math.max(box.width(), box.height());
        double side = longer * SIDE_FACTOR;
        double cx = (box.x1() + box.x2()) / 2;
        double cy = (box.y1() + box.y2()) / 2;
        int x1 = (int) Math.max(0, Math.floor(cx - side / 2));
        int y1 = (int) Math.max(0, Math.floor(cy - side / 2));
        int x2 = (int) Math.min(photoWidth, Math.ceil(cx + side / 2));
        int y2 = (int) Math.min(photoHeight, Math.ceil(cy + side / 2));
        if (x2 - x1 < 1 || y2 - y1 < 1 || !(longer > 0)) {
            return null;
        }
        double s = Math.min(1.0, maxFaceSide / longer);
        // rounded up, so the face keeps at least maxFaceSide pixels
        int cw = Math.min(x2 - x1, (int) Math.ceil((x2 - x1) * s));
        int ch = Math.min(y2 - y1, (int) Math.ceil((y2 - y1) * s));
        return new FaceCrop(null, x1, y1, x2 - x1, y2 - y1, cw, ch, photoWidth, photoHeight);
    }

    public FaceCrop withFile(String name) {
        return new FaceCrop(name, x, y, width, height, cropWidth, cropHeight, photoWidth, photoHeight);
    }

    public boolean scaled() {
        return cropWidth != width || cropHeight != height;
    }

    public double scaleX() {
        return cropWidth / (double) width;
    }

    public double scaleY() {
        return cropHeight / (double) height;
    }

    public double toCropX(double px) {
        return scaled() ? (px - x + 0.5) * scaleX() - 0.5 : px - x;
    }

    public double toCropY(double py) {
        return scaled() ? (py - y + 0.5) * scaleY() - 0.5 : py - y;
    }

    public BoundingBox toCrop(BoundingBox b) {
        return new BoundingBox(toCropX(b.x1()), toCropY(b.y1()), toCropX(b.x2()), toCropY(b.y2()));
    }

    public Landmarks toCrop(Landmarks l) {
        double[][] p = new double[Landmarks.COUNT][];
        for (int i = 0; i < Landmarks.COUNT; i++) {
            p[i] = new double[] {toCropX(l.x(i)), toCropY(l.y(i))};
        }
        return new Landmarks(p);
    }

    /**
     * A 2x3 affine transform from photo coordinates (row-major) rewritten for crop coordinates: the same output pixels,
     * sampled from the crop.
     */
    public double[] toCrop(double[] photoTransform) {
        // photo p = (c - b) / a per axis, with a = scale, b = (0.5 - x) * a - 0.5 (exactly -x when not scaled)
        double ax = scaleX();
        double ay = scaleY();
        double bx = (0.5 - x) * ax - 0.5;
        double by = (0.5 - y) * ay - 0.5;
        double[] m = photoTransform;
        return new double[] {
            m[0] / ax, m[1] / ay, m[2] - m[0] * bx / ax - m[1] * by / ay,
            m[3] / ax, m[4] / ay, m[5] - m[3] * bx / ax - m[4] * by / ay
        };
    }

    /**
     * Whether the crop holds every pixel a sampler needs for the source region {@code [minX, maxX] x [minY, maxY]}
     * (photo coordinates), checked in crop pixels with one pixel of margin for bilinear sampling. A side where the crop
     * reaches the photo's edge counts as covered: beyond it both the photo and the crop are outside the image.
     */
    public boolean covers(double minX, double minY, double maxX, double maxY) {
        return (x == 0 || toCropX(minX) >= 1)
                && (y == 0 || toCropY(minY) >= 1)
                && (x + width == photoWidth || toCropX(maxX) <= cropWidth - 2)
                && (y + height == photoHeight || toCropY(maxY) <= cropHeight - 2);
    }

    /** The face box's longer side in crop pixels. */
    public double faceSide(BoundingBox photoBox) {
        return Math.max(photoBox.width() * scaleX(), photoBox.height() * scaleY());
    }
}
