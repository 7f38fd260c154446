package io.facerec.clusterer.index;

import java.util.List;
import java.util.Map;

/**
 * The assigned faces of one embedding model, searchable by cosine similarity of their L2-normalised embeddings; each
 * entry carries its face and person id. It remembers the fingerprint of the database state it reflects, so that its
 * owner knows when to reconcile. One writer (the clusterer).
 */
public interface FaceIndex extends AutoCloseable {

    /** A neighbour: its face and person, and the cosine similarity to the query. */
    record Hit(long faceId, long personId, double similarity) {
    }

    /** An entry for {@link #upsertAll}. */
    record Entry(long faceId, long personId, float[] embedding) {
    }

    /** Adds or replaces a face. */
    void upsert(long faceId, long personId, float[] embedding);

    /** Adds or replaces many faces, using up to {@code threads} threads. */
    void upsertAll(List<Entry> entries, int threads);

    void remove(long faceId);

    void clear();

    /** Makes every change visible and durable (where the index persists), recording the database fingerprint. */
    void commit(String fingerprint);

    /** The fingerprint of the last commit (also after a restart, for an index that persists); null when none. */
    String fingerprint();

    /** True when changes were made since the last commit (those of a run whose transaction rolled back, say). */
    boolean hasUncommittedChanges();

    /** Every indexed face and its person. */
    Map<Long, Long> assignments();

    /** The k most similar faces, most similar first (approximate). */
    List<Hit> nearest(float[] query, int k);

    int size();

    @Override
    void close();
}
