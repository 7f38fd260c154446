/**
 * Typed primary keys of the pipeline's rows: {@link MediaItemId}, {@link MediaFileId}, {@link FaceId} and
 * {@link PersonId}.
 */
package io.facerec.common.id;
