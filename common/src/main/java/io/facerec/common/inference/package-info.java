/**
 * ONNX Runtime sessions ({@link OnnxSessions}): one per model and process, shared by all threads, with bounded intra-op
 * threads; the sessions a process holds are listed for its health and {@code /actuator/info}.
 */
package io.facerec.common.inference;
