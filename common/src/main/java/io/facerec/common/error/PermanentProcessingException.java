package io.facerec.common.error;

/**
 * Work that will fail the same way however often it is retried (bad image, missing file, malformed event). The item
 * is marked failed with {@link #errorKind()} and the message, a dead letter is published, and the worker goes on.
 */
public class PermanentProcessingException extends RuntimeException {
    /** The kind of a failure no retry mends and no other kind names (a poison record split out of its batch). */
    public static final String UNPROCESSABLE = "UNPROCESSABLE";

    private final String errorKind;

    public PermanentProcessingException(String errorKind, String message) {
        super(message);
        this.errorKind = errorKind;
    }

    public PermanentProcessingException(String errorKind, String message, Throwable cause) {
        super(message, cause);
        this.errorKind = errorKind;
    }

    /** Short machine-readable kind, e.g. {@code FILE_MISSING}, {@code NOT_AN_IMAGE}. */
    public String errorKind() {
        return errorKind;
    }
}
