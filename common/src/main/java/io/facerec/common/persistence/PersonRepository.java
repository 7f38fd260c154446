package io.facerec.common.persistence;

import io.facerec.common.id.PersonId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;

/**
 * {@code Persons}: one row per person the clusterer found or a user named. New persons follow the origin's convention
 * ({@code Name = 'Unknown-<n>'}, {@code Type = 0}); a name of that form is automatic, any other name is a user's.
 */
public class PersonRepository {
    /** The origin's automatic names: {@code Unknown-<cluster label>}; facerec's are {@code Unknown-<person id>}. */
    private static final Pattern AUTOMATIC = Pattern.compile("Unknown-\\d+");

    private final JdbcTemplate jdbc;
    private final DatabaseTime time;
    private final boolean automaticNames;

    public PersonRepository(JdbcTemplate jdbc) {
        this(jdbc, DatabaseTime.system(), true);
    }

    /** @param automaticNames name new persons {@code Unknown-<id>} as the origin did (else their name stays NULL) */
    public PersonRepository(JdbcTemplate jdbc, DatabaseTime time, boolean automaticNames) {
        this.jdbc = jdbc;
        this.time = time;
        this.automaticNames = automaticNames;
    }

    public record Person(PersonId id, String name, boolean hidden) {
        /** Whether a user named this person: clustering never changes such a person. */
        public boolean userNamed() {
            return isUserName(name);
        }
    }

    /**
     * Whether a person's name is a user's: not empty and not an automatic {@code Unknown-<n>} (the names the origin
     * and facerec give the persons they create).
     */
    public static boolean isUserName(String name) {
        return name != null
                && !name.isBlank()
                && !AUTOMATIC.matcher(name.strip()).matches();
    }

    /** The automatic name facerec gives a person it creates. */
    public static String automaticName(PersonId id) {
        return "Unknown-" + id.value();
    }

    /** A person as the gallery lists it. */
    public record PersonSummary(long id, String name, boolean hidden, int faces, Long portraitFaceId) {}

    private static final String SUMMARY = "SELECT p.\"Id\", p.\"Name\", p.\"IsHidden\", p.\"FaceCount\", "
            + "p.\"PortraitFaceId\" FROM \"Persons\" p ";

    private static PersonSummary summary(ResultSet rs, int i) throws SQLException {
        long portrait = rs.getLong(5);
        return new PersonSummary(
                rs.getLong(1), rs.getString(2), rs.getBoolean(3), rs.getInt(4), rs.wasNull() ? null : portrait);
    }

    /** Every person, largest first (small libraries and tests; the gallery pages with {@link #page}). */
    public List<PersonSummary> summaries(boolean includeHidden) {
        return page(includeHidden, null, 0, Integer.MAX_VALUE);
    }

    /**
     * A page of persons, largest first (then by id), optionally those whose name contains {@code query}
     * (case-insensitive). Served by the index on the face count.
     */
    public List<PersonSummary> page(boolean includeHidden, String query, int offset, int limit) {
        List<Object> args = new ArrayList<>(List.of(false, includeHidden, true));
        String where = "WHERE (p.\"IsHidden\" = ? OR ? = ?)";
        if (query != null && !query.isBlank()) {
            where += " AND LOWER(p.\"Name\") LIKE ? ESCAPE '!'";
            args.add("%" + likeEscaped(query.strip().toLowerCase(Locale.ROOT)) + "%");
        }
        args.add(offset);
        args.add(limit);
        return jdbc.query(
                SUMMARY + where + " ORDER BY p.\"FaceCount\" DESC, p.\"Id\" OFFSET ? ROWS FETCH NEXT ? ROWS ONLY",
                PersonRepository::summary,
                args.toArray());
    }

    /** How many persons {@link #page} pages over. */
    public long count(boolean includeHidden, String query) {
        List<Object> args = new ArrayList<>(List.of(false, includeHidden, true));
        String where = "WHERE (p.\"IsHidden\" = ? OR ? = ?)";
        if (query != null && !query.isBlank()) {
            where += " AND LOWER(p.\"Name\") LIKE ? ESCAPE '!'";
            args.add("%" + likeEscaped(query.strip().toLowerCase(Locale.ROOT)) + "%");
        }
        Long n = jdbc.queryForObject("SELECT COUNT(*) FROM \"Persons\" p " + where, Long.class, args.toArray());
        return n == null ? 0 : n;
    }

    private static String likeEscaped(String s) {
        return s.replace("!", "!!").replace("%", "!%").replace("_", "!_").replace("[", "![");
    }

    /** The summaries of these persons (those that exist). */
    public Map<Long, PersonSummary> summaries(Collection<Long> ids) {
        Map<Long, PersonSummary> out = new HashMap<>();
        Chunks.query(jdbc, SUMMARY + "WHERE p.\"Id\" IN ", List.of(), ids, rs -> {
            PersonSummary s = summary(rs, 0);
            out.put(s.id(), s);
        });
        return out;
    }

    public Optional<PersonSummary> summary(PersonId id) {
        return jdbc.query(SUMMARY + "WHERE p.\"Id\" = ?", PersonRepository::summary, id.value()).stream()
                .findFirst();
    }

    /** A user's name for the person; named persons are never changed by clustering. Blank clears it. */
    public int rename(PersonId id, String name, Instant now) {
        return jdbc.update(
                "UPDATE \"Persons\" SET \"Name\" = ?, \"ModifiedAt\" = ? WHERE \"Id\" = ?",
                name == null || name.isBlank() ? null : name.strip(),
                time.of(now),
                id.value());
    }

    public int setHidden(PersonId id, boolean hidden, Instant now) {
        return jdbc.update(
                "UPDATE \"Persons\" SET \"IsHidden\" = ?, \"ModifiedAt\" = ? WHERE \"Id\" = ?",
                hidden,
                time.of(now),
                id.value());
    }

    public boolean exists(PersonId id) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM \"Persons\" WHERE \"Id\" = ?", Integer.class, id.value()) > 0;
    }

    /** Deletes a person that no face points to any more (after a merge), whether named or not. */
    public void deleteIfEmpty(PersonId id) {
        jdbc.update(
                "DELETE FROM \"FaceRejections\" WHERE \"PersonId\" = ? AND NOT EXISTS "
                        + "(SELECT 1 FROM \"Faces\" f WHERE f.\"PersonId\" = ?)",
                id.value(),
                id.value());
        jdbc.update(
                "DELETE FROM \"Persons\" WHERE \"Id\" = ? AND NOT EXISTS "
                        + "(SELECT 1 FROM \"Faces\" f WHERE f.\"PersonId\" = ?)",
                id.value(),
                id.value());
    }

    /**
     * A new person, as the origin created them: {@code Name = 'Unknown-<id>'} (unless automatic names are off),
     * {@code Rank} and {@code Appointment} NULL, {@code Type = 0}, local {@code CreatedAt}/{@code ModifiedAt}.
     */
    public PersonId create(Instant now) {
        return PersonId.of(createAll(1, now).get(0));
    }

    private long insert(LocalDateTime created) {
        KeyHolder keys = new GeneratedKeyHolder();
        jdbc.update(
                con -> {
                    PreparedStatement ps = con.prepareStatement(
                            "INSERT INTO \"Persons\" (\"CreatedAt\", \"ModifiedAt\", "
                                    + "\"IsHidden\", \"Type\") VALUES (?, ?, ?, ?)",
                            new String[] {"Id"});
                    ps.setObject(1, created);
                    ps.setObject(2, created);
                    ps.setBoolean(3, false);
                    ps.setInt(4, 0);
                    return ps;
                },
                keys);
        return keys.getKey().longValue();
    }

    private static final Logger log = LoggerFactory.getLogger("io.facerec.clusterer.persons");

    /** Sets many portraits at once: person id to {media file id, face id}. */
    public void setPortraits(Map<Long, long[]> portraits, Instant now) {
        List<Map.Entry<Long, long[]>> rows = new ArrayList<>(portraits.entrySet());
        jdbc.batchUpdate(
                "UPDATE \"Persons\" SET \"PortraitMediaFileId\" = ?, \"PortraitFaceId\" = ?, \"ModifiedAt\" = ? "
                        + "WHERE \"Id\" = ?",
                rows,
                500,
                (ps, e) -> {
                    ps.setLong(1, e.getValue()[0]);
                    ps.setLong(2, e.getValue()[1]);
                    ps.setObject(3, time.of(now));
                    ps.setLong(4, e.getKey());
                });
    }

    /**
     * Creates {@code n} persons; their ids in creation order. One insert each (the generated id of a batched insert
     * is not portable to SQL Server's driver), the automatic names in one batch.
     */
    public List<Long> createAll(int n, Instant now) {
        LocalDateTime created = time.of(now);
        List<Long> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(insert(created));
        }
        if (automaticNames && !ids.isEmpty()) {
            jdbc.batchUpdate("UPDATE \"Persons\" SET \"Name\" = ? WHERE \"Id\" = ?", ids, 500, (ps, id) -> {
                ps.setString(1, automaticName(PersonId.of(id)));
                ps.setLong(2, id);
            });
        }
        for (Long id : ids) {
            log.info("created person {}", PersonId.of(id));
        }
        return ids;
    }

    /** Adds to (or, negative, takes from) the persons' face counts and marks them modified. */
    public void addFaceCounts(Map<Long, Integer> deltas, Instant now) {
        List<Map.Entry<Long, Integer>> rows = new ArrayList<>(deltas.entrySet());
        jdbc.batchUpdate(
                "UPDATE \"Persons\" SET \"FaceCount\" = \"FaceCount\" + ?, \"ModifiedAt\" = ? WHERE \"Id\" = ?",
                rows,
                500,
                (ps, e) -> {
                    ps.setInt(1, e.getValue());
                    ps.setObject(2, time.of(now));
                    ps.setLong(3, e.getKey());
                });
    }

    /** Sets the face counts of these persons from their faces. */
    public void recountFaces(Collection<Long> persons) {
        Chunks.update(
                jdbc,
                "UPDATE \"Persons\" SET \"FaceCount\" = (SELECT COUNT(*) FROM \"Faces\" f WHERE "
                        + "f.\"PersonId\" = \"Persons\".\"Id\") WHERE \"Id\" IN ",
                List.of(),
                persons);
    }

    /** Sets every person's face count from its faces (after a recluster). */
    public void recountAllFaces() {
        jdbc.update("UPDATE \"Persons\" SET \"FaceCount\" = (SELECT COUNT(*) FROM \"Faces\" f WHERE "
                + "f.\"PersonId\" = \"Persons\".\"Id\")");
    }

    public void touch(PersonId id, Instant now) {
        jdbc.update("UPDATE \"Persons\" SET \"ModifiedAt\" = ? WHERE \"Id\" = ?", time.of(now), id.value());
    }

    /** A person's current portrait: the face and its media file (either may be null). */
    public record Portrait(Long faceId, Long mediaFileId) {}

    public Portrait portrait(PersonId id) {
        return jdbc.query(
                "SELECT \"PortraitFaceId\", \"PortraitMediaFileId\" FROM \"Persons\" WHERE \"Id\" = ?",
                rs -> {
                    if (!rs.next()) {
                        return new Portrait(null, null);
                    }
                    long f = rs.getLong(1);
                    Long face = rs.wasNull() ? null : f;
                    long m = rs.getLong(2);
                    return new Portrait(face, rs.wasNull() ? null : m);
                },
                id.value());
    }

    /** The current portraits of these persons (persons that do not exist are left out). */
    public Map<Long, Portrait> portraits(Collection<Long> persons) {
        Map<Long, Portrait> out = new HashMap<>();
        Chunks.query(
                jdbc,
                "SELECT \"Id\", \"PortraitFaceId\", \"PortraitMediaFileId\" FROM \"Persons\" WHERE \"Id\" IN ",
                List.of(),
                persons,
                rs -> {
                    long f = rs.getLong(2);
                    Long face = rs.wasNull() ? null : f;
                    long m = rs.getLong(3);
                    out.put(rs.getLong(1), new Portrait(face, rs.wasNull() ? null : m));
                });
        return out;
    }

    public List<Person> findAll() {
        return jdbc.query(
                "SELECT \"Id\", \"Name\", \"IsHidden\" FROM \"Persons\" ORDER BY \"Id\"",
                (rs, i) -> new Person(PersonId.of(rs.getLong(1)), rs.getString(2), rs.getBoolean(3)));
    }

    /**
     * Deletes the persons facerec created automatically that no face (and no rejection) points to any more: those
     * without a name or named {@code Unknown-<their own id>}. A user's names and the origin's persons (its
     * {@code Unknown-<n>} numbers a run's clusters from 0, never the person's own id) are kept, even when empty.
     */
    public int deleteEmpty() {
        List<long[]> empty = new ArrayList<>();
        jdbc.query(
                "SELECT \"Id\", \"Name\" FROM \"Persons\" p WHERE (\"Name\" IS NULL OR \"Name\" LIKE 'Unknown-%') "
                        + "AND NOT EXISTS (SELECT 1 FROM \"Faces\" f WHERE f.\"PersonId\" = p.\"Id\") AND NOT EXISTS "
                        + "(SELECT 1 FROM \"FaceRejections\" r WHERE r.\"PersonId\" = p.\"Id\")",
                rs -> {
                    long id = rs.getLong(1);
                    String name = rs.getString(2);
                    if (name == null || name.equals(automaticName(PersonId.of(id)))) {
                        empty.add(new long[] {id});
                    }
                });
        if (empty.isEmpty()) {
            return 0;
        }
        return Arrays.stream(jdbc.batchUpdate(
                        "DELETE FROM \"Persons\" WHERE \"Id\" = ? AND NOT EXISTS "
                                + "(SELECT 1 FROM \"Faces\" f WHERE f.\"PersonId\" = ?)",
                        empty.stream().map(e -> new Object[] {e[0], e[0]}).toList()))
                .map(n -> n < 0 ? 1 : n)
                .sum();
    }
}
