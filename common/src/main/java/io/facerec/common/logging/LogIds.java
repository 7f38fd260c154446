package io.facerec.common.logging;

import java.util.Collection;
import java.util.stream.Collectors;
import org.slf4j.MDC;

/**
 * The ids a log line is about, in the MDC ({@code item=} and {@code face=} in every line of the log files): a handler
 * puts the media item's or the face's id for the lines it writes about it, a batch the ids of its items and faces.
 * {@link #put} restores the previous value when closed, so a per-face line inside a batch leaves the batch's ids
 * behind it.
 */
public final class LogIds {
    public static final String ITEM = "mediaItemId";
    public static final String FACE = "faceId";
    /** Most ids written for a batch; the rest are counted ({@code 1,2,3,+17}). */
    static final int MAX_LISTED = 10;

    private LogIds() {}

    /** Sets one MDC key until the returned scope is closed, then restores what was there. */
    public static Scope put(String key, Object value) {
        String previous = MDC.get(key);
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, String.valueOf(value));
        }
        return () -> {
            if (previous == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, previous);
            }
        };
    }

    /** Ids as one value: distinct, in order, at most {@value #MAX_LISTED} and then how many more. */
    public static String list(Collection<?> ids) {
        var distinct = ids.stream().map(String::valueOf).distinct().toList();
        String shown = distinct.stream().limit(MAX_LISTED).collect(Collectors.joining(","));
        return distinct.size() > MAX_LISTED ? shown + ",+" + (distinct.size() - MAX_LISTED) : shown;
    }

    /** An MDC value that is restored on close (no checked exception). */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
