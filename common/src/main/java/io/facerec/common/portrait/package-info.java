/**
 * Each person's portrait: the origin's rule, the sharpest face with the medoid winning a tie ({@link PortraitRule}),
 * and {@link Portraits}, which applies it and writes the person's portrait columns and portrait file.
 */
package io.facerec.common.portrait;
