/**
 * Model files: where each comes from and its pinned SHA-256 ({@link ModelFile}), found, verified and fetched when
 * missing by {@link ModelStore}; a {@link ModelUnavailableException} names the file and the command to get it.
 */
package io.facerec.common.model;
