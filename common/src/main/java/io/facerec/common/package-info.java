/**
 * Code every facerec process shares. The package itself holds only the version facerec was built as
 * ({@link FacerecVersion}); the events, persistence, messaging, media decoding and shared settings are in its
 * subpackages.
 */
package io.facerec.common;
