/**
 * Permissions of what facerec writes (thumbnails, face crops, video frames, logs, the embedded database): readable by
 * the owner only by default, or also by the group ({@link FilePermissions}).
 */
package io.facerec.common.files;
