package io.facerec.common.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The origin's own read queries, copied from its code (DeepFrame image_grouping) and translated to PostgreSQL only
 * where needed: identifiers quoted (the tables keep their casing), {@code dbo.} dropped, {@code IsFacesExtracted = 0/1}
 * as booleans. Used to check that an adopted database still answers them as before, and that what they return can be
 * read back the way the origin reads it ({@link #parseEmbedding}, {@link #parseBox}).
 */
public final class OriginQueries {
    private OriginQueries() {}

    /** Query name (the origin's function) to its SQL. */
    public static final Map<String, String> READS = new LinkedHashMap<>();

    static {
        // detect_faces.get_unprocessed_files
        READS.put(
                "get_unprocessed_files",
                "SELECT MI.\"Id\", MF.\"FilePath\", MI.\"Name\" FROM \"MediaItems\" MI "
                        + "JOIN \"MediaFile\" MF ON MI.\"MediaFileId\" = MF.\"Id\" WHERE MI.\"IsFacesExtracted\" = FALSE "
                        + "AND LOWER(MF.\"Extension\") IN ('.jpg', '.jpeg', '.png', '.bmp', '.tiff') ORDER BY MI.\"Id\"");
        // detect_faces.reprocess_media_missing_faces
        READS.put(
                "reprocess_media_missing_faces",
                "SELECT mi.\"Id\" AS MediaItemId, mf.\"FilePath\", mf.\"FileName\" "
                        + "FROM \"MediaItems\" mi INNER JOIN \"MediaFile\" mf ON mi.\"MediaFileId\" = mf.\"Id\" "
                        + "WHERE mi.\"IsFacesExtracted\" = TRUE AND mi.\"FacesExtractedOn\" IS NOT NULL AND NOT EXISTS "
                        + "(SELECT 1 FROM \"Faces\" f WHERE f.\"MediaItemId\" = mi.\"Id\") ORDER BY mi.\"Id\"");
        // detect_faces.check_thumbnails
        READS.put(
                "check_thumbnails",
                "SELECT f.\"Id\", f.\"BoundingBox\", f.\"Name\", mf.\"FilePath\", mf.\"FileName\" "
                        + "FROM \"Faces\" f INNER JOIN \"MediaItems\" mi ON f.\"MediaItemId\" = mi.\"Id\" "
                        + "INNER JOIN \"MediaFile\" mf ON mi.\"MediaFileId\" = mf.\"Id\" ORDER BY f.\"Id\"");
        // detect_faces.get_unassigned_faces
        READS.put(
                "detect_faces.get_unassigned_faces",
                "SELECT \"Id\", \"Embedding\" FROM \"Faces\" WHERE \"PersonId\" IS NULL " + "ORDER BY \"Id\"");
        // recognize_persons.get_faces_with_bboxes
        READS.put(
                "get_faces_with_bboxes",
                "SELECT F.\"Id\", MF.\"FilePath\", MF.\"FileName\", F.\"BoundingBox\" "
                        + "FROM \"Faces\" F JOIN \"MediaItems\" MI ON F.\"MediaItemId\" = MI.\"Id\" "
                        + "JOIN \"MediaFile\" MF ON MI.\"MediaFileId\" = MF.\"Id\" WHERE F.\"Embedding\" IS NULL ORDER BY F.\"Id\"");
        // recognize_persons.get_unassigned_faces(recluster=True)
        READS.put(
                "get_unassigned_faces(recluster)",
                "SELECT \"Id\", \"Embedding\" FROM \"Faces\" WHERE \"Embedding\" IS NOT NULL " + "ORDER BY \"Id\"");
        // recognize_persons.get_unassigned_faces(labelled=True)
        READS.put(
                "get_unassigned_faces(labelled)",
                "SELECT \"Id\", \"Embedding\", \"PersonId\" FROM \"Faces\" "
                        + "WHERE \"PersonId\" IS NOT NULL AND \"Embedding\" IS NOT NULL ORDER BY \"Id\"");
        // recognize_persons.get_unassigned_faces()
        READS.put(
                "get_unassigned_faces",
                "SELECT \"Id\", \"Embedding\" FROM \"Faces\" WHERE \"PersonId\" IS NULL "
                        + "AND \"Embedding\" IS NOT NULL ORDER BY \"Id\"");
        // recognize_persons.get_faces_with_paths
        READS.put(
                "get_faces_with_paths",
                "SELECT p.\"Id\" AS PersonId, f.\"Id\" AS FaceId, f.\"Name\" AS FaceName, "
                        + "f.\"Name\" AS FaceFileName, f.\"Embedding\" FROM \"Faces\" f INNER JOIN \"Persons\" p "
                        + "ON f.\"PersonId\" = p.\"Id\" ORDER BY p.\"Id\", f.\"Id\"");
        // recognize_persons.update_portrait_with_existing_mediafile (the MediaFileId of every face)
        READS.put(
                "update_portrait_with_existing_mediafile",
                "SELECT f.\"Id\", mf.\"Id\" AS MediaFileId FROM \"Faces\" f "
                        + "JOIN \"MediaItems\" mi ON f.\"MediaItemId\" = mi.\"Id\" JOIN \"MediaFile\" mf ON mi.\"MediaFileId\" = mf.\"Id\" "
                        + "ORDER BY f.\"Id\"");
        // main.should_recluster
        READS.put("should_recluster", "SELECT COUNT(*) FROM \"Persons\"");
        // sql/clusters_display.sql
        READS.put(
                "clusters_display",
                "SELECT F.\"Id\" AS FaceId, F.\"PersonId\", MF.\"FilePath\", MF.\"FileName\", "
                        + "F.\"BoundingBox\" FROM \"Faces\" F JOIN \"MediaItems\" MI ON F.\"MediaItemId\" = MI.\"Id\" "
                        + "JOIN \"MediaFile\" MF ON MI.\"MediaFileId\" = MF.\"Id\" LEFT JOIN \"Persons\" P ON F.\"PersonId\" = P.\"Id\" "
                        + "WHERE F.\"PersonId\" IS NOT NULL ORDER BY F.\"PersonId\", F.\"Id\"");
        // sql/show_tables.sql, Persons (the origin's columns: SELECT * would also show ours)
        READS.put(
                "show_tables.Persons",
                "SELECT \"Id\", \"PortraitMediaFileId\", \"Name\", \"Rank\", \"Appointment\", "
                        + "\"CreatedAt\", \"ModifiedAt\", \"Type\" FROM \"Persons\" ORDER BY \"Id\"");
        READS.put(
                "show_tables.MediaItems",
                "SELECT \"Id\", \"MediaFileId\", \"Name\", \"IsFacesExtracted\", "
                        + "\"FacesExtractedOn\" FROM \"MediaItems\" ORDER BY \"Id\"");
        READS.put(
                "show_tables.MediaFile",
                "SELECT \"Id\", \"FilePath\", \"FileName\", \"Extensions\", \"CreatedAt\", "
                        + "\"ModifiedAt\", \"Extension\" FROM \"MediaFile\" ORDER BY \"Id\"");
        READS.put(
                "show_tables.Faces",
                "SELECT \"Id\", \"MediaItemId\", \"PersonId\", \"BoundingBox\", \"Embedding\", "
                        + "\"FrameNumber\", \"Name\", \"CreatedAt\", \"ModifiedAt\", \"IsUserVerified\" FROM \"Faces\" ORDER BY \"Id\"");
    }

    /** Every origin read query's rows, each value as text (bytes as hex), by query name. */
    public static Map<String, List<List<String>>> run(JdbcTemplate jdbc) {
        Map<String, List<List<String>>> out = new LinkedHashMap<>();
        for (var e : READS.entrySet()) {
            out.put(e.getKey(), rows(jdbc, e.getValue()));
        }
        return out;
    }

    public static List<List<String>> rows(JdbcTemplate jdbc, String sql) {
        return jdbc.query(sql, (rs, i) -> {
            List<String> row = new ArrayList<>();
            for (int c = 1; c <= rs.getMetaData().getColumnCount(); c++) {
                Object v = rs.getObject(c);
                row.add(
                        v == null
                                ? null
                                : v instanceof byte[] b ? HexFormat.of().formatHex(b) : v.toString());
            }
            return row;
        });
    }

    /**
     * The origin's {@code parse_embedding} as it reads a {@code VARBINARY}/{@code bytea} value: bytes are
     * {@code np.frombuffer(raw, dtype=np.float32)}; null when the origin could not read them (a length that is not a
     * multiple of 4).
     */
    public static float[] parseEmbedding(byte[] raw) {
        if (raw.length % 4 != 0) {
            return null;
        }
        float[] v = new float[raw.length / 4];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    /** Whether the bytes hold a JSON array as text (the origin's other embedding layout). */
    public static boolean isJsonText(byte[] raw) {
        String s = new String(raw, StandardCharsets.UTF_8).strip();
        return s.startsWith("[") && s.endsWith("]");
    }

    /** The origin's {@code json.loads(bbox)} of a {@code BoundingBox} into {@code x1, y1, x2, y2} ({@code map(int, ...)}). */
    public static int[] parseBox(String text) {
        String[] parts = text.strip().replace("[", "").replace("]", "").split(",");
        if (parts.length != 4) {
            throw new IllegalArgumentException("not 4 numbers: " + text);
        }
        return Arrays.stream(parts)
                .mapToInt(p -> (int) Double.parseDouble(p.strip()))
                .toArray();
    }
}
