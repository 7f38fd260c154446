package io.facerec.common.persistence;

import io.facerec.common.id.MediaFileId;
import io.facerec.common.id.MediaItemId;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;

/** {@code MediaItems}: one row per photo (or video) to process. */
public class MediaItemRepository {
    private final JdbcTemplate jdbc;

    public MediaItemRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public record MediaItem(MediaItemId id, MediaFileId mediaFileId, String name, boolean facesExtracted,
            MediaItemStatus status, String errorKind, String lastError) {
    }

    private static final String COLUMNS =
            "\"Id\", \"MediaFileId\", \"Name\", \"IsFacesExtracted\", \"Status\", \"ErrorKind\", \"LastError\"";

    private static MediaItem map(java.sql.ResultSet rs, int i) throws java.sql.SQLException {
        return new MediaItem(MediaItemId.of(rs.getLong(1)), MediaFileId.of(rs.getLong(2)), rs.getString(3),
                rs.getBoolean(4), MediaItemStatus.valueOf(rs.getString(5)), rs.getString(6), rs.getString(7));
    }

    public MediaItemId insert(MediaFileId mediaFileId, String name) {
        KeyHolder keys = new GeneratedKeyHolder();
        jdbc.update(con -> {
            PreparedStatement ps = con.prepareStatement(
                    "INSERT INTO \"MediaItems\" (\"MediaFileId\", \"Name\", \"IsFacesExtracted\", \"Status\") VALUES (?, ?, ?, ?)",
                    new String[] {"Id"});
            ps.setLong(1, mediaFileId.value());
            ps.setString(2, name);
            ps.setBoolean(3, false);
            ps.setString(4, MediaItemStatus.PENDING.name());
            return ps;
        }, keys);
        return MediaItemId.of(keys.getKey().longValue());
    }

    public Optional<MediaItem> find(MediaItemId id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM \"MediaItems\" WHERE \"Id\" = ?",
                MediaItemRepository::map,
                id.value()).stream().findFirst();
    }

    /** Items not yet extracted and not failed, oldest first (for polling and re-queueing). */
    public List<MediaItem> findPending(int limit) {
        return jdbc.query("SELECT " + COLUMNS + " FROM \"MediaItems\" WHERE \"IsFacesExtracted\" = ? AND \"Status\" <> ? ORDER BY \"Id\"",
                ps -> {
                    ps.setBoolean(1, false);
                    ps.setString(2, MediaItemStatus.FAILED.name());
                    ps.setMaxRows(limit);
                },
                MediaItemRepository::map);
    }

    /**
     * Items marked extracted that have no {@code Faces} row although they should (detected by the origin, or by us
     * with a face count above zero): the origin's {@code --all} repairs them by detecting again.
     */
    public List<MediaItem> findExtractedWithoutFaces() {
        return jdbc.query("SELECT " + COLUMNS + " FROM \"MediaItems\" m WHERE \"IsFacesExtracted\" = ? "
                + "AND (\"FaceCount\" IS NULL OR \"FaceCount\" > 0) "
                + "AND NOT EXISTS (SELECT 1 FROM \"Faces\" f WHERE f.\"MediaItemId\" = m.\"Id\") ORDER BY \"Id\"",
                MediaItemRepository::map,
                true);
    }

    /** Marks an item for detection again ({@code IsFacesExtracted = 0}, status pending). */
    public void resetExtraction(MediaItemId id) {
        jdbc.update("UPDATE \"MediaItems\" SET \"IsFacesExtracted\" = ?, \"FacesExtractedOn\" = NULL, \"Status\" = ?, "
                + "\"ErrorKind\" = NULL, \"LastError\" = NULL WHERE \"Id\" = ?", false, MediaItemStatus.PENDING.name(), id.value());
    }

    /** Sets {@code IsFacesExtracted = 1}, {@code FacesExtractedOn = now} and clears any earlier error. */
    public void markExtracted(MediaItemId id, int faceCount, Instant when) {
        jdbc.update("UPDATE \"MediaItems\" SET \"IsFacesExtracted\" = ?, \"FacesExtractedOn\" = ?, \"Status\" = ?, "
                + "\"FaceCount\" = ?, \"ErrorKind\" = NULL, \"LastError\" = NULL WHERE \"Id\" = ?",
                true, Timestamp.from(when), MediaItemStatus.DETECTED.name(), faceCount, id.value());
    }

    /** Records a permanent failure on the row, where the user looks. */
    public void markFailed(MediaItemId id, String errorKind, String message) {
        jdbc.update("UPDATE \"MediaItems\" SET \"Status\" = ?, \"ErrorKind\" = ?, \"LastError\" = ? WHERE \"Id\" = ?",
                MediaItemStatus.FAILED.name(), errorKind, truncate(message, 4000), id.value());
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
