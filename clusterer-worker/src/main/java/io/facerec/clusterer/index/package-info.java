/**
 * Inverted-file index of unit vectors for cosine search a batch of queries at a time ({@link IvfIndex}), its cells
 * trained by {@link SphericalKMeans}; it holds the clusterer's unassigned pool and the persons' mean directions.
 */
package io.facerec.clusterer.index;
