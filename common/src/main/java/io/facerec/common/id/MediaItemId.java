package io.facerec.common.id;

/** Primary key of a {@code MediaItems} row. */
public record MediaItemId(long value) {
    public static MediaItemId of(long value) {
        return new MediaItemId(value);
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
