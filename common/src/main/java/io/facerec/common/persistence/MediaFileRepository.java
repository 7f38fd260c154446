package io.facerec.common.persistence;

import io.facerec.common.id.MediaFileId;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;

/** {@code MediaFile}: where a photo or video lies. {@code FilePath} is the path under the media root. */
public class MediaFileRepository {
    private final JdbcTemplate jdbc;
    private final DatabaseTime time;

    public MediaFileRepository(JdbcTemplate jdbc) {
        this(jdbc, DatabaseTime.system());
    }

    public MediaFileRepository(JdbcTemplate jdbc, DatabaseTime time) {
        this.jdbc = jdbc;
        this.time = time;
    }

    public record MediaFile(MediaFileId id, String filePath, String fileName, String extensions) {}

    public MediaFileId insert(String filePath, String fileName, String extensions) {
        KeyHolder keys = new GeneratedKeyHolder();
        LocalDateTime now = time.of(Instant.now());
        jdbc.update(
                con -> {
                    PreparedStatement ps = con.prepareStatement(
                            "INSERT INTO \"MediaFile\" (\"FilePath\", \"FileName\", "
                                    + "\"Extensions\", \"CreatedAt\", \"ModifiedAt\") VALUES (?, ?, ?, ?, ?)",
                            new String[] {"Id"});
                    ps.setString(1, filePath);
                    ps.setString(2, fileName);
                    ps.setString(3, extensions);
                    ps.setObject(4, now);
                    ps.setObject(5, now);
                    return ps;
                },
                keys);
        return MediaFileId.of(keys.getKey().longValue());
    }

    public Optional<MediaFile> find(MediaFileId id) {
        return jdbc
                .query(
                        "SELECT \"Id\", \"FilePath\", \"FileName\", \"Extensions\" FROM \"MediaFile\" WHERE \"Id\" = ?",
                        (rs, i) -> new MediaFile(
                                MediaFileId.of(rs.getLong(1)), rs.getString(2), rs.getString(3), rs.getString(4)),
                        id.value())
                .stream()
                .findFirst();
    }

    /** {@code MediaFile.ModifiedAt = now}: the origin sets it when a photo becomes a person's portrait. */
    /** Several files by id (those that do not exist are left out). */
    public Map<MediaFileId, MediaFile> findAll(Collection<MediaFileId> ids) {
        Map<MediaFileId, MediaFile> out = new HashMap<>();
        List<Long> all = ids.stream().map(MediaFileId::value).distinct().toList();
        for (int from = 0; from < all.size(); from += 500) {
            List<Long> chunk = all.subList(from, Math.min(all.size(), from + 500));
            jdbc.query(
                    "SELECT \"Id\", \"FilePath\", \"FileName\", \"Extensions\" FROM \"MediaFile\" WHERE \"Id\" IN ("
                            + String.join(",", Collections.nCopies(chunk.size(), "?")) + ")",
                    rs -> {
                        MediaFile f = new MediaFile(
                                MediaFileId.of(rs.getLong(1)), rs.getString(2), rs.getString(3), rs.getString(4));
                        out.put(f.id(), f);
                    },
                    chunk.toArray());
        }
        return out;
    }

    /** Marks many media files modified (batched). */
    public void touchAll(Collection<Long> ids, Instant now) {
        jdbc.batchUpdate(
                "UPDATE \"MediaFile\" SET \"ModifiedAt\" = ? WHERE \"Id\" = ?", new ArrayList<>(ids), 500, (ps, id) -> {
                    ps.setObject(1, time.of(now));
                    ps.setLong(2, id);
                });
    }

    public Optional<MediaFile> findByPath(String filePath) {
        return jdbc
                .query(
                        "SELECT \"Id\", \"FilePath\", \"FileName\", \"Extensions\" FROM \"MediaFile\" WHERE \"FilePath\" = ?",
                        (rs, i) -> new MediaFile(
                                MediaFileId.of(rs.getLong(1)), rs.getString(2), rs.getString(3), rs.getString(4)),
                        filePath)
                .stream()
                .findFirst();
    }
}
