/**
 * The gallery: persons browsed and corrected over a REST API ({@link GalleryController}, {@link GalleryService}),
 * look-alike suggestions from the persons' centroids, thumbnails and video frames served confined to their folders
 * ({@link GalleryFiles}) and bounds on each request ({@link GalleryLimits}); run on its own by
 * {@link GalleryApplication} or imported through {@link GalleryConfiguration}.
 */
package io.facerec.gallery;
