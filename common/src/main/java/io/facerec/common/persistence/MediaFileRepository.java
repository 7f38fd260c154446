package io.facerec.common.persistence;

import io.facerec.common.id.MediaFileId;
import java.sql.PreparedStatement;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;

/** {@code MediaFile}: where a photo or video lies. {@code FilePath} is the path under the media root. */
public class MediaFileRepository {
    private final JdbcTemplate jdbc;

    public MediaFileRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public record MediaFile(MediaFileId id, String filePath, String fileName, String extensions) {
    }

    public MediaFileId insert(String filePath, String fileName, String extensions) {
        KeyHolder keys = new GeneratedKeyHolder();
        jdbc.update(con -> {
            PreparedStatement ps = con.prepareStatement(
                    "INSERT INTO \"MediaFile\" (\"FilePath\", \"FileName\", \"Extensions\") VALUES (?, ?, ?)",
                    new String[] {"Id"});
            ps.setString(1, filePath);
            ps.setString(2, fileName);
            ps.setString(3, extensions);
            return ps;
        }, keys);
        return MediaFileId.of(keys.getKey().longValue());
    }

    public Optional<MediaFile> find(MediaFileId id) {
        return jdbc.query("SELECT \"Id\", \"FilePath\", \"FileName\", \"Extensions\" FROM \"MediaFile\" WHERE \"Id\" = ?",
                (rs, i) -> new MediaFile(MediaFileId.of(rs.getLong(1)), rs.getString(2), rs.getString(3), rs.getString(4)),
                id.value()).stream().findFirst();
    }

    public Optional<MediaFile> findByPath(String filePath) {
        return jdbc.query("SELECT \"Id\", \"FilePath\", \"FileName\", \"Extensions\" FROM \"MediaFile\" WHERE \"FilePath\" = ?",
                (rs, i) -> new MediaFile(MediaFileId.of(rs.getLong(1)), rs.getString(2), rs.getString(3), rs.getString(4)),
                filePath).stream().findFirst();
    }
}
