package io.facerec.common.id;

/** Primary key of a {@code Face} row. */
public record FaceId(long value) {
    public static FaceId of(long value) {
        return new FaceId(value);
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
