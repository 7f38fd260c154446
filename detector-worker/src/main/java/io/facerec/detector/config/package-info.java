/**
 * The detector's typed settings ({@code facerec.detector.*}, {@link DetectorProperties}): detection thresholds,
 * thumbnails and face crops, video sampling, threads and batch size.
 */
package io.facerec.detector.config;
