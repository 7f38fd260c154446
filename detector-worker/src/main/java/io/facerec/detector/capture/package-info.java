/**
 * Change data capture of new {@code MediaItems} rows: the Debezium engine publishing one event per row
 * ({@link MediaItemCapture}, {@link ChangeEventMapper}, {@link DebeziumConfig}), the lock that keeps one capture per
 * database ({@link CaptureLock}), its settings ({@link CaptureProperties}) and its health
 * ({@link CaptureHealthIndicator}).
 */
package io.facerec.detector.capture;
