/**
 * The fault suite ({@link FaultSuite}): the real chain with every worker in its own JVM, one part killed or cut off
 * while a batch is in flight, then a check that nothing was lost or duplicated and that the persons match a run without
 * faults. Hostile media items (broken files, decompression bombs, paths that leave the media root) are one scenario.
 */
package io.facerec.bench.reliability;
