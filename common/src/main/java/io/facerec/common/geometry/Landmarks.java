package io.facerec.common.geometry;

import java.util.Arrays;

/**
 * The five RetinaFace landmarks in original image pixels: left eye, right eye, nose, left mouth corner, right mouth
 * corner (as seen in the image). Stored as {@code [[x, y] x 5]}.
 */
public record Landmarks(double[][] points) {
    public static final int COUNT = 5;

    public Landmarks {
        if (points == null || points.length != COUNT) {
            throw new IllegalArgumentException("landmarks need " + COUNT + " points");
        }
        for (double[] p : points) {
            if (p == null || p.length != 2) {
                throw new IllegalArgumentException("each landmark needs [x, y]");
            }
        }
    }

    public double x(int i) {
        return points[i][0];
    }

    public double y(int i) {
        return points[i][1];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Landmarks l && Arrays.deepEquals(points, l.points);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(points);
    }

    @Override
    public String toString() {
        return Arrays.deepToString(points);
    }
}
