package io.facerec.common.persistence;

import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.geometry.Landmarks;
import io.facerec.common.id.FaceId;
import io.facerec.common.id.MediaItemId;
import io.facerec.common.id.PersonId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;

/** {@code Faces}: one row per detected face; the embedder and clusterer fill in the rest. */
public class FaceRepository {
    private final JdbcTemplate jdbc;

    public FaceRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A face to store: which frame (0 for photos), its index in that frame, what the detector found. */
    public record NewFace(int frameNumber, int faceIndex, DetectedFace face, String thumbnailPath, Double sharpness) {
        public NewFace(int frameNumber, int faceIndex, DetectedFace face, String thumbnailPath) {
            this(frameNumber, faceIndex, face, thumbnailPath, null);
        }
    }

    public record Face(FaceId id, MediaItemId mediaItemId, PersonId personId, int frameNumber, int faceIndex,
            double score, BoundingBox box, Landmarks landmarks, String thumbnailPath, boolean userVerified,
            boolean embedded, boolean clustered) {
    }

    /** An embedded face as the clusterer sees it. */
    public record EmbeddedFace(FaceId id, MediaItemId mediaItemId, int frameNumber, PersonId personId,
            boolean userVerified, float[] embedding) {
    }

    private static final String COLUMNS = "\"Id\", \"MediaItemId\", \"PersonId\", \"FrameNumber\", \"FaceIndex\", "
            + "\"Score\", \"BoundingBox\", \"Landmarks\", \"ThumbnailPath\", \"IsUserVerified\", "
            + "CASE WHEN \"Embedding\" IS NULL THEN 0 ELSE 1 END, CASE WHEN \"ClusteredAt\" IS NULL THEN 0 ELSE 1 END";

    private static final String F_COLUMNS = "f.\"Id\", f.\"MediaItemId\", f.\"PersonId\", f.\"FrameNumber\", "
            + "f.\"FaceIndex\", f.\"Score\", f.\"BoundingBox\", f.\"Landmarks\", f.\"ThumbnailPath\", f.\"IsUserVerified\", "
            + "CASE WHEN f.\"Embedding\" IS NULL THEN 0 ELSE 1 END, CASE WHEN f.\"ClusteredAt\" IS NULL THEN 0 ELSE 1 END";

    private static Face map(ResultSet rs, int i) throws SQLException {
        long person = rs.getLong(3);
        PersonId pid = rs.wasNull() ? null : PersonId.of(person);
        return new Face(FaceId.of(rs.getLong(1)), MediaItemId.of(rs.getLong(2)), pid, rs.getInt(4), rs.getInt(5),
                rs.getDouble(6), Json.box(rs.getString(7)), Json.landmarks(rs.getString(8)), rs.getString(9),
                rs.getBoolean(10), rs.getInt(11) == 1, rs.getInt(12) == 1);
    }

    /**
     * Replaces the automatically found faces of an item with a new detection (idempotent re-detection). Faces a user
     * verified are kept. Call inside a transaction.
     */
    public List<FaceId> replaceFaces(MediaItemId item, List<NewFace> faces, Instant now) {
        jdbc.update("DELETE FROM \"FaceRejections\" WHERE \"FaceId\" IN (SELECT \"Id\" FROM \"Faces\" WHERE \"MediaItemId\" = ? AND \"IsUserVerified\" = ?)",
                item.value(), false);
        jdbc.update("DELETE FROM \"Faces\" WHERE \"MediaItemId\" = ? AND \"IsUserVerified\" = ?", item.value(), false);
        List<FaceId> ids = new ArrayList<>(faces.size());
        for (NewFace f : faces) {
            KeyHolder keys = new GeneratedKeyHolder();
            jdbc.update(con -> {
                PreparedStatement ps = con.prepareStatement("INSERT INTO \"Faces\" (\"MediaItemId\", \"BoundingBox\", "
                        + "\"FrameNumber\", \"FaceIndex\", \"Score\", \"Landmarks\", \"ThumbnailPath\", \"CreatedAt\", "
                        + "\"ModifiedAt\", \"IsUserVerified\", \"Sharpness\") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        new String[] {"Id"});
                ps.setLong(1, item.value());
                ps.setString(2, Json.box(f.face().box()));
                ps.setInt(3, f.frameNumber());
                ps.setInt(4, f.faceIndex());
                ps.setFloat(5, (float) f.face().score());
                ps.setString(6, Json.landmarks(f.face().landmarks()));
                ps.setString(7, f.thumbnailPath());
                ps.setTimestamp(8, Timestamp.from(now));
                ps.setTimestamp(9, Timestamp.from(now));
                ps.setBoolean(10, false);
                if (f.sharpness() == null) {
                    ps.setNull(11, Types.REAL);
                } else {
                    ps.setFloat(11, f.sharpness().floatValue());
                }
                return ps;
            }, keys);
            ids.add(FaceId.of(keys.getKey().longValue()));
        }
        return ids;
    }

    public List<Face> findByMediaItem(MediaItemId item) {
        return jdbc.query("SELECT " + COLUMNS + " FROM \"Faces\" WHERE \"MediaItemId\" = ? ORDER BY \"FrameNumber\", \"FaceIndex\"",
                FaceRepository::map, item.value());
    }

    public List<Face> findAll() {
        return jdbc.query("SELECT " + COLUMNS + " FROM \"Faces\" ORDER BY \"Id\"", FaceRepository::map);
    }

    /** The embedding model ids in use. */
    public List<String> embeddingModels() {
        return jdbc.queryForList("SELECT DISTINCT \"EmbeddingModel\" FROM \"Faces\" WHERE \"EmbeddingModel\" IS NOT NULL",
                String.class);
    }

    public java.util.Optional<Face> find(FaceId id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM \"Faces\" WHERE \"Id\" = ?", FaceRepository::map, id.value())
                .stream().findFirst();
    }

    public List<Face> findByPerson(PersonId person) {
        return jdbc.query("SELECT " + COLUMNS + " FROM \"Faces\" WHERE \"PersonId\" = ? ORDER BY \"Id\"",
                FaceRepository::map, person.value());
    }

    public List<Face> findUnassigned(int limit) {
        return jdbc.query("SELECT " + COLUMNS + " FROM \"Faces\" WHERE \"PersonId\" IS NULL AND \"Embedding\" IS NOT NULL "
                + "ORDER BY \"Id\"", ps -> ps.setMaxRows(limit), FaceRepository::map);
    }

    /**
     * A user's decision: the face belongs to this person (or to nobody, with null). The face becomes user-verified, so
     * no clustering run moves it again.
     */
    public void assignByUser(FaceId face, PersonId person, Instant now) {
        jdbc.update("UPDATE \"Faces\" SET \"PersonId\" = ?, \"IsUserVerified\" = ?, \"ClusteredAt\" = ?, \"ModifiedAt\" = ? "
                + "WHERE \"Id\" = ?", ps -> {
                    if (person == null) {
                        ps.setNull(1, Types.BIGINT);
                    } else {
                        ps.setLong(1, person.value());
                    }
                    ps.setBoolean(2, true);
                    ps.setTimestamp(3, Timestamp.from(now));
                    ps.setTimestamp(4, Timestamp.from(now));
                    ps.setLong(5, face.value());
                });
    }

    /** Marks a face as confirmed for its current person ({@code IsUserVerified = 1}). */
    public int confirm(FaceId face, Instant now) {
        return jdbc.update("UPDATE \"Faces\" SET \"IsUserVerified\" = ?, \"ModifiedAt\" = ? WHERE \"Id\" = ? AND \"PersonId\" IS NOT NULL",
                true, Timestamp.from(now), face.value());
    }

    /**
     * "Not this person": stores the (face, person) pair, which every later run honours, and takes the face out of the
     * person; it goes back to the unassigned pool (not verified, so clustering may place it elsewhere).
     */
    public void reject(FaceId face, PersonId person, Instant now) {
        jdbc.update("INSERT INTO \"FaceRejections\" (\"FaceId\", \"PersonId\", \"CreatedAt\") SELECT ?, ?, ? "
                + "WHERE NOT EXISTS (SELECT 1 FROM \"FaceRejections\" WHERE \"FaceId\" = ? AND \"PersonId\" = ?)",
                face.value(), person.value(), Timestamp.from(now), face.value(), person.value());
        jdbc.update("UPDATE \"Faces\" SET \"PersonId\" = NULL, \"IsUserVerified\" = ?, \"ClusteredAt\" = NULL, "
                + "\"ModifiedAt\" = ? WHERE \"Id\" = ? AND \"PersonId\" = ?", false, Timestamp.from(now), face.value(),
                person.value());
    }

    /** Faces without an embedding, of items that did not fail. */
    public List<Face> findWithoutEmbedding() {
        return jdbc.query("SELECT " + F_COLUMNS + " FROM \"Faces\" f JOIN \"MediaItems\" m ON m.\"Id\" = f.\"MediaItemId\" "
                + "WHERE f.\"Embedding\" IS NULL AND m.\"Status\" <> 'FAILED' ORDER BY f.\"MediaItemId\", f.\"FaceIndex\"",
                FaceRepository::map);
    }

    public void setThumbnail(FaceId face, String path, Instant now) {
        jdbc.update("UPDATE \"Faces\" SET \"ThumbnailPath\" = ?, \"ModifiedAt\" = ? WHERE \"Id\" = ?", path,
                Timestamp.from(now), face.value());
    }

    /** Writes the embedding (idempotent: the same face embedded twice gets the same bytes). */
    public void saveEmbedding(FaceId face, float[] embedding, String modelId, Instant now) {
        jdbc.update("UPDATE \"Faces\" SET \"Embedding\" = ?, \"EmbeddingModel\" = ?, \"ModifiedAt\" = ? WHERE \"Id\" = ?",
                ps -> {
                    ps.setBytes(1, EmbeddingCodec.toBytes(embedding));
                    ps.setString(2, modelId);
                    ps.setTimestamp(3, Timestamp.from(now));
                    ps.setLong(4, face.value());
                });
    }

    /** Every embedded face of one model, with its current person (null when unassigned). */
    public List<EmbeddedFace> findEmbedded(String modelId) {
        return embedded("", modelId);
    }

    /** The unassigned pool of a model: embedded faces without a person that no user has pinned. */
    public List<EmbeddedFace> findUnassignedEmbedded(String modelId) {
        return embedded(" AND \"PersonId\" IS NULL AND \"IsUserVerified\" = ?", modelId, false);
    }

    /** The embedded faces of a model that have a person. */
    public List<EmbeddedFace> findAssignedEmbedded(String modelId) {
        return embedded(" AND \"PersonId\" IS NOT NULL", modelId);
    }

    private List<EmbeddedFace> embedded(String condition, Object... args) {
        return jdbc.query("SELECT \"Id\", \"MediaItemId\", \"FrameNumber\", \"PersonId\", \"IsUserVerified\", \"Embedding\" "
                + "FROM \"Faces\" WHERE \"Embedding\" IS NOT NULL AND \"EmbeddingModel\" = ?" + condition + " ORDER BY \"Id\"",
                (rs, i) -> {
                    long p = rs.getLong(4);
                    PersonId pid = rs.wasNull() ? null : PersonId.of(p);
                    return new EmbeddedFace(FaceId.of(rs.getLong(1)), MediaItemId.of(rs.getLong(2)), rs.getInt(3), pid,
                            rs.getBoolean(5), EmbeddingCodec.parse(rs.getBytes(6)));
                }, args);
    }

    /** Face id to person id of every embedded face of a model that has a person (no embeddings read). */
    public java.util.Map<Long, Long> findAssignments(String modelId) {
        java.util.Map<Long, Long> out = new java.util.HashMap<>();
        jdbc.query("SELECT \"Id\", \"PersonId\" FROM \"Faces\" WHERE \"Embedding\" IS NOT NULL AND \"EmbeddingModel\" = ? "
                + "AND \"PersonId\" IS NOT NULL", rs -> {
                    out.put(rs.getLong(1), rs.getLong(2));
                }, modelId);
        return out;
    }

    /** The embeddings of the given faces (of one model), by face id; faces without one are left out. */
    public java.util.Map<Long, float[]> findEmbeddings(String modelId, Collection<Long> faceIds) {
        java.util.Map<Long, float[]> out = new java.util.HashMap<>();
        queryInChunks("SELECT \"Id\", \"Embedding\" FROM \"Faces\" WHERE \"Embedding\" IS NOT NULL AND "
                + "\"EmbeddingModel\" = ? AND \"Id\" IN ", List.of(modelId), new ArrayList<>(faceIds),
                rs -> {
                    out.put(rs.getLong(1), EmbeddingCodec.parse(rs.getBytes(2)));
                });
        return out;
    }

    /**
     * Runs {@code sql + "(?, ?, ...)"} once per chunk of 500 ids (IN lists stay far below the drivers' parameter
     * limits), with {@code leading} bound before the ids.
     */
    private void queryInChunks(String sql, List<Object> leading, List<Long> ids,
            org.springframework.jdbc.core.RowCallbackHandler rows) {
        for (int from = 0; from < ids.size(); from += 500) {
            List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            List<Object> args = new ArrayList<>(leading);
            args.addAll(chunk);
            jdbc.query(sql + "(" + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ")", rows,
                    args.toArray());
        }
    }

    /**
     * A cheap fingerprint of a model's assignments (count, newest change, id sum): it changes whenever anyone assigns,
     * moves or removes a face, so a cache of the assigned faces knows when to reload.
     */
    public String assignmentFingerprint(String modelId) {
        return jdbc.queryForObject("SELECT COUNT(*), MAX(\"ModifiedAt\"), SUM(\"PersonId\") FROM \"Faces\" "
                + "WHERE \"EmbeddingModel\" = ? AND \"PersonId\" IS NOT NULL",
                (rs, i) -> rs.getLong(1) + "/" + rs.getTimestamp(2) + "/" + rs.getLong(3), modelId);
    }

    /** For the given media items: "item:frame" slot to the persons that already have a face in it. */
    public java.util.Map<String, java.util.Set<Long>> personsOfSlots(Collection<Long> mediaItemIds) {
        java.util.Map<String, java.util.Set<Long>> out = new java.util.HashMap<>();
        queryInChunks("SELECT \"MediaItemId\", \"FrameNumber\", \"PersonId\" FROM \"Faces\" WHERE \"PersonId\" IS NOT NULL "
                + "AND \"MediaItemId\" IN ", List.of(), new ArrayList<>(new java.util.TreeSet<>(mediaItemIds)), rs -> {
                    out.computeIfAbsent(rs.getLong(1) + ":" + rs.getInt(2), k -> new java.util.HashSet<>())
                            .add(rs.getLong(3));
                });
        return out;
    }

    /** Sets (or clears, with null) the person of a face, never touching user-verified faces. */
    public void assignPerson(FaceId face, PersonId person, Instant now) {
        jdbc.update("UPDATE \"Faces\" SET \"PersonId\" = ?, \"ClusteredAt\" = ?, \"ModifiedAt\" = ? WHERE \"Id\" = ? AND \"IsUserVerified\" = ?",
                ps -> {
                    if (person == null) {
                        ps.setNull(1, Types.BIGINT);
                    } else {
                        ps.setLong(1, person.value());
                    }
                    ps.setTimestamp(2, Timestamp.from(now));
                    ps.setTimestamp(3, Timestamp.from(now));
                    ps.setLong(4, face.value());
                    ps.setBoolean(5, false);
                });
    }

    /** Marks faces as considered by the clusterer without changing their person. */
    public void markClustered(Collection<FaceId> faces, Instant now) {
        jdbc.batchUpdate("UPDATE \"Faces\" SET \"ClusteredAt\" = ? WHERE \"Id\" = ?", faces, 500, (ps, f) -> {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setLong(2, f.value());
        });
    }

    /** A face as the streaming clusterer reads it: where it is, whether it is placed, its embedding. */
    public record ClusterRow(long id, long mediaItemId, int frameNumber, Long personId, boolean userVerified,
            String model, Double sharpness, float[] embedding, boolean clustered) {
        /** "item:frame": two faces of one slot never share a person. */
        public String slot() {
            return mediaItemId + ":" + frameNumber;
        }
    }

    private static final String CLUSTER_COLUMNS = "\"Id\", \"MediaItemId\", \"FrameNumber\", \"PersonId\", "
            + "\"IsUserVerified\", \"EmbeddingModel\", \"Sharpness\", \"Embedding\", "
            + "CASE WHEN \"ClusteredAt\" IS NULL THEN 0 ELSE 1 END";

    private static ClusterRow clusterRow(ResultSet rs) throws SQLException {
        long person = rs.getLong(4);
        Long pid = rs.wasNull() ? null : person;
        double sharp = rs.getDouble(7);
        Double sharpness = rs.wasNull() ? null : sharp;
        byte[] e = rs.getBytes(8);
        return new ClusterRow(rs.getLong(1), rs.getLong(2), rs.getInt(3), pid, rs.getBoolean(5), rs.getString(6),
                sharpness, e == null ? null : EmbeddingCodec.parse(e), rs.getInt(9) == 1);
    }

    /** The given faces as the clusterer sees them (faces that no longer exist are left out). */
    public List<ClusterRow> findForClustering(Collection<Long> ids) {
        List<ClusterRow> out = new ArrayList<>();
        Chunks.query(jdbc, "SELECT " + CLUSTER_COLUMNS + " FROM \"Faces\" WHERE \"Id\" IN ", List.of(), ids,
                rs -> {
                    out.add(clusterRow(rs));
                });
        return out;
    }

    /**
     * Streams the unassigned pool of a model (embedded faces without a person that no user pinned), in id order, to
     * {@code each}: read once when the clusterer starts, never per batch.
     */
    public void forEachInPool(String model, java.util.function.Consumer<ClusterRow> each) {
        jdbc.query(con -> {
            PreparedStatement ps = con.prepareStatement("SELECT " + CLUSTER_COLUMNS + " FROM \"Faces\" WHERE "
                    + "\"EmbeddingModel\" = ? AND \"PersonId\" IS NULL AND \"IsUserVerified\" = ? AND "
                    + "\"Embedding\" IS NOT NULL ORDER BY \"Id\"");
            ps.setString(1, model);
            ps.setBoolean(2, false);
            ps.setFetchSize(2_000);
            return ps;
        }, rs -> {
            each.accept(clusterRow(rs));
        });
    }

    /** Ids of a model's embedded faces without a person that the clusterer has not considered yet. */
    public List<Long> findUnclustered(String model) {
        return jdbc.queryForList("SELECT \"Id\" FROM \"Faces\" WHERE \"EmbeddingModel\" = ? AND \"PersonId\" IS NULL "
                + "AND \"IsUserVerified\" = ? AND \"Embedding\" IS NOT NULL AND \"ClusteredAt\" IS NULL ORDER BY \"Id\"",
                Long.class, model, false);
    }

    /** Gives faces their persons (one statement per face, sent as a batch); user-verified faces are never touched. */
    public int assignPersons(java.util.Map<Long, Long> personOfFace, Instant now) {
        List<java.util.Map.Entry<Long, Long>> rows = new ArrayList<>(personOfFace.entrySet());
        int[][] counts = jdbc.batchUpdate("UPDATE \"Faces\" SET \"PersonId\" = ?, \"ClusteredAt\" = ?, \"ModifiedAt\" = ? "
                + "WHERE \"Id\" = ? AND \"IsUserVerified\" = ?", rows, 500, (ps, e) -> {
                    ps.setLong(1, e.getValue());
                    ps.setTimestamp(2, Timestamp.from(now));
                    ps.setTimestamp(3, Timestamp.from(now));
                    ps.setLong(4, e.getKey());
                    ps.setBoolean(5, false);
                });
        int n = 0;
        for (int[] c : counts) {
            for (int x : c) {
                n += Math.max(0, x);
            }
        }
        return n;
    }

    /** The embeddings of these faces, whatever their model. */
    public java.util.Map<Long, float[]> findEmbeddingsAnyModel(Collection<Long> ids) {
        java.util.Map<Long, float[]> out = new java.util.HashMap<>();
        Chunks.query(jdbc, "SELECT \"Id\", \"Embedding\" FROM \"Faces\" WHERE \"Embedding\" IS NOT NULL AND \"Id\" IN ",
                List.of(), ids, rs -> {
                    out.put(rs.getLong(1), EmbeddingCodec.parse(rs.getBytes(2)));
                });
        return out;
    }

    /** The media file a face was found in. */
    public long mediaFileOf(long face) {
        return jdbc.queryForObject("SELECT m.\"MediaFileId\" FROM \"Faces\" f JOIN \"MediaItems\" m ON m.\"Id\" = "
                + "f.\"MediaItemId\" WHERE f.\"Id\" = ?", Long.class, face);
    }

    /** A face's place and state, without its embedding (a recluster from a replay reads these for every face). */
    public record FaceSlot(long id, long mediaItemId, int frameNumber, Long personId, boolean userVerified,
            String model, boolean embedded) {
        public EmbeddedFace withEmbedding(float[] v) {
            return new EmbeddedFace(FaceId.of(id), MediaItemId.of(mediaItemId), frameNumber,
                    personId == null ? null : PersonId.of(personId), userVerified, v);
        }
    }

    /** Every face's place and state (no embeddings), in id order. */
    public List<FaceSlot> findSlots() {
        return jdbc.query("SELECT \"Id\", \"MediaItemId\", \"FrameNumber\", \"PersonId\", \"IsUserVerified\", "
                + "\"EmbeddingModel\", CASE WHEN \"Embedding\" IS NULL THEN 0 ELSE 1 END FROM \"Faces\" ORDER BY \"Id\"",
                (rs, i) -> {
                    long p = rs.getLong(4);
                    Long person = rs.wasNull() ? null : p;
                    return new FaceSlot(rs.getLong(1), rs.getLong(2), rs.getInt(3), person, rs.getBoolean(5),
                            rs.getString(6), rs.getInt(7) == 1);
                });
    }

    /** Takes faces out of their persons (batched); user-verified faces are never touched. */
    public void unassignPersons(Collection<Long> ids, Instant now) {
        jdbc.batchUpdate("UPDATE \"Faces\" SET \"PersonId\" = NULL, \"ClusteredAt\" = ?, \"ModifiedAt\" = ? WHERE \"Id\" = ? "
                + "AND \"IsUserVerified\" = ?", new ArrayList<>(ids), 500, (ps, id) -> {
                    ps.setTimestamp(1, Timestamp.from(now));
                    ps.setTimestamp(2, Timestamp.from(now));
                    ps.setLong(3, id);
                    ps.setBoolean(4, false);
                });
    }

    /** What the portrait rule needs besides the embedding: the face's media file and sharpness (0 when unknown). */
    public record PortraitInfo(long mediaFileId, double sharpness) {
    }

    /** Media file and sharpness of every embedded face of a model. */
    public java.util.Map<Long, PortraitInfo> portraitInfo(String model) {
        java.util.Map<Long, PortraitInfo> out = new java.util.HashMap<>();
        jdbc.query("SELECT f.\"Id\", m.\"MediaFileId\", f.\"Sharpness\" FROM \"Faces\" f JOIN \"MediaItems\" m ON "
                + "m.\"Id\" = f.\"MediaItemId\" WHERE f.\"EmbeddingModel\" = ? AND f.\"Embedding\" IS NOT NULL", rs -> {
                    out.put(rs.getLong(1), new PortraitInfo(rs.getLong(2), rs.getDouble(3)));
                }, model);
        return out;
    }

    /** The sharpness of these faces (null where unknown). */
    public java.util.Map<Long, Double> sharpness(Collection<Long> ids) {
        java.util.Map<Long, Double> out = new java.util.HashMap<>();
        Chunks.query(jdbc, "SELECT \"Id\", \"Sharpness\" FROM \"Faces\" WHERE \"Id\" IN ", List.of(), ids, rs -> {
            double v = rs.getDouble(2);
            out.put(rs.getLong(1), rs.wasNull() ? null : v);
        });
        return out;
    }

    /** A face as the portrait rule sees it. */
    public record PortraitCandidate(FaceId id, long mediaFileId, double sharpness, float[] embedding) {
    }

    /** The embedded faces of a person, with their media file and sharpness. */
    public List<PortraitCandidate> findPortraitCandidates(PersonId person) {
        return jdbc.query("SELECT f.\"Id\", m.\"MediaFileId\", f.\"Sharpness\", f.\"Embedding\" FROM \"Faces\" f "
                + "JOIN \"MediaItems\" m ON m.\"Id\" = f.\"MediaItemId\" WHERE f.\"PersonId\" = ? AND f.\"Embedding\" IS NOT NULL "
                + "ORDER BY f.\"Id\"", (rs, i) -> new PortraitCandidate(FaceId.of(rs.getLong(1)), rs.getLong(2),
                        rs.getDouble(3), EmbeddingCodec.parse(rs.getBytes(4))), person.value());
    }

    /** (face, person) pairs a user rejected ("not this person"). */
    public List<long[]> findRejections() {
        return jdbc.query("SELECT \"FaceId\", \"PersonId\" FROM \"FaceRejections\"",
                (rs, i) -> new long[] {rs.getLong(1), rs.getLong(2)});
    }
}
