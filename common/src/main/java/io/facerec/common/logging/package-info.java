/**
 * Logging shared by the processes: the media item and face ids in the MDC of every log line ({@link LogIds}), and
 * Logback property definers for a private log folder ({@link PrivateLogFolder}) and per-process log file names
 * ({@link LogInstance}).
 */
package io.facerec.common.logging;
