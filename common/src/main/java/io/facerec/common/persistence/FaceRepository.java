package io.facerec.common.persistence;

import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.geometry.Landmarks;
import io.facerec.common.id.FaceId;
import io.facerec.common.id.MediaItemId;
import io.facerec.common.id.PersonId;
import io.facerec.common.logging.LogIds;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;

/** {@code Faces}: one row per detected face; the embedder and clusterer fill in the rest. */
public class FaceRepository {
    /**
     * Per-face lines of the clusterer ("face X assigned to person Y"), under the clusterer's name so that they land in
     * {@code embeddings_clustering.log} as the origin's did.
     */
    private static final Logger assignments = LoggerFactory.getLogger("io.facerec.clusterer.assignments");

    private final JdbcTemplate jdbc;
    private final DatabaseTime time;

    public FaceRepository(JdbcTemplate jdbc) {
        this(jdbc, DatabaseTime.system());
    }

    public FaceRepository(JdbcTemplate jdbc, DatabaseTime time) {
        this.jdbc = jdbc;
        this.time = time;
    }

    /**
     * A face to store: which frame (0 for photos), its index in that frame, what the detector found.
     *
     * @param cropBox what {@code BoundingBox} holds: the origin's square thumbnail crop in its text form
     *     ({@link io.facerec.common.geometry.OriginCrop.Rect#toOriginText()}); null stores the detector's box there
     * @param name {@code Faces.Name}: the thumbnail's file name, as the origin wrote it (null when none was written)
     */
    public record NewFace(
            int frameNumber,
            int faceIndex,
            DetectedFace face,
            String thumbnailPath,
            Double sharpness,
            String cropBox,
            String name) {
        public NewFace(int frameNumber, int faceIndex, DetectedFace face, String thumbnailPath) {
            this(frameNumber, faceIndex, face, thumbnailPath, null);
        }

        public NewFace(int frameNumber, int faceIndex, DetectedFace face, String thumbnailPath, Double sharpness) {
            this(frameNumber, faceIndex, face, thumbnailPath, sharpness, null, null);
        }
    }

    /**
     * A stored face.
     *
     * @param box the detector's box ({@code DetectorBox}); for a face the origin stored, which has none, its
     *     {@code BoundingBox} (the origin's square crop); null when neither is stored
     * @param landmarks null for a face the origin stored (it kept none) until facerec found them again
     * @param name {@code Faces.Name}, the thumbnail's file name
     * @param storedBox {@code BoundingBox} as stored (the square crop box for origin and new rows alike); may be null
     * @param fromDetector whether {@code box} is a detector box ({@code DetectorBox} is set)
     */
    public record Face(
            FaceId id,
            MediaItemId mediaItemId,
            PersonId personId,
            int frameNumber,
            int faceIndex,
            double score,
            BoundingBox box,
            Landmarks landmarks,
            String thumbnailPath,
            boolean userVerified,
            boolean embedded,
            boolean clustered,
            String name,
            BoundingBox storedBox,
            boolean fromDetector) {

        /** Whether the embedder can align this face (its landmarks are known). */
        public boolean hasLandmarks() {
            return landmarks != null;
        }
    }

    /** An embedded face as the clusterer sees it. */
    public record EmbeddedFace(
            FaceId id,
            MediaItemId mediaItemId,
            int frameNumber,
            PersonId personId,
            boolean userVerified,
            float[] embedding) {}

    /**
     * An embedding counts for the configured model only when the model is recorded: the origin's rows have none
     * ({@code EmbeddingModel} NULL) until {@link #adoptOriginEmbeddings} declares them, or facerec embeds them again.
     */
    private static final String COLUMNS = columns("");

    private static final String F_COLUMNS = columns("f.");

    private static String columns(String a) {
        return a + "\"Id\", " + a + "\"MediaItemId\", " + a + "\"PersonId\", " + a + "\"FrameNumber\", " + a
                + "\"FaceIndex\", " + a + "\"Score\", " + a + "\"DetectorBox\", " + a + "\"Landmarks\", " + a
                + "\"ThumbnailPath\", " + a + "\"IsUserVerified\", CASE WHEN " + a + "\"Embedding\" IS NULL OR " + a
                + "\"EmbeddingModel\" IS NULL THEN 0 ELSE 1 END, CASE WHEN " + a
                + "\"ClusteredAt\" IS NULL THEN 0 ELSE 1 END, "
                + a + "\"Name\", " + a + "\"BoundingBox\"";
    }

    private static Face map(ResultSet rs, int i) throws SQLException {
        long person = rs.getLong(3);
        PersonId pid = rs.wasNull() ? null : PersonId.of(person);
        BoundingBox detector = Json.boxOrNull(rs.getString(7));
        BoundingBox stored = Json.boxOrNull(rs.getString(14));
        return new Face(
                FaceId.of(rs.getLong(1)),
                MediaItemId.of(rs.getLong(2)),
                pid,
                rs.getInt(4),
                rs.getInt(5),
                rs.getDouble(6),
                detector != null ? detector : stored,
                Json.landmarksOrNull(rs.getString(8)),
                rs.getString(9),
                rs.getBoolean(10),
                rs.getInt(11) == 1,
                rs.getInt(12) == 1,
                rs.getString(13),
                stored,
                detector != null);
    }

    /**
     * Replaces the automatically found faces of an item with a new detection (idempotent re-detection). Faces a user
     * verified are kept. Call inside a transaction.
     */
    public List<FaceId> replaceFaces(MediaItemId item, List<NewFace> faces, Instant now) {
        jdbc.update(
                "DELETE FROM \"FaceRejections\" WHERE \"FaceId\" IN (SELECT \"Id\" FROM \"Faces\" WHERE \"MediaItemId\" = ? AND \"IsUserVerified\" = ?)",
                item.value(),
                false);
        jdbc.update("DELETE FROM \"Faces\" WHERE \"MediaItemId\" = ? AND \"IsUserVerified\" = ?", item.value(), false);
        List<FaceId> ids = new ArrayList<>(faces.size());
        for (NewFace f : faces) {
            KeyHolder keys = new GeneratedKeyHolder();
            LocalDateTime created = time.of(now);
            jdbc.update(
                    con -> {
                        PreparedStatement ps = con.prepareStatement(
                                "INSERT INTO \"Faces\" (\"MediaItemId\", \"BoundingBox\", "
                                        + "\"FrameNumber\", \"FaceIndex\", \"Score\", \"Landmarks\", \"ThumbnailPath\", \"CreatedAt\", "
                                        + "\"ModifiedAt\", \"IsUserVerified\", \"Sharpness\", \"DetectorBox\", \"Name\") "
                                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                new String[] {"Id"});
                        ps.setLong(1, item.value());
                        ps.setString(
                                2,
                                f.cropBox() != null
                                        ? f.cropBox()
                                        : Json.box(f.face().box()));
                        ps.setInt(3, f.frameNumber());
                        ps.setInt(4, f.faceIndex());
                        ps.setFloat(5, (float) f.face().score());
                        ps.setString(6, Json.landmarks(f.face().landmarks()));
                        ps.setString(7, f.thumbnailPath());
                        ps.setObject(8, created);
                        ps.setObject(9, created);
                        ps.setBoolean(10, false);
                        if (f.sharpness() == null) {
                            ps.setNull(11, Types.REAL);
                        } else {
                            ps.setFloat(11, f.sharpness().floatValue());
                        }
                        ps.setString(12, Json.box(f.face().box()));
                        ps.setString(13, f.name());
                        return ps;
                    },
                    keys);
            ids.add(FaceId.of(keys.getKey().longValue()));
        }
        return ids;
    }

    public List<Face> findByMediaItem(MediaItemId item) {
        return jdbc.query(
                "SELECT " + COLUMNS
                        + " FROM \"Faces\" WHERE \"MediaItemId\" = ? ORDER BY \"FrameNumber\", \"FaceIndex\"",
                FaceRepository::map,
                item.value());
    }

    /** The faces of several media items, by item, each in frame and face order (items without faces are left out). */
    public Map<MediaItemId, List<Face>> findByMediaItems(Collection<MediaItemId> items) {
        Map<MediaItemId, List<Face>> out = new LinkedHashMap<>();
        queryInChunks(
                "SELECT " + COLUMNS + " FROM \"Faces\" WHERE \"MediaItemId\" IN ",
                List.of(),
                items.stream().map(MediaItemId::value).toList(),
                rs -> {
                    Face f = map(rs, 0);
                    out.computeIfAbsent(f.mediaItemId(), k -> new ArrayList<>()).add(f);
                });
        for (List<Face> l : out.values()) {
            l.sort(Comparator.comparingInt(Face::frameNumber).thenComparingInt(Face::faceIndex));
        }
        return out;
    }

    public List<Face> findAll() {
        return jdbc.query("SELECT " + COLUMNS + " FROM \"Faces\" ORDER BY \"Id\"", FaceRepository::map);
    }

    /** The embedding model ids in use. */
    public List<String> embeddingModels() {
        return jdbc.queryForList(
                "SELECT DISTINCT \"EmbeddingModel\" FROM \"Faces\" WHERE \"EmbeddingModel\" IS NOT NULL", String.class);
    }

    public Optional<Face> find(FaceId id) {
        return jdbc
                .query("SELECT " + COLUMNS + " FROM \"Faces\" WHERE \"Id\" = ?", FaceRepository::map, id.value())
                .stream()
                .findFirst();
    }

    public List<Face> findByPerson(PersonId person) {
        return jdbc.query(
                "SELECT " + COLUMNS + " FROM \"Faces\" WHERE \"PersonId\" = ? ORDER BY \"Id\"",
                FaceRepository::map,
                person.value());
    }

    public List<Face> findUnassigned(int limit) {
        return jdbc.query(
                "SELECT " + COLUMNS + " FROM \"Faces\" WHERE \"PersonId\" IS NULL AND \"Embedding\" IS NOT NULL "
                        + "ORDER BY \"Id\"",
                ps -> ps.setMaxRows(limit),
                FaceRepository::map);
    }

    /**
     * A user's decision: the face belongs to this person (or to nobody, with null). The face becomes user-verified, so
     * no clustering run moves it again.
     */
    public void assignByUser(FaceId face, PersonId person, Instant now) {
        jdbc.update(
                "UPDATE \"Faces\" SET \"PersonId\" = ?, \"IsUserVerified\" = ?, \"ClusteredAt\" = ?, \"ModifiedAt\" = ? "
                        + "WHERE \"Id\" = ?",
                ps -> {
                    if (person == null) {
                        ps.setNull(1, Types.BIGINT);
                    } else {
                        ps.setLong(1, person.value());
                    }
                    ps.setBoolean(2, true);
                    ps.setObject(3, time.of(now));
                    ps.setObject(4, time.of(now));
                    ps.setLong(5, face.value());
                });
    }

    /** A merge: every face of {@code from} goes to {@code to} as a user-verified face, in one statement. */
    public int moveAllByUser(PersonId from, PersonId to, Instant now) {
        return jdbc.update(
                "UPDATE \"Faces\" SET \"PersonId\" = ?, \"IsUserVerified\" = ?, \"ClusteredAt\" = ?, "
                        + "\"ModifiedAt\" = ? WHERE \"PersonId\" = ?",
                to.value(),
                true,
                time.of(now),
                time.of(now),
                from.value());
    }

    /** Confirms every face of a person (the faces a user left behind when splitting it), in one statement. */
    public int confirmAll(PersonId person, Instant now) {
        return jdbc.update(
                "UPDATE \"Faces\" SET \"IsUserVerified\" = ?, \"ModifiedAt\" = ? WHERE \"PersonId\" = ? AND "
                        + "\"IsUserVerified\" = ?",
                true,
                time.of(now),
                person.value(),
                false);
    }

    /** Marks a face as confirmed for its current person ({@code IsUserVerified = 1}). */
    public int confirm(FaceId face, Instant now) {
        return jdbc.update(
                "UPDATE \"Faces\" SET \"IsUserVerified\" = ?, \"ModifiedAt\" = ? WHERE \"Id\" = ? AND \"PersonId\" IS NOT NULL",
                true,
                time.of(now),
                face.value());
    }

    /**
     * "Not this person": stores the (face, person) pair, which every later run honours, and takes the face out of the
     * person; it goes back to the unassigned pool (not verified, so clustering may place it elsewhere).
     */
    public void reject(FaceId face, PersonId person, Instant now) {
        jdbc.update(
                "INSERT INTO \"FaceRejections\" (\"FaceId\", \"PersonId\", \"CreatedAt\") SELECT ?, ?, ? "
                        + "WHERE NOT EXISTS (SELECT 1 FROM \"FaceRejections\" WHERE \"FaceId\" = ? AND \"PersonId\" = ?)",
                face.value(),
                person.value(),
                time.of(now),
                face.value(),
                person.value());
        jdbc.update(
                "UPDATE \"Faces\" SET \"PersonId\" = NULL, \"IsUserVerified\" = ?, \"ClusteredAt\" = NULL, "
                        + "\"ModifiedAt\" = ? WHERE \"Id\" = ? AND \"PersonId\" = ?",
                false,
                time.of(now),
                face.value(),
                person.value());
    }

    /** Faces without an embedding, of items that did not fail. */
    public List<Face> findWithoutEmbedding() {
        return findWithoutEmbedding(Integer.MAX_VALUE, LocalDateTime.of(9999, 1, 1, 0, 0));
    }

    /**
     * Faces the configured model still has to embed: those without an embedding, and the origin's whose embedding no
     * model was declared for ({@code EmbeddingModel} NULL, see {@link #adoptOriginEmbeddings}); of items that did not
     * fail, or failed and are due for another attempt (see {@link RetryPolicy}).
     */
    public List<Face> findWithoutEmbedding(MediaItemRepository items, Instant now) {
        Object[] due = items.dueArgs(now);
        return findWithoutEmbedding((Integer) due[0], (LocalDateTime) due[1]);
    }

    private List<Face> findWithoutEmbedding(int maxAttempts, LocalDateTime now) {
        return jdbc.query(
                "SELECT " + F_COLUMNS + " FROM \"Faces\" f JOIN \"MediaItems\" m ON m.\"Id\" = f.\"MediaItemId\" "
                        + "WHERE (f.\"Embedding\" IS NULL OR f.\"EmbeddingModel\" IS NULL) AND "
                        + MediaItemRepository.retryableCondition("m") + " ORDER BY f.\"MediaItemId\", f.\"FaceIndex\"",
                FaceRepository::map,
                maxAttempts,
                now);
    }

    public void setThumbnail(FaceId face, String path, Instant now) {
        jdbc.update("UPDATE \"Faces\" SET \"ThumbnailPath\" = ? WHERE \"Id\" = ?", path, face.value());
    }

    /**
     * Writes the embedding (idempotent: the same face embedded twice gets the same bytes). An origin embedding the
     * face had ({@code EmbeddingModel} NULL) is kept in {@code OriginEmbedding} first, so a way back can restore it.
     */
    public void saveEmbedding(FaceId face, float[] embedding, String modelId, Instant now) {
        jdbc.update(
                "UPDATE \"Faces\" SET \"OriginEmbedding\" = CASE WHEN \"EmbeddingModel\" IS NULL AND \"Embedding\" IS NOT NULL "
                        + "AND \"OriginEmbedding\" IS NULL THEN \"Embedding\" ELSE \"OriginEmbedding\" END, \"Embedding\" = ?, "
                        + "\"EmbeddingModel\" = ?, \"ModifiedAt\" = ? WHERE \"Id\" = ?",
                ps -> {
                    ps.setBytes(1, EmbeddingCodec.toBytes(embedding));
                    ps.setString(2, modelId);
                    ps.setObject(3, time.of(now));
                    ps.setLong(4, face.value());
                });
    }

    /** A face's new embedding. */
    public record NewEmbedding(FaceId face, float[] embedding) {}

    /**
     * Writes several embeddings of one model in one JDBC batch (as {@link #saveEmbedding} each: idempotent, an origin
     * embedding kept in {@code OriginEmbedding} first). Call inside the batch's transaction.
     */
    public void saveEmbeddings(List<NewEmbedding> embeddings, String modelId, Instant now) {
        if (embeddings.isEmpty()) {
            return;
        }
        LocalDateTime at = time.of(now);
        jdbc.batchUpdate(
                "UPDATE \"Faces\" SET \"OriginEmbedding\" = CASE WHEN \"EmbeddingModel\" IS NULL AND "
                        + "\"Embedding\" IS NOT NULL AND \"OriginEmbedding\" IS NULL THEN \"Embedding\" ELSE \"OriginEmbedding\" END, "
                        + "\"Embedding\" = ?, \"EmbeddingModel\" = ?, \"ModifiedAt\" = ? WHERE \"Id\" = ?",
                embeddings,
                500,
                (ps, e) -> {
                    ps.setBytes(1, EmbeddingCodec.toBytes(e.embedding()));
                    ps.setString(2, modelId);
                    ps.setObject(3, at);
                    ps.setLong(4, e.face().value());
                });
    }

    /** What {@link #adoptOriginEmbeddings} found. */
    public record OriginEmbeddings(int adopted, int otherDimension, int unreadable) {}

    /**
     * Declares the origin's embeddings ({@code EmbeddingModel} NULL) to be the given model's, so they are clustered
     * with facerec's own: every such embedding that parses (float32 bytes or a JSON array, as the origin read them)
     * to {@code dimension} numbers gets {@code EmbeddingModel = modelId}; nothing else of the row changes. The others
     * stay undeclared and are embedded again.
     */
    public OriginEmbeddings adoptOriginEmbeddings(String modelId, int dimension) {
        List<Long> ok = new ArrayList<>();
        int[] other = {0};
        int[] bad = {0};
        jdbc.query(
                con -> {
                    PreparedStatement ps = con.prepareStatement("SELECT \"Id\", \"Embedding\" FROM \"Faces\" "
                            + "WHERE \"EmbeddingModel\" IS NULL AND \"Embedding\" IS NOT NULL");
                    ps.setFetchSize(500);
                    return ps;
                },
                rs -> {
                    try {
                        if (EmbeddingCodec.parse(rs.getBytes(2)).length == dimension) {
                            ok.add(rs.getLong(1));
                        } else {
                            other[0]++;
                        }
                    } catch (IllegalArgumentException e) {
                        bad[0]++;
                    }
                });
        for (int from = 0; from < ok.size(); from += 500) {
            List<Long> chunk = ok.subList(from, Math.min(ok.size(), from + 500));
            List<Object> args = new ArrayList<>();
            args.add(modelId);
            args.addAll(chunk);
            jdbc.update(
                    "UPDATE \"Faces\" SET \"EmbeddingModel\" = ? WHERE \"EmbeddingModel\" IS NULL AND \"Id\" IN ("
                            + String.join(",", Collections.nCopies(chunk.size(), "?")) + ")",
                    args.toArray());
        }
        return new OriginEmbeddings(ok.size(), other[0], bad[0]);
    }

    /**
     * Completes a face the origin stored (it kept no landmarks or score) with what facerec's detector found for it
     * again: landmarks, score, the detector's box and (when unknown) the sharpness. {@code BoundingBox}, {@code Name}
     * and the origin's timestamps stay as they are.
     */
    public void complete(FaceId face, DetectedFace found, Double sharpness) {
        jdbc.update(
                "UPDATE \"Faces\" SET \"Landmarks\" = ?, \"Score\" = ?, \"DetectorBox\" = ?, "
                        + "\"Sharpness\" = COALESCE(\"Sharpness\", ?) WHERE \"Id\" = ?",
                ps -> {
                    ps.setString(1, Json.landmarks(found.landmarks()));
                    ps.setFloat(2, (float) found.score());
                    ps.setString(3, found.score() > 0 ? Json.box(found.box()) : null);
                    if (sharpness == null) {
                        ps.setNull(4, Types.REAL);
                    } else {
                        ps.setFloat(4, sharpness.floatValue());
                    }
                    ps.setLong(5, face.value());
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
        return jdbc.query(
                "SELECT \"Id\", \"MediaItemId\", \"FrameNumber\", \"PersonId\", \"IsUserVerified\", \"Embedding\" "
                        + "FROM \"Faces\" WHERE \"Embedding\" IS NOT NULL AND \"EmbeddingModel\" = ?" + condition
                        + " ORDER BY \"Id\"",
                (rs, i) -> {
                    long p = rs.getLong(4);
                    PersonId pid = rs.wasNull() ? null : PersonId.of(p);
                    return new EmbeddedFace(
                            FaceId.of(rs.getLong(1)),
                            MediaItemId.of(rs.getLong(2)),
                            rs.getInt(3),
                            pid,
                            rs.getBoolean(5),
                            EmbeddingCodec.parse(rs.getBytes(6)));
                },
                args);
    }

    /** Face id to person id of every embedded face of a model that has a person (no embeddings read). */
    public Map<Long, Long> findAssignments(String modelId) {
        Map<Long, Long> out = new HashMap<>();
        jdbc.query(
                "SELECT \"Id\", \"PersonId\" FROM \"Faces\" WHERE \"Embedding\" IS NOT NULL AND \"EmbeddingModel\" = ? "
                        + "AND \"PersonId\" IS NOT NULL",
                rs -> {
                    out.put(rs.getLong(1), rs.getLong(2));
                },
                modelId);
        return out;
    }

    /** The embeddings of the given faces (of one model), by face id; faces without one are left out. */
    public Map<Long, float[]> findEmbeddings(String modelId, Collection<Long> faceIds) {
        Map<Long, float[]> out = new HashMap<>();
        queryInChunks(
                "SELECT \"Id\", \"Embedding\" FROM \"Faces\" WHERE \"Embedding\" IS NOT NULL AND "
                        + "\"EmbeddingModel\" = ? AND \"Id\" IN ",
                List.of(modelId),
                new ArrayList<>(faceIds),
                rs -> {
                    out.put(rs.getLong(1), EmbeddingCodec.parse(rs.getBytes(2)));
                });
        return out;
    }

    /**
     * Runs {@code sql + "(?, ?, ...)"} once per chunk of 500 ids (IN lists stay far below the drivers' parameter
     * limits), with {@code leading} bound before the ids.
     */
    private void queryInChunks(String sql, List<Object> leading, List<Long> ids, RowCallbackHandler rows) {
        for (int from = 0; from < ids.size(); from += 500) {
            List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            List<Object> args = new ArrayList<>(leading);
            args.addAll(chunk);
            jdbc.query(
                    sql + "(" + String.join(",", Collections.nCopies(chunk.size(), "?")) + ")", rows, args.toArray());
        }
    }

    /**
     * A cheap fingerprint of a model's assignments (count, newest change, id sum): it changes whenever anyone assigns,
     * moves or removes a face, so a cache of the assigned faces knows when to reload.
     */
    public String assignmentFingerprint(String modelId) {
        return jdbc.queryForObject(
                "SELECT COUNT(*), MAX(\"ModifiedAt\"), SUM(\"PersonId\") FROM \"Faces\" "
                        + "WHERE \"EmbeddingModel\" = ? AND \"PersonId\" IS NOT NULL",
                (rs, i) -> rs.getLong(1) + "/" + rs.getTimestamp(2) + "/" + rs.getLong(3),
                modelId);
    }

    /** For the given media items: "item:frame" slot to the persons that already have a face in it. */
    public Map<String, Set<Long>> personsOfSlots(Collection<Long> mediaItemIds) {
        Map<String, Set<Long>> out = new HashMap<>();
        queryInChunks(
                "SELECT \"MediaItemId\", \"FrameNumber\", \"PersonId\" FROM \"Faces\" WHERE \"PersonId\" IS NOT NULL "
                        + "AND \"MediaItemId\" IN ",
                List.of(),
                new ArrayList<>(new TreeSet<>(mediaItemIds)),
                rs -> {
                    out.computeIfAbsent(rs.getLong(1) + ":" + rs.getInt(2), k -> new HashSet<>())
                            .add(rs.getLong(3));
                });
        return out;
    }

    /** Sets (or clears, with null) the person of a face, never touching user-verified faces. */
    public void assignPerson(FaceId face, PersonId person, Instant now) {
        try (var f = LogIds.put(LogIds.FACE, face)) {
            assignments.info(
                    person == null ? "face {} left unassigned" : "face {} assigned to person {}", face, person);
        }
        jdbc.update(
                "UPDATE \"Faces\" SET \"PersonId\" = ?, \"ClusteredAt\" = ?, \"ModifiedAt\" = ? WHERE \"Id\" = ? AND \"IsUserVerified\" = ?",
                ps -> {
                    if (person == null) {
                        ps.setNull(1, Types.BIGINT);
                    } else {
                        ps.setLong(1, person.value());
                    }
                    ps.setObject(2, time.of(now));
                    ps.setObject(3, time.of(now));
                    ps.setLong(4, face.value());
                    ps.setBoolean(5, false);
                });
    }

    /** Marks faces as considered by the clusterer without changing their person. */
    public void markClustered(Collection<FaceId> faces, Instant now) {
        for (FaceId f : faces) {
            try (var id = LogIds.put(LogIds.FACE, f)) {
                assignments.info("face {} left unassigned", f);
            }
        }
        jdbc.batchUpdate("UPDATE \"Faces\" SET \"ClusteredAt\" = ? WHERE \"Id\" = ?", faces, 500, (ps, f) -> {
            ps.setObject(1, time.of(now));
            ps.setLong(2, f.value());
        });
    }

    /** A face as a list shows it: its person, score, box, whether a user verified it, and its file. */
    public record Listed(long id, Long personId, double score, BoundingBox box, boolean verified, String filePath) {}

    private static final String LISTED = "SELECT f.\"Id\", f.\"PersonId\", f.\"Score\", f.\"BoundingBox\", "
            + "f.\"IsUserVerified\", mf.\"FilePath\" FROM \"Faces\" f JOIN \"MediaItems\" m ON m.\"Id\" = f.\"MediaItemId\" "
            + "JOIN \"MediaFile\" mf ON mf.\"Id\" = m.\"MediaFileId\" ";

    private static Listed listed(ResultSet rs, int i) throws SQLException {
        long p = rs.getLong(2);
        Long person = rs.wasNull() ? null : p;
        return new Listed(
                rs.getLong(1),
                person,
                rs.getDouble(3),
                Json.boxOrNull(rs.getString(4)),
                rs.getBoolean(5),
                rs.getString(6));
    }

    /** A page of a person's faces, in id order (one query; the index on person and id serves it). */
    public List<Listed> pageOfPerson(PersonId person, int offset, int limit) {
        return jdbc.query(
                // the page's ids from the (PersonId, Id) index alone, then their rows: a deep page of a person of
                // 70,000 faces skips index entries, not table rows
                LISTED + "WHERE f.\"Id\" IN (SELECT \"Id\" FROM \"Faces\" WHERE \"PersonId\" = ? ORDER BY \"Id\" "
                        + "OFFSET ? ROWS FETCH NEXT ? ROWS ONLY) ORDER BY f.\"Id\"",
                FaceRepository::listed,
                person.value(),
                offset,
                limit);
    }

    /** A page of the unassigned embedded faces, in id order. */
    public List<Listed> pageUnassigned(int offset, int limit) {
        return jdbc.query(
                // as pageOfPerson: the ids from the unassigned faces' index (it carries the model), then the rows
                LISTED + "WHERE f.\"Id\" IN (SELECT \"Id\" FROM \"Faces\" WHERE \"PersonId\" IS NULL AND "
                        + "\"EmbeddingModel\" IS NOT NULL ORDER BY \"Id\" OFFSET ? ROWS FETCH NEXT ? ROWS ONLY) "
                        + "ORDER BY f.\"Id\"",
                FaceRepository::listed,
                offset,
                limit);
    }

    /** How many embedded faces have no person. */
    public long countUnassigned() {
        Long n = jdbc.queryForObject(
                "SELECT COUNT(*) FROM \"Faces\" WHERE \"PersonId\" IS NULL AND \"EmbeddingModel\" " + "IS NOT NULL",
                Long.class);
        return n == null ? 0 : n;
    }

    /** One face as a list shows it. */
    public Optional<Listed> listed(FaceId id) {
        return jdbc.query(LISTED + "WHERE f.\"Id\" = ?", FaceRepository::listed, id.value()).stream()
                .findFirst();
    }

    /** A face as the streaming clusterer reads it: where it is, whether it is placed, its embedding. */
    public record ClusterRow(
            long id,
            long mediaItemId,
            int frameNumber,
            Long personId,
            boolean userVerified,
            String model,
            Double sharpness,
            float[] embedding,
            boolean clustered) {
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
        return new ClusterRow(
                rs.getLong(1),
                rs.getLong(2),
                rs.getInt(3),
                pid,
                rs.getBoolean(5),
                rs.getString(6),
                sharpness,
                e == null ? null : EmbeddingCodec.parse(e),
                rs.getInt(9) == 1);
    }

    /** The given faces as the clusterer sees them (faces that no longer exist are left out). */
    public List<ClusterRow> findForClustering(Collection<Long> ids) {
        List<ClusterRow> out = new ArrayList<>();
        Chunks.query(jdbc, "SELECT " + CLUSTER_COLUMNS + " FROM \"Faces\" WHERE \"Id\" IN ", List.of(), ids, rs -> {
            out.add(clusterRow(rs));
        });
        return out;
    }

    /**
     * Streams the unassigned pool of a model (embedded faces without a person that no user pinned), in id order, to
     * {@code each}: read once when the clusterer starts, never per batch.
     */
    public void forEachInPool(String model, Consumer<ClusterRow> each) {
        jdbc.query(
                con -> {
                    PreparedStatement ps = con.prepareStatement("SELECT " + CLUSTER_COLUMNS + " FROM \"Faces\" WHERE "
                            + "\"EmbeddingModel\" = ? AND \"PersonId\" IS NULL AND \"IsUserVerified\" = ? AND "
                            + "\"Embedding\" IS NOT NULL ORDER BY \"Id\"");
                    ps.setString(1, model);
                    ps.setBoolean(2, false);
                    ps.setFetchSize(2_000);
                    return ps;
                },
                rs -> {
                    each.accept(clusterRow(rs));
                });
    }

    /** Ids of a model's embedded faces without a person that the clusterer has not considered yet. */
    public List<Long> findUnclustered(String model) {
        return jdbc.queryForList(
                "SELECT \"Id\" FROM \"Faces\" WHERE \"EmbeddingModel\" = ? AND \"PersonId\" IS NULL "
                        + "AND \"IsUserVerified\" = ? AND \"Embedding\" IS NOT NULL AND \"ClusteredAt\" IS NULL ORDER BY \"Id\"",
                Long.class,
                model,
                false);
    }

    /** Gives faces their persons (one statement per face, sent as a batch); user-verified faces are never touched. */
    public int assignPersons(Map<Long, Long> personOfFace, Instant now) {
        List<Map.Entry<Long, Long>> rows = new ArrayList<>(personOfFace.entrySet());
        int[][] counts = jdbc.batchUpdate(
                "UPDATE \"Faces\" SET \"PersonId\" = ?, \"ClusteredAt\" = ?, \"ModifiedAt\" = ? "
                        + "WHERE \"Id\" = ? AND \"IsUserVerified\" = ?",
                rows,
                500,
                (ps, e) -> {
                    ps.setLong(1, e.getValue());
                    ps.setObject(2, time.of(now));
                    ps.setObject(3, time.of(now));
                    ps.setLong(4, e.getKey());
                    ps.setBoolean(5, false);
                });
        int n = 0;
        int i = 0;
        for (int[] c : counts) {
            for (int x : c) {
                n += Math.max(0, x);
                if (x > 0) {
                    try (var id = LogIds.put(LogIds.FACE, rows.get(i).getKey())) {
                        assignments.info(
                                "face {} assigned to person {}",
                                rows.get(i).getKey(),
                                rows.get(i).getValue());
                    }
                }
                i++;
            }
        }
        return n;
    }

    /** A face's place and state, without its embedding (a recluster from a replay reads these for every face). */
    public record FaceSlot(
            long id,
            long mediaItemId,
            int frameNumber,
            Long personId,
            boolean userVerified,
            String model,
            boolean embedded) {
        public EmbeddedFace withEmbedding(float[] v) {
            return new EmbeddedFace(
                    FaceId.of(id),
                    MediaItemId.of(mediaItemId),
                    frameNumber,
                    personId == null ? null : PersonId.of(personId),
                    userVerified,
                    v);
        }
    }

    /** Every face's place and state (no embeddings), in id order. */
    public List<FaceSlot> findSlots() {
        return jdbc.query(
                "SELECT \"Id\", \"MediaItemId\", \"FrameNumber\", \"PersonId\", \"IsUserVerified\", "
                        + "\"EmbeddingModel\", CASE WHEN \"Embedding\" IS NULL THEN 0 ELSE 1 END FROM \"Faces\" ORDER BY \"Id\"",
                (rs, i) -> {
                    long p = rs.getLong(4);
                    Long person = rs.wasNull() ? null : p;
                    return new FaceSlot(
                            rs.getLong(1),
                            rs.getLong(2),
                            rs.getInt(3),
                            person,
                            rs.getBoolean(5),
                            rs.getString(6),
                            rs.getInt(7) == 1);
                });
    }

    /** Takes faces out of their persons (batched); user-verified faces are never touched. */
    public void unassignPersons(Collection<Long> ids, Instant now) {
        for (Long id : ids) {
            try (var f = LogIds.put(LogIds.FACE, id)) {
                assignments.info("face {} left unassigned", id);
            }
        }
        jdbc.batchUpdate(
                "UPDATE \"Faces\" SET \"PersonId\" = NULL, \"ClusteredAt\" = ?, \"ModifiedAt\" = ? WHERE \"Id\" = ? "
                        + "AND \"IsUserVerified\" = ?",
                new ArrayList<>(ids),
                500,
                (ps, id) -> {
                    ps.setObject(1, time.of(now));
                    ps.setObject(2, time.of(now));
                    ps.setLong(3, id);
                    ps.setBoolean(4, false);
                });
    }

    /** The person of each of these faces that has one. */
    public Map<Long, Long> personsOf(Collection<Long> ids) {
        Map<Long, Long> out = new HashMap<>();
        Chunks.query(
                jdbc,
                "SELECT \"Id\", \"PersonId\" FROM \"Faces\" WHERE \"PersonId\" IS NOT NULL AND \"Id\" IN ",
                List.of(),
                ids,
                rs -> {
                    out.put(rs.getLong(1), rs.getLong(2));
                });
        return out;
    }

    /**
     * A face of a person as the portrait rule sees it: no embedding (the rule needs embeddings only to break a tie of
     * sharpness, see {@link #findPersonEmbeddings}).
     *
     * @param sharpness null when not known yet (faces the origin stored)
     * @param thumbnailPath the thumbnail facerec wrote, or null
     * @param name {@code Faces.Name}, the thumbnail's file name (the origin's way to find it)
     */
    public record PortraitFace(FaceId id, long mediaFileId, Double sharpness, String thumbnailPath, String name) {}

    private static final String PORTRAIT_FACE =
            "SELECT f.\"Id\", m.\"MediaFileId\", f.\"Sharpness\", f.\"ThumbnailPath\", "
                    + "f.\"Name\" FROM \"Faces\" f JOIN \"MediaItems\" m ON m.\"Id\" = f.\"MediaItemId\" ";

    private static PortraitFace portraitFace(ResultSet rs) throws SQLException {
        double sharpness = rs.getDouble(3);
        Double s = rs.wasNull() ? null : sharpness;
        return new PortraitFace(FaceId.of(rs.getLong(1)), rs.getLong(2), s, rs.getString(4), rs.getString(5));
    }

    /** Every face of a person, by id (reads no embedding). */
    public List<PortraitFace> findPortraitFaces(PersonId person) {
        return jdbc.query(
                PORTRAIT_FACE + "WHERE f.\"PersonId\" = ? ORDER BY f.\"Id\"",
                (rs, i) -> portraitFace(rs),
                person.value());
    }

    /** Every face of a model that has a person (reads no embedding). */
    public List<PortraitFace> findPortraitFacesOfModel(String model) {
        return jdbc.query(
                PORTRAIT_FACE + "WHERE f.\"EmbeddingModel\" = ? AND f.\"PersonId\" IS NOT NULL",
                (rs, i) -> portraitFace(rs),
                model);
    }

    /** The given faces, by id (reads no embedding). */
    public List<PortraitFace> findPortraitFaces(Collection<FaceId> ids) {
        List<PortraitFace> out = new ArrayList<>();
        queryInChunks(
                PORTRAIT_FACE + "WHERE f.\"Id\" IN ",
                List.of(),
                ids.stream().map(FaceId::value).sorted().toList(),
                rs -> {
                    out.add(portraitFace(rs));
                });
        out.sort(Comparator.comparingLong(f -> f.id().value()));
        return out;
    }

    /** The embeddings of a person's faces, by face id (any model; faces without one are left out). */
    public Map<Long, float[]> findPersonEmbeddings(PersonId person) {
        Map<Long, float[]> out = new LinkedHashMap<>();
        jdbc.query(
                "SELECT \"Id\", \"Embedding\" FROM \"Faces\" WHERE \"PersonId\" = ? AND \"Embedding\" IS NOT NULL ORDER BY \"Id\"",
                rs -> {
                    try {
                        out.put(rs.getLong(1), EmbeddingCodec.parse(rs.getBytes(2)));
                    } catch (IllegalArgumentException e) {
                        // an unreadable origin embedding takes no part in the medoid
                    }
                },
                person.value());
        return out;
    }

    /** Stores a face's sharpness (variance of the Laplacian of its grey thumbnail). */
    public void setSharpness(FaceId face, double sharpness) {
        jdbc.update("UPDATE \"Faces\" SET \"Sharpness\" = ? WHERE \"Id\" = ?", (float) sharpness, face.value());
    }

    /** (face, person) pairs a user rejected ("not this person"). */
    public List<long[]> findRejections() {
        return jdbc.query("SELECT \"FaceId\", \"PersonId\" FROM \"FaceRejections\"", (rs, i) ->
                new long[] {rs.getLong(1), rs.getLong(2)});
    }
}
