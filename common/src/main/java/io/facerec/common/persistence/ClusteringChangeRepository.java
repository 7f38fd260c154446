package io.facerec.common.persistence;

import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code ClusteringRevision} and {@code ClusteringChanges}: the change log of assignments. Every writer of
 * assignments (the streaming clusterer, the gallery's corrections, a recluster, the database modes, a re-detection)
 * takes the next revision inside its transaction, which locks the revision row until it commits, and notes the faces
 * and persons it changed under that revision. Revisions are therefore in commit order: a reader that has seen
 * revision R has seen every change up to R. A long-running clusterer follows the others by reading only the changes
 * between its own revisions; its own work is not read back.
 */
public class ClusteringChangeRepository {
    private final JdbcTemplate jdbc;

    public ClusteringChangeRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** What changed. */
    public enum Kind {
        /** A face's person, pin or existence changed (subject: the face). */
        FACE,
        /** A person's faces (centroid, count) changed or it was deleted (subject: the person). */
        PERSON,
        /** "Not this person" pairs changed. */
        REJECTIONS,
        /** Everything may have changed (a recluster): reload. */
        ALL
    }

    /** One entry of the log. */
    public record Change(long revision, Kind kind, Long subjectId) {}

    /** Takes the next revision; the row stays locked until the transaction ends. Call inside a transaction. */
    public long nextRevision() {
        jdbc.update("UPDATE \"ClusteringRevision\" SET \"Revision\" = \"Revision\" + 1 WHERE \"Id\" = 1");
        return current();
    }

    /** The last committed revision (no lock). */
    public long current() {
        Long r = jdbc.queryForObject("SELECT \"Revision\" FROM \"ClusteringRevision\" WHERE \"Id\" = 1", Long.class);
        return r == null ? 0 : r;
    }

    /** Notes changes under a revision taken with {@link #nextRevision()} in the same transaction. */
    public void record(long revision, Kind kind, Collection<Long> subjects, Instant now) {
        List<Long> list = new ArrayList<>(subjects);
        jdbc.batchUpdate(
                "INSERT INTO \"ClusteringChanges\" (\"Revision\", \"Kind\", \"SubjectId\", \"CreatedAt\") "
                        + "VALUES (?, ?, ?, ?)",
                list,
                500,
                (ps, s) -> {
                    ps.setLong(1, revision);
                    ps.setString(2, kind.name());
                    if (s == null) {
                        ps.setNull(3, Types.BIGINT);
                    } else {
                        ps.setLong(3, s);
                    }
                    ps.setTimestamp(4, Timestamp.from(now));
                });
    }

    /** Notes a change without a subject ({@link Kind#ALL}, {@link Kind#REJECTIONS}). */
    public void record(long revision, Kind kind, Instant now) {
        List<Long> none = new ArrayList<>();
        none.add(null);
        record(revision, kind, none, now);
    }

    /** The changes with a revision in {@code (after, before)}, oldest first. */
    public List<Change> between(long after, long before) {
        return jdbc.query(
                "SELECT \"Revision\", \"Kind\", \"SubjectId\" FROM \"ClusteringChanges\" WHERE \"Revision\" > ? "
                        + "AND \"Revision\" < ? ORDER BY \"Revision\"",
                (rs, i) -> {
                    long s = rs.getLong(3);
                    return new Change(rs.getLong(1), Kind.valueOf(rs.getString(2)), rs.wasNull() ? null : s);
                },
                after,
                before);
    }

    /** Forgets changes older than this (every follower has long read them). */
    public int prune(Instant olderThan) {
        return jdbc.update("DELETE FROM \"ClusteringChanges\" WHERE \"CreatedAt\" < ?", Timestamp.from(olderThan));
    }
}
