package io.facerec.common.model;

import io.facerec.common.error.PermanentProcessingException;

/** A model file is missing, corrupt or cannot be fetched. The message names the file and the command to get it. */
public class ModelUnavailableException extends PermanentProcessingException {
    public ModelUnavailableException(String message) {
        super("MODEL_UNAVAILABLE", message);
    }

    public ModelUnavailableException(String message, Throwable cause) {
        super("MODEL_UNAVAILABLE", message, cause);
    }
}
