/**
 * Benchmarks of the pipeline, each a main class run from the bench jar with a reproducible command:
 * {@link DetectorBench} and {@link EmbedderBench} (one stage's throughput, without database or broker),
 * {@link PipelineThroughputBench} (the whole chain against its stages), {@link LatencyBench} (commit of a media item to
 * its faces' persons) and {@link ClusteringScaleBench} (clustering time against library size, next to scikit-learn).
 */
package io.facerec.bench;
