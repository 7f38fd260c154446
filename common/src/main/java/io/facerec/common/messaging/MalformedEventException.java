package io.facerec.common.messaging;

import io.facerec.common.error.PermanentProcessingException;

/** A record that cannot be parsed: a poison pill, sent to the dead-letter topic and never retried. */
public class MalformedEventException extends PermanentProcessingException {
    public MalformedEventException(String message, Throwable cause) {
        super("MALFORMED_EVENT", message, cause);
    }
}
