package io.facerec.common.persistence;

import io.facerec.common.geometry.BoundingBox;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/** Read-only views across tables: progress of the pipeline and the persons it found. */
public class PipelineQueries {
    private final JdbcTemplate jdbc;

    public PipelineQueries(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * @param items media items
     * @param detected items extracted or failed
     * @param failed items failed
     * @param faces faces of items that did not fail
     * @param embedded those faces with an embedding
     * @param clustered those faces the clusterer has considered (assigned or explicitly left unassigned)
     */
    public record Progress(long items, long detected, long failed, long faces, long embedded, long clustered) {
        public boolean complete() {
            return detected == items && embedded == faces && clustered == faces;
        }
    }

    public Progress progress() {
        return jdbc.queryForObject(
                "SELECT "
                        + "(SELECT COUNT(*) FROM \"MediaItems\"), "
                        + "(SELECT COUNT(*) FROM \"MediaItems\" WHERE \"IsFacesExtracted\" = ? OR \"Status\" = 'FAILED'), "
                        + "(SELECT COUNT(*) FROM \"MediaItems\" WHERE \"Status\" = 'FAILED'), "
                        + "(SELECT COUNT(*) FROM \"Faces\" f JOIN \"MediaItems\" m ON m.\"Id\" = f.\"MediaItemId\" WHERE m.\"Status\" <> 'FAILED'), "
                        + "(SELECT COUNT(*) FROM \"Faces\" f JOIN \"MediaItems\" m ON m.\"Id\" = f.\"MediaItemId\" WHERE m.\"Status\" <> 'FAILED' AND f.\"Embedding\" IS NOT NULL), "
                        + "(SELECT COUNT(*) FROM \"Faces\" f JOIN \"MediaItems\" m ON m.\"Id\" = f.\"MediaItemId\" WHERE m.\"Status\" <> 'FAILED' AND (f.\"ClusteredAt\" IS NOT NULL OR f.\"PersonId\" IS NOT NULL))",
                (rs, i) -> new Progress(
                        rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)),
                true);
    }

    /** A face as listed in results: the file it is in, its box, its person (null = unassigned). */
    public record FaceView(long faceId, Long personId, String filePath, BoundingBox box, String thumbnailPath) {}

    public List<FaceView> faces() {
        // the detector's box; a face the origin stored has only its square crop box
        return jdbc.query(
                "SELECT f.\"Id\", f.\"PersonId\", mf.\"FilePath\", COALESCE(f.\"DetectorBox\", f.\"BoundingBox\"), f.\"ThumbnailPath\" "
                        + "FROM \"Faces\" f JOIN \"MediaItems\" m ON m.\"Id\" = f.\"MediaItemId\" "
                        + "JOIN \"MediaFile\" mf ON mf.\"Id\" = m.\"MediaFileId\" ORDER BY f.\"PersonId\", mf.\"FilePath\", f.\"FaceIndex\"",
                (rs, i) -> {
                    long p = rs.getLong(2);
                    Long pid = rs.wasNull() ? null : p;
                    return new FaceView(
                            rs.getLong(1), pid, rs.getString(3), Json.boxOrNull(rs.getString(4)), rs.getString(5));
                });
    }

    /** Faces grouped by person id (insertion order), unassigned under key null. */
    public Map<Long, List<FaceView>> facesByPerson() {
        Map<Long, List<FaceView>> m = new LinkedHashMap<>();
        for (FaceView f : faces()) {
            m.computeIfAbsent(f.personId(), k -> new ArrayList<>()).add(f);
        }
        return m;
    }

    /** Failed media items: file path, error kind, message. */
    public List<String[]> failures() {
        return jdbc.query(
                "SELECT mf.\"FilePath\", m.\"ErrorKind\", m.\"LastError\" FROM \"MediaItems\" m "
                        + "JOIN \"MediaFile\" mf ON mf.\"Id\" = m.\"MediaFileId\" WHERE m.\"Status\" = 'FAILED' ORDER BY m.\"Id\"",
                (rs, i) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
    }
}
