package io.facerec.common.id;

/** Primary key of a {@code MediaFile} row. */
public record MediaFileId(long value) {
    public static MediaFileId of(long value) {
        return new MediaFileId(value);
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
