/**
 * Grouping faces into persons: the streaming decision for each batch of new embeddings ({@link IncrementalClustering},
 * written by {@link ClusterFacesHandler}) and the whole-library recluster ({@link PersonClustering},
 * {@link ReclusterHandler}, with {@link StablePersonIds} keeping person ids), built on average linkage and DBSCAN over
 * cosine similarity, exact or on an approximate neighbour graph ({@link KnnGraph}, {@link IvfNeighbourhoods}).
 */
package io.facerec.clusterer.cluster;
