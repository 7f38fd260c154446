/**
 * The library simulator: a growing photo library of synthetic faces calibrated on real embeddings
 * ({@link SyntheticLibrary}, {@link CalibratedFaces}), the benchmark that streams it through the product's clusterer on
 * a real PostgreSQL ({@link LibraryBench}), in-memory experiments with the clustering rules ({@link ClusteringLab}) and
 * the pairwise score of persons against the planted identities ({@link PairwiseScore}).
 */
package io.facerec.bench.library;
