/**
 * UMAP with the cosine metric, following umap-learn 0.5 ({@link Umap}), for the origin's default clustering mode: the
 * faces are laid out in two dimensions, then grouped by Euclidean DBSCAN. Includes the spectral initial layout and the
 * symmetric eigensolver it needs.
 */
package io.facerec.clusterer.cluster.umap;
