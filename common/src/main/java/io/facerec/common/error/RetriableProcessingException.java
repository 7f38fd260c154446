package io.facerec.common.error;

/** A transient failure (database or broker unavailable): the record is retried with back-off. */
public class RetriableProcessingException extends RuntimeException {
    public RetriableProcessingException(String message, Throwable cause) {
        super(message, cause);
    }
}
