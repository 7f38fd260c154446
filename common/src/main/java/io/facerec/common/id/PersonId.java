package io.facerec.common.id;

/** Primary key of a {@code Person} row. */
public record PersonId(long value) {
    public static PersonId of(long value) {
        return new PersonId(value);
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
