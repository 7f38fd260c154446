/**
 * The clusterer's typed settings ({@code facerec.clusterer.*}, {@link ClustererProperties}): the grouping algorithm,
 * each embedding model's thresholds, the batch size and the limits of the neighbour and index searches.
 */
package io.facerec.clusterer.config;
