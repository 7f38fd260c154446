package io.facerec.common.persistence;

/** {@code MediaItems.Status}: where an item is in the pipeline. */
public enum MediaItemStatus {
    /** Inserted, not yet detected. */
    PENDING,
    /** Faces written ({@code IsFacesExtracted = 1}); embedding and clustering follow per face. */
    DETECTED,
    /** Permanently failed; {@code ErrorKind} and {@code LastError} say why. */
    FAILED
}
