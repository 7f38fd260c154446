/**
 * A user's corrections to persons (merge, move, "not this person"), written as user truth together with what follows
 * from them: face counts, centroids, portraits and the change log ({@link PersonCorrections}).
 */
package io.facerec.common.person;
