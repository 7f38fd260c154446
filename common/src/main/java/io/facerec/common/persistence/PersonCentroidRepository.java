package io.facerec.common.persistence;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code PersonCentroids}: each person's sum and count of face embeddings, per embedding model. For unit vectors the
 * mean similarity of a face to all faces of a person is {@code face · sum / count}, so the clusterer matches a face to
 * a person of any size in one dot product and the gallery suggests look-alikes without reading faces. Every writer
 * of assignments keeps it (see {@link PersonLedger}).
 */
public class PersonCentroidRepository {
    private final JdbcTemplate jdbc;

    public PersonCentroidRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A person's centroid: sum of embeddings and face count. */
    public record Centroid(long personId, int faceCount, float[] sum) {}

    /** The models that have centroids. */
    public List<String> models() {
        return jdbc.queryForList("SELECT DISTINCT \"EmbeddingModel\" FROM \"PersonCentroids\"", String.class);
    }

    /** Every centroid of a model. */
    public Map<Long, Centroid> findAll(String model) {
        Map<Long, Centroid> out = new HashMap<>();
        jdbc.query(
                "SELECT \"PersonId\", \"FaceCount\", \"EmbeddingSum\" FROM \"PersonCentroids\" WHERE \"EmbeddingModel\" = ?",
                rs -> {
                    out.put(
                            rs.getLong(1),
                            new Centroid(rs.getLong(1), rs.getInt(2), EmbeddingCodec.fromBytes(rs.getBytes(3))));
                },
                model);
        return out;
    }

    /** The centroids of the given persons (of one model); persons without one are left out. */
    public Map<Long, Centroid> find(String model, Collection<Long> persons) {
        Map<Long, Centroid> out = new HashMap<>();
        Chunks.query(
                jdbc,
                "SELECT \"PersonId\", \"FaceCount\", \"EmbeddingSum\" FROM \"PersonCentroids\" WHERE "
                        + "\"EmbeddingModel\" = ? AND \"PersonId\" IN ",
                List.of(model),
                persons,
                rs -> {
                    out.put(
                            rs.getLong(1),
                            new Centroid(rs.getLong(1), rs.getInt(2), EmbeddingCodec.fromBytes(rs.getBytes(3))));
                });
        return out;
    }

    /** The embedding models a person has a centroid for. */
    public List<String> modelsOf(long person) {
        return jdbc.queryForList(
                "SELECT \"EmbeddingModel\" FROM \"PersonCentroids\" WHERE \"PersonId\" = ?", String.class, person);
    }

    /** Writes centroids (replacing); a centroid with no faces is deleted. */
    public void save(String model, Collection<Centroid> centroids, Instant now) {
        List<Centroid> keep = new ArrayList<>();
        List<Long> drop = new ArrayList<>();
        for (Centroid c : centroids) {
            if (c.faceCount() <= 0) {
                drop.add(c.personId());
            } else {
                keep.add(c);
            }
        }
        if (!drop.isEmpty()) {
            Chunks.update(
                    jdbc,
                    "DELETE FROM \"PersonCentroids\" WHERE \"EmbeddingModel\" = ? AND \"PersonId\" IN ",
                    List.of(model),
                    drop);
        }
        if (keep.isEmpty()) {
            return;
        }
        // update what exists, insert the rest: portable across PostgreSQL and SQL Server (no MERGE/ON CONFLICT)
        int[][] updated = jdbc.batchUpdate(
                "UPDATE \"PersonCentroids\" SET \"FaceCount\" = ?, \"EmbeddingSum\" = ?, "
                        + "\"ModifiedAt\" = ? WHERE \"PersonId\" = ? AND \"EmbeddingModel\" = ?",
                keep,
                500,
                (ps, c) -> {
                    ps.setInt(1, c.faceCount());
                    ps.setBytes(2, EmbeddingCodec.toBytes(c.sum()));
                    ps.setTimestamp(3, Timestamp.from(now));
                    ps.setLong(4, c.personId());
                    ps.setString(5, model);
                });
        List<Centroid> missing = new ArrayList<>();
        int i = 0;
        for (int[] chunk : updated) {
            for (int n : chunk) {
                if (n == 0) {
                    missing.add(keep.get(i));
                }
                i++;
            }
        }
        jdbc.batchUpdate(
                "INSERT INTO \"PersonCentroids\" (\"PersonId\", \"EmbeddingModel\", \"FaceCount\", "
                        + "\"EmbeddingSum\", \"ModifiedAt\") VALUES (?, ?, ?, ?, ?)",
                missing,
                500,
                (ps, c) -> {
                    ps.setLong(1, c.personId());
                    ps.setString(2, model);
                    ps.setInt(3, c.faceCount());
                    ps.setBytes(4, EmbeddingCodec.toBytes(c.sum()));
                    ps.setTimestamp(5, Timestamp.from(now));
                });
    }

    /**
     * Recomputes the centroids of these persons from their faces' embeddings (of this model): what a correction that
     * moves many faces, or a start that finds persons without a centroid, uses. Reads the persons' embeddings.
     */
    public List<Centroid> recompute(String model, Collection<Long> persons, Instant now) {
        Map<Long, float[]> sums = new HashMap<>();
        Map<Long, Integer> counts = new HashMap<>();
        Chunks.query(
                jdbc,
                "SELECT \"PersonId\", \"Embedding\" FROM \"Faces\" WHERE \"EmbeddingModel\" = ? AND "
                        + "\"Embedding\" IS NOT NULL AND \"PersonId\" IN ",
                List.of(model),
                persons,
                rs -> {
                    float[] v = EmbeddingCodec.parse(rs.getBytes(2));
                    float[] s = sums.computeIfAbsent(rs.getLong(1), k -> new float[v.length]);
                    if (s.length == v.length) {
                        for (int k = 0; k < v.length; k++) {
                            s[k] += v[k];
                        }
                        counts.merge(rs.getLong(1), 1, Integer::sum);
                    }
                });
        List<Centroid> out = new ArrayList<>();
        for (Long p : persons) {
            out.add(
                    sums.containsKey(p)
                            ? new Centroid(p, counts.get(p), sums.get(p))
                            : new Centroid(p, 0, new float[0]));
        }
        save(model, out, now);
        return out;
    }

    /** Persons that have faces of this model with embeddings but no centroid (a database older than centroids). */
    public List<Long> personsWithoutCentroid(String model) {
        return jdbc.queryForList(
                "SELECT DISTINCT f.\"PersonId\" FROM \"Faces\" f WHERE f.\"PersonId\" IS NOT NULL AND "
                        + "f.\"EmbeddingModel\" = ? AND f.\"Embedding\" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                        + "\"PersonCentroids\" c WHERE c.\"PersonId\" = f.\"PersonId\" AND c.\"EmbeddingModel\" = ?)",
                Long.class,
                model,
                model);
    }

    /** Deletes the centroids of every model (a recluster rebuilds them). */
    public void deleteAll(String model) {
        jdbc.update("DELETE FROM \"PersonCentroids\" WHERE \"EmbeddingModel\" = ?", model);
    }
}
