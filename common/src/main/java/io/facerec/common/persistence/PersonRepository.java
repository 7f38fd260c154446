package io.facerec.common.persistence;

import io.facerec.common.id.PersonId;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;

/** {@code Persons}: one row per person the clusterer found or a user named. */
public class PersonRepository {
    private final JdbcTemplate jdbc;

    public PersonRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public record Person(PersonId id, String name, boolean hidden) {
    }

    /** A person as the gallery lists it. */
    public record PersonSummary(long id, String name, boolean hidden, int faces, Long portraitFaceId) {
    }

    private static final String SUMMARY = "SELECT p.\"Id\", p.\"Name\", p.\"IsHidden\", "
            + "(SELECT COUNT(*) FROM \"Faces\" f WHERE f.\"PersonId\" = p.\"Id\"), p.\"PortraitFaceId\" FROM \"Persons\" p ";

    private static PersonSummary summary(java.sql.ResultSet rs, int i) throws java.sql.SQLException {
        long portrait = rs.getLong(5);
        return new PersonSummary(rs.getLong(1), rs.getString(2), rs.getBoolean(3), rs.getInt(4),
                rs.wasNull() ? null : portrait);
    }

    public List<PersonSummary> summaries(boolean includeHidden) {
        return jdbc.query(SUMMARY + "WHERE p.\"IsHidden\" = ? OR ? = ? ORDER BY 4 DESC, p.\"Id\"",
                PersonRepository::summary, false, includeHidden, true);
    }

    public java.util.Optional<PersonSummary> summary(PersonId id) {
        return jdbc.query(SUMMARY + "WHERE p.\"Id\" = ?", PersonRepository::summary, id.value()).stream().findFirst();
    }

    /** A user's name for the person; named persons are never changed by clustering. Blank clears it. */
    public int rename(PersonId id, String name, Instant now) {
        return jdbc.update("UPDATE \"Persons\" SET \"Name\" = ?, \"ModifiedAt\" = ? WHERE \"Id\" = ?",
                name == null || name.isBlank() ? null : name.strip(), Timestamp.from(now), id.value());
    }

    public int setHidden(PersonId id, boolean hidden, Instant now) {
        return jdbc.update("UPDATE \"Persons\" SET \"IsHidden\" = ?, \"ModifiedAt\" = ? WHERE \"Id\" = ?", hidden,
                Timestamp.from(now), id.value());
    }

    public boolean exists(PersonId id) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM \"Persons\" WHERE \"Id\" = ?", Integer.class, id.value()) > 0;
    }

    /** Deletes a person that no face points to any more (after a merge), whether named or not. */
    public void deleteIfEmpty(PersonId id) {
        jdbc.update("DELETE FROM \"FaceRejections\" WHERE \"PersonId\" = ? AND NOT EXISTS "
                + "(SELECT 1 FROM \"Faces\" f WHERE f.\"PersonId\" = ?)", id.value(), id.value());
        jdbc.update("DELETE FROM \"Persons\" WHERE \"Id\" = ? AND NOT EXISTS "
                + "(SELECT 1 FROM \"Faces\" f WHERE f.\"PersonId\" = ?)", id.value(), id.value());
    }

    public PersonId create(Instant now) {
        KeyHolder keys = new GeneratedKeyHolder();
        jdbc.update(con -> {
            PreparedStatement ps = con.prepareStatement(
                    "INSERT INTO \"Persons\" (\"CreatedAt\", \"ModifiedAt\", \"IsHidden\") VALUES (?, ?, ?)", new String[] {"Id"});
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setTimestamp(2, Timestamp.from(now));
            ps.setBoolean(3, false);
            return ps;
        }, keys);
        return PersonId.of(keys.getKey().longValue());
    }

    /** Sets many portraits at once: person id to {media file id, face id}. */
    public void setPortraits(java.util.Map<Long, long[]> portraits, Instant now) {
        List<java.util.Map.Entry<Long, long[]>> rows = new java.util.ArrayList<>(portraits.entrySet());
        jdbc.batchUpdate("UPDATE \"Persons\" SET \"PortraitMediaFileId\" = ?, \"PortraitFaceId\" = ?, \"ModifiedAt\" = ? "
                + "WHERE \"Id\" = ?", rows, 500, (ps, e) -> {
                    ps.setLong(1, e.getValue()[0]);
                    ps.setLong(2, e.getValue()[1]);
                    ps.setTimestamp(3, Timestamp.from(now));
                    ps.setLong(4, e.getKey());
                });
    }

    /** Creates {@code n} persons; their ids in creation order. */
    public List<Long> createAll(int n, Instant now) {
        List<Long> ids = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(create(now).value());
        }
        return ids;
    }

    /** Adds to (or, negative, takes from) the persons' face counts and marks them modified. */
    public void addFaceCounts(java.util.Map<Long, Integer> deltas, Instant now) {
        List<java.util.Map.Entry<Long, Integer>> rows = new java.util.ArrayList<>(deltas.entrySet());
        jdbc.batchUpdate("UPDATE \"Persons\" SET \"FaceCount\" = \"FaceCount\" + ?, \"ModifiedAt\" = ? WHERE \"Id\" = ?", rows,
                500, (ps, e) -> {
                    ps.setInt(1, e.getValue());
                    ps.setTimestamp(2, Timestamp.from(now));
                    ps.setLong(3, e.getKey());
                });
    }

    /** Sets the face counts of these persons from their faces. */
    public void recountFaces(java.util.Collection<Long> persons) {
        Chunks.update(jdbc, "UPDATE \"Persons\" SET \"FaceCount\" = (SELECT COUNT(*) FROM \"Faces\" f WHERE "
                + "f.\"PersonId\" = \"Persons\".\"Id\") WHERE \"Id\" IN ", List.of(), persons);
    }

    /** Sets every person's face count from its faces (after a recluster). */
    public void recountAllFaces() {
        jdbc.update("UPDATE \"Persons\" SET \"FaceCount\" = (SELECT COUNT(*) FROM \"Faces\" f WHERE "
                + "f.\"PersonId\" = \"Persons\".\"Id\")");
    }

    /** The portrait face of each of these persons that has one. */
    public java.util.Map<Long, Long> portraitFaces(java.util.Collection<Long> persons) {
        java.util.Map<Long, Long> out = new java.util.HashMap<>();
        Chunks.query(jdbc, "SELECT \"Id\", \"PortraitFaceId\" FROM \"Persons\" WHERE \"PortraitFaceId\" IS NOT NULL "
                + "AND \"Id\" IN ", List.of(), persons, rs -> {
                    out.put(rs.getLong(1), rs.getLong(2));
                });
        return out;
    }

    public void touch(PersonId id, Instant now) {
        jdbc.update("UPDATE \"Persons\" SET \"ModifiedAt\" = ? WHERE \"Id\" = ?", Timestamp.from(now), id.value());
    }

    /** Sets the portrait ({@code PortraitMediaFileId} as the origin had it, plus the face). */
    public void setPortrait(PersonId id, long mediaFileId, long faceId, Instant now) {
        jdbc.update("UPDATE \"Persons\" SET \"PortraitMediaFileId\" = ?, \"PortraitFaceId\" = ?, \"ModifiedAt\" = ? WHERE \"Id\" = ?",
                mediaFileId, faceId, Timestamp.from(now), id.value());
    }

    public List<Person> findAll() {
        return jdbc.query("SELECT \"Id\", \"Name\", \"IsHidden\" FROM \"Persons\" ORDER BY \"Id\"",
                (rs, i) -> new Person(PersonId.of(rs.getLong(1)), rs.getString(2), rs.getBoolean(3)));
    }

    /** Deletes persons that no face points to any more and that a user did not name. */
    public int deleteEmpty() {
        return jdbc.update("DELETE FROM \"Persons\" WHERE \"Name\" IS NULL AND NOT EXISTS "
                + "(SELECT 1 FROM \"Faces\" f WHERE f.\"PersonId\" = \"Persons\".\"Id\") AND NOT EXISTS "
                + "(SELECT 1 FROM \"FaceRejections\" r WHERE r.\"PersonId\" = \"Persons\".\"Id\")");
    }
}
