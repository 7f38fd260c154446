/**
 * Face geometry in original image pixels: the detector's {@link DetectedFace} with its {@link BoundingBox} and five
 * {@link Landmarks}, and the origin's square thumbnail crop ({@link OriginCrop}), which is also what
 * {@code Faces.BoundingBox} stores.
 */
package io.facerec.common.geometry;
