package io.facerec.common.persistence;

import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.Landmarks;
import java.util.Locale;

/** Text layouts of {@code Faces.BoundingBox} ({@code "[x1, y1, x2, y2]"}) and {@code Faces.Landmarks}. */
final class Json {
    private Json() {}

    static String box(BoundingBox b) {
        return String.format(Locale.ROOT, "[%.2f, %.2f, %.2f, %.2f]", b.x1(), b.y1(), b.x2(), b.y2());
    }

    static BoundingBox box(String s) {
        return BoundingBox.of(numbers(s, 4));
    }

    static String landmarks(Landmarks l) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < Landmarks.COUNT; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(String.format(Locale.ROOT, "[%.2f, %.2f]", l.x(i), l.y(i)));
        }
        return sb.append(']').toString();
    }

    /** The stored landmarks, or null where there are none: NULL, blank or {@code []} (origin rows). */
    static Landmarks landmarksOrNull(String s) {
        if (s == null || s.replace("[", "").replace("]", "").isBlank()) {
            return null;
        }
        return landmarks(s);
    }

    /** A stored box, or null when the column is NULL or blank (the origin's BoundingBox is nullable). */
    static BoundingBox boxOrNull(String s) {
        return s == null || s.isBlank() ? null : box(s);
    }

    static Landmarks landmarks(String s) {
        double[] n = numbers(s, 10);
        double[][] p = new double[5][];
        for (int i = 0; i < 5; i++) {
            p[i] = new double[] {n[2 * i], n[2 * i + 1]};
        }
        return new Landmarks(p);
    }

    private static double[] numbers(String s, int expected) {
        String[] parts = s.replace("[", " ").replace("]", " ").trim().split("\\s*,\\s*");
        if (parts.length != expected) {
            throw new IllegalArgumentException("expected " + expected + " numbers in " + s);
        }
        double[] v = new double[expected];
        for (int i = 0; i < expected; i++) {
            v[i] = Double.parseDouble(parts[i].trim());
        }
        return v;
    }
}
