package io.facerec.common.persistence;

import io.facerec.common.id.MediaFileId;
import io.facerec.common.id.MediaItemId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;

/** {@code MediaItems}: one row per photo (or video) to process. */
public class MediaItemRepository {
    private final JdbcTemplate jdbc;
    private final DatabaseTime time;
    private final RetryPolicy retry;

    public MediaItemRepository(JdbcTemplate jdbc) {
        this(jdbc, DatabaseTime.system(), RetryPolicy.DEFAULT);
    }

    public MediaItemRepository(JdbcTemplate jdbc, DatabaseTime time, RetryPolicy retry) {
        this.jdbc = jdbc;
        this.time = time;
        this.retry = retry;
    }

    public RetryPolicy retryPolicy() {
        return retry;
    }

    /**
     * @param attempts how often the item has failed so far
     * @param nextAttemptAt when a failed item may be tried again (null: at once, or never when its attempts are used up)
     */
    public record MediaItem(
            MediaItemId id,
            MediaFileId mediaFileId,
            String name,
            boolean facesExtracted,
            MediaItemStatus status,
            String errorKind,
            String lastError,
            int attempts,
            LocalDateTime nextAttemptAt) {

        /** Whether a failed item may be tried again now (an item that did not fail always may). */
        public boolean retryDue(RetryPolicy policy, LocalDateTime now) {
            return status != MediaItemStatus.FAILED
                    || (policy.retries(attempts) && (nextAttemptAt == null || !nextAttemptAt.isAfter(now)));
        }
    }

    private static final String COLUMNS = "\"Id\", \"MediaFileId\", \"Name\", \"IsFacesExtracted\", \"Status\", "
            + "\"ErrorKind\", \"LastError\", \"Attempts\", \"NextAttemptAt\"";

    private static MediaItem map(ResultSet rs, int i) throws SQLException {
        return new MediaItem(
                MediaItemId.of(rs.getLong(1)),
                MediaFileId.of(rs.getLong(2)),
                rs.getString(3),
                rs.getBoolean(4),
                MediaItemStatus.valueOf(rs.getString(5)),
                rs.getString(6),
                rs.getString(7),
                rs.getInt(8),
                rs.getObject(9, LocalDateTime.class));
    }

    /**
     * The condition "not failed, or failed and due for another attempt" on {@code MediaItems} aliased {@code alias},
     * with two parameters: {@link #dueArgs}.
     */
    static String retryableCondition(String alias) {
        String a = alias.isEmpty() ? "" : alias + ".";
        return "(" + a + "\"Status\" <> 'FAILED' OR (" + a + "\"Attempts\" < ? AND (" + a
                + "\"NextAttemptAt\" IS NULL OR " + a + "\"NextAttemptAt\" <= ?)))";
    }

    Object[] dueArgs(Instant now) {
        return new Object[] {retry.maxAttempts(), time.of(now)};
    }

    /** Whether the item may be detected (or embedded) now: it did not fail, or failed and is due for another attempt. */
    public boolean retryDue(MediaItem item, Instant now) {
        return item.retryDue(retry, time.of(now));
    }

    public MediaItemId insert(MediaFileId mediaFileId, String name) {
        KeyHolder keys = new GeneratedKeyHolder();
        jdbc.update(
                con -> {
                    PreparedStatement ps = con.prepareStatement(
                            "INSERT INTO \"MediaItems\" (\"MediaFileId\", \"Name\", \"IsFacesExtracted\", \"Status\") VALUES (?, ?, ?, ?)",
                            new String[] {"Id"});
                    ps.setLong(1, mediaFileId.value());
                    ps.setString(2, name);
                    ps.setBoolean(3, false);
                    ps.setString(4, MediaItemStatus.PENDING.name());
                    return ps;
                },
                keys);
        return MediaItemId.of(keys.getKey().longValue());
    }

    public Optional<MediaItem> find(MediaItemId id) {
        return jdbc
                .query(
                        "SELECT " + COLUMNS + " FROM \"MediaItems\" WHERE \"Id\" = ?",
                        MediaItemRepository::map,
                        id.value())
                .stream()
                .findFirst();
    }

    /** Several items by id (those that no longer exist are left out). */
    public Map<MediaItemId, MediaItem> findAll(Collection<MediaItemId> ids) {
        Map<MediaItemId, MediaItem> out = new HashMap<>();
        List<Long> all = ids.stream().map(MediaItemId::value).distinct().toList();
        for (int from = 0; from < all.size(); from += 500) {
            List<Long> chunk = all.subList(from, Math.min(all.size(), from + 500));
            jdbc.query(
                    "SELECT " + COLUMNS + " FROM \"MediaItems\" WHERE \"Id\" IN ("
                            + String.join(",", Collections.nCopies(chunk.size(), "?")) + ")",
                    rs -> {
                        MediaItem i = map(rs, 0);
                        out.put(i.id(), i);
                    },
                    chunk.toArray());
        }
        return out;
    }

    /** Items not yet extracted that did not fail (for polling and re-queueing), oldest first. */
    public List<MediaItem> findPending(int limit) {
        return jdbc.query(
                "SELECT " + COLUMNS
                        + " FROM \"MediaItems\" WHERE \"IsFacesExtracted\" = ? AND \"Status\" <> ? ORDER BY \"Id\"",
                ps -> {
                    ps.setBoolean(1, false);
                    ps.setString(2, MediaItemStatus.FAILED.name());
                    ps.setMaxRows(limit);
                },
                MediaItemRepository::map);
    }

    /**
     * Items to detect now: not yet extracted, and either not failed or failed and due for another attempt (see
     * {@link RetryPolicy}), oldest first.
     */
    public List<MediaItem> findToDetect(Instant now, int limit) {
        Object[] due = dueArgs(now);
        return jdbc.query(
                "SELECT " + COLUMNS + " FROM \"MediaItems\" WHERE \"IsFacesExtracted\" = ? AND "
                        + retryableCondition("") + " ORDER BY \"Id\"",
                ps -> {
                    ps.setBoolean(1, false);
                    ps.setInt(2, (Integer) due[0]);
                    ps.setObject(3, due[1]);
                    ps.setMaxRows(limit);
                },
                MediaItemRepository::map);
    }

    /**
     * Items marked extracted that have no {@code Faces} row although they should (detected by the origin, or by us
     * with a face count above zero): the origin's {@code --all} repairs them by detecting again.
     */
    public List<MediaItem> findExtractedWithoutFaces() {
        return jdbc.query(
                "SELECT " + COLUMNS + " FROM \"MediaItems\" m WHERE \"IsFacesExtracted\" = ? "
                        + "AND (\"FaceCount\" IS NULL OR \"FaceCount\" > 0) "
                        + "AND NOT EXISTS (SELECT 1 FROM \"Faces\" f WHERE f.\"MediaItemId\" = m.\"Id\") ORDER BY \"Id\"",
                MediaItemRepository::map,
                true);
    }

    /** Marks an item for detection again ({@code IsFacesExtracted = 0}, status pending). */
    public void resetExtraction(MediaItemId id) {
        jdbc.update(
                "UPDATE \"MediaItems\" SET \"IsFacesExtracted\" = ?, \"FacesExtractedOn\" = NULL, \"Status\" = ?, "
                        + "\"ErrorKind\" = NULL, \"LastError\" = NULL, \"NextAttemptAt\" = NULL WHERE \"Id\" = ?",
                false,
                MediaItemStatus.PENDING.name(),
                id.value());
    }

    /** Sets {@code IsFacesExtracted = 1}, {@code FacesExtractedOn = now} (local time) and clears any earlier error. */
    public void markExtracted(MediaItemId id, int faceCount, Instant when) {
        jdbc.update(
                "UPDATE \"MediaItems\" SET \"IsFacesExtracted\" = ?, \"FacesExtractedOn\" = ?, \"Status\" = ?, "
                        + "\"FaceCount\" = ?, \"ErrorKind\" = NULL, \"LastError\" = NULL, \"NextAttemptAt\" = NULL WHERE \"Id\" = ?",
                true,
                time.of(when),
                MediaItemStatus.DETECTED.name(),
                faceCount,
                id.value());
    }

    /** The item's embedding step succeeded after an earlier failure: it is no longer failed. */
    public void clearFailure(MediaItemId id) {
        jdbc.update(
                "UPDATE \"MediaItems\" SET \"Status\" = ?, \"ErrorKind\" = NULL, \"LastError\" = NULL, "
                        + "\"NextAttemptAt\" = NULL WHERE \"Id\" = ? AND \"Status\" = ? AND \"IsFacesExtracted\" = ?",
                MediaItemStatus.DETECTED.name(),
                id.value(),
                MediaItemStatus.FAILED.name(),
                true);
    }

    /** {@link #clearFailure} for several items in one JDBC batch. */
    public void clearFailures(Collection<MediaItemId> ids) {
        jdbc.batchUpdate(
                "UPDATE \"MediaItems\" SET \"Status\" = ?, \"ErrorKind\" = NULL, \"LastError\" = NULL, "
                        + "\"NextAttemptAt\" = NULL WHERE \"Id\" = ? AND \"Status\" = ? AND \"IsFacesExtracted\" = ?",
                List.copyOf(ids),
                500,
                (ps, id) -> {
                    ps.setString(1, MediaItemStatus.DETECTED.name());
                    ps.setLong(2, id.value());
                    ps.setString(3, MediaItemStatus.FAILED.name());
                    ps.setBoolean(4, true);
                });
    }

    /**
     * Records a failure on the row, where the user looks, counts it, and sets when the item may be tried again
     * ({@link RetryPolicy}; none once its attempts are used up).
     */
    public void markFailed(MediaItemId id, String errorKind, String message) {
        markFailed(id, errorKind, message, Instant.now());
    }

    public void markFailed(MediaItemId id, String errorKind, String message, Instant now) {
        Integer before = jdbc.query(
                "SELECT \"Attempts\" FROM \"MediaItems\" WHERE \"Id\" = ?",
                rs -> rs.next() ? rs.getInt(1) : null,
                id.value());
        int failures = (before == null ? 0 : before) + 1;
        LocalDateTime next = retry.retries(failures) ? time.of(now.plus(retry.delayAfter(failures))) : null;
        jdbc.update(
                "UPDATE \"MediaItems\" SET \"Status\" = ?, \"ErrorKind\" = ?, \"LastError\" = ?, \"Attempts\" = ?, "
                        + "\"NextAttemptAt\" = ? WHERE \"Id\" = ?",
                MediaItemStatus.FAILED.name(),
                errorKind,
                truncate(message, 4000),
                failures,
                next,
                id.value());
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
