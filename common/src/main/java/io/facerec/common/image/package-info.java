/**
 * Decoding untrusted media within budgets: photos to 8-bit BGR ({@link ImageLoader}, {@link DecodedImage}), video
 * frames with FFmpeg ({@link VideoFrames}, {@link VideoBudget}) and stored paths confined to the media root
 * ({@link MediaPathResolver}); also the face crops the detector hands the embedder ({@link FaceCrop}), the stored
 * frames of video faces ({@link VideoFrameStore}) and the origin's thumbnail sharpness ({@link ThumbnailSharpness}).
 */
package io.facerec.common.image;
