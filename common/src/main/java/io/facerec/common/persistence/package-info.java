/**
 * The database's tables, one repository per table ({@link MediaItemRepository}, {@link MediaFileRepository},
 * {@link FaceRepository}, {@link PersonRepository}, {@link PersonCentroidRepository}), the change log of assignments
 * ({@link ClusteringChangeRepository}), read-only progress views ({@link PipelineQueries}), the retry rule for failed
 * items ({@link RetryPolicy}) and the column layouts the origin used ({@link EmbeddingCodec}, {@link DatabaseTime}).
 */
package io.facerec.common.persistence;
