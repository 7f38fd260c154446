/**
 * How a failure is classified: a {@link PermanentProcessingException} marks the item failed and is dead-lettered while
 * the worker goes on, a {@link RetriableProcessingException} is retried with back-off, and {@link TransientFailures}
 * tells the database or broker being away from everything else.
 */
package io.facerec.common.error;
