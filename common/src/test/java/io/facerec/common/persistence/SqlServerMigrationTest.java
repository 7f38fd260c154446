package io.facerec.common.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.common.testing.OriginFixture;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The SQL Server migrations checked as far as a machine without SQL Server allows: statement by statement, as text,
 * against the origin's tables ({@code db/origin/sqlserver/origin_database.sql}). Every column the adoption adds is
 * added on its own and only when missing, with NULL or a default (so the origin's own INSERTs, copied from its code,
 * still work); nothing drops or rewrites an origin column; the adopted schema has exactly the columns, with the same
 * kinds of types, that the PostgreSQL adoption (run for real here) gives; and V1/V2, should they run after the
 * adoption (a database an earlier release baselined at 0), find every guard false. What this cannot check: that SQL
 * Server parses and runs the scripts (see README, "Moving from the Python system").
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SqlServerMigrationTest {
    static final String DIR = "db/migration/sqlserver/";
    static final Pattern CREATE_TABLE = Pattern.compile("CREATE TABLE dbo\\.(\\w+) \\((.*?)\\n\\);", Pattern.DOTALL);
    static final Pattern ADD = Pattern.compile("ALTER TABLE dbo\\.(\\w+) ADD (?!CONSTRAINT)(\\w+)([^;\\n]*)");

    EmbeddedPostgres pg;
    /** The origin's tables: table -> column -> SQL Server definition. */
    Map<String, Map<String, String>> origin;

    @BeforeAll
    void start() throws IOException {
        pg = EmbeddedPostgres.builder().start();
        origin = tables(read(OriginFixture.SQLSERVER));
    }

    @AfterAll
    void stop() throws IOException {
        pg.close();
    }

    static String read(String resource) throws IOException {
        return new String(new ClassPathResource(resource).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** The text of a script with the statements inside {@code EXEC(N'...')} unquoted, comments dropped. */
    static String statements(String script) {
        return script.replaceAll("(?m)^\\s*--.*$", "").replace("''", "'");
    }

    static Map<String, Map<String, String>> tables(String script) {
        Map<String, Map<String, String>> t = new TreeMap<>();
        Matcher m = CREATE_TABLE.matcher(script);
        while (m.find()) {
            Map<String, String> cols = new LinkedHashMap<>();
            for (String line : m.group(2).split(",\\s*\\n")) {
                String l = line.strip();
                if (l.startsWith("CONSTRAINT") || l.isEmpty()) {
                    continue;
                }
                int sp = l.indexOf(' ');
                cols.put(l.substring(0, sp), l.substring(sp + 1));
            }
            t.put(m.group(1), cols);
        }
        return t;
    }

    /** The adoption's scripts, in the order Flyway runs them on an origin database (baselined at 2). */
    List<String> adoption() throws IOException {
        return List.of(
                read(DIR + "beforeMigrate__adopt_origin.sql"),
                read(DIR + "V3__library_scale.sql"),
                read(DIR + "V4__origin_conventions.sql"));
    }

    /** The guard right before a statement: the text of the nearest preceding IF up to the statement. */
    static String guard(String text, int at) {
        int i = text.lastIndexOf("\nIF ", at);
        int j = text.lastIndexOf("\n    IF ", at);
        return text.substring(Math.max(i, j), at);
    }

    @Test
    void everyColumnIsAddedOnItsOwnOnlyWhenMissingAndCanBeLeftOutByTheOrigin() throws IOException {
        int adds = 0;
        for (String script : adoption()) {
            String s = statements(script);
            Matcher m = ADD.matcher(s);
            while (m.find()) {
                adds++;
                String table = m.group(1);
                String column = m.group(2);
                String def = m.group(3);
                assertThat(guard(s, m.start()))
                        .as("ADD %s.%s", table, column)
                        .contains("COL_LENGTH(N'dbo." + table + "', N'" + column + "') IS NULL");
                assertThat(def).as("one column per ALTER: %s.%s", table, column).doesNotContain(",");
                assertThat(def.contains("NOT NULL") ? def.contains("DEFAULT") : def.contains("NULL"))
                        .as("%s.%s is nullable or has a default: %s", table, column, def)
                        .isTrue();
                if (origin.containsKey(table) && script.contains("beforeMigrate")) {
                    assertThat(guard(s, m.start())).contains("OBJECT_ID(N'dbo." + table + "', N'U') IS NOT NULL");
                }
            }
        }
        assertThat(adds).isGreaterThanOrEqualTo(20);
    }

    @Test
    void nothingTheOriginWroteIsDroppedOrRewritten() throws IOException {
        for (String script : adoption()) {
            String s = statements(script);
            assertThat(s)
                    .doesNotContainPattern("(?i)DROP\\s+(TABLE|COLUMN|INDEX|CONSTRAINT|PROCEDURE)")
                    .doesNotContainPattern("(?i)\\bDELETE\\s+FROM\\b")
                    .doesNotContainPattern("(?i)TRUNCATE");
            Matcher alter = Pattern.compile("ALTER TABLE dbo\\.(\\w+) ALTER COLUMN (\\w+)")
                    .matcher(s);
            while (alter.find()) {
                // V1 made Rank an integer on databases facerec created; the origin's is NVARCHAR(50): only an integer
                // Rank is turned into text
                assertThat(alter.group(1) + "." + alter.group(2)).isEqualTo("Persons.Rank");
                assertThat(guard(s, alter.start())).contains("TYPE_NAME(system_type_id) IN (N'int'");
                assertThat(origin.get("Persons").get("Rank")).startsWith("NVARCHAR");
            }
            // UPDATEs only write facerec's own columns
            Matcher update =
                    Pattern.compile("UPDATE (?:dbo\\.(\\w+)|n) SET (\\w+) =").matcher(s);
            while (update.find()) {
                String table = update.group(1) == null ? "Faces" : update.group(1);
                assertThat(origin.get(table))
                        .as("UPDATE %s SET %s", table, update.group(2))
                        .doesNotContainKey(update.group(2));
            }
        }
        String callback = statements(read(DIR + "beforeMigrate__adopt_origin.sql"));
        // existing faces are numbered per item before the unique index, and the index leaves the origin's rows
        // (no FrameNumber) out, so its code, which inserts every face with FaceIndex 0, can still write after a way
        // back
        int numbering = callback.indexOf("ROW_NUMBER() OVER (PARTITION BY MediaItemId, FrameNumber ORDER BY Id)");
        int index = callback.indexOf("CREATE UNIQUE INDEX UQ_Faces_Item_Frame_Index");
        assertThat(numbering).isPositive().isLessThan(index);
        assertThat(callback.substring(index))
                .startsWith(
                        "CREATE UNIQUE INDEX UQ_Faces_Item_Frame_Index ON dbo.Faces (MediaItemId, FrameNumber, FaceIndex) WHERE FrameNumber IS NOT NULL");
        // columns that reference the origin's INT ids take their type
        assertThat(callback)
                .contains("ADD PortraitFaceId ' + @faceIdType")
                .contains("FaceId ' + @faceIdType + N' NOT NULL")
                .contains("PersonId ' + @personIdType + N' NOT NULL");
        // a database facerec created (its history holds V1) is left alone
        assertThat(callback).contains("WHERE version = N'1' AND success = 1) SET @a = 0");
    }

    /** The columns of the tables after the SQL Server adoption, simulated on the origin's column set. */
    Map<String, Map<String, String>> adopted() throws IOException {
        Map<String, Map<String, String>> t = new TreeMap<>();
        origin.forEach((k, v) -> t.put(k, new LinkedHashMap<>(v)));
        for (String script : adoption()) {
            String s = statements(script);
            Matcher m = ADD.matcher(s);
            while (m.find()) {
                String def = m.group(3).strip();
                if (def.startsWith("' + @faceIdType")) {
                    def = origin.get("Faces").get("Id").split(" ")[0] + " NULL";
                }
                t.get(m.group(1)).putIfAbsent(m.group(2), def);
            }
            Matcher create = Pattern.compile("CREATE TABLE dbo\\.(\\w+) \\('\\s*\\+ N'(.*?)'\\)", Pattern.DOTALL)
                    .matcher(s);
            while (create.find()) {
                Map<String, String> cols = new LinkedHashMap<>();
                for (String part : create.group(2).split("'\\s*\\+\\s*N'")) {
                    String p = part.strip();
                    if (p.startsWith("PRIMARY KEY") || p.isEmpty()) {
                        continue;
                    }
                    String[] w = p.split(" ", 2);
                    String type = w[1].startsWith("' + @faceIdType")
                            ? origin.get("Faces").get("Id").split(" ")[0]
                            : w[1].startsWith("' + @personIdType")
                                    ? origin.get("Persons").get("Id").split(" ")[0]
                                    : w[1];
                    cols.put(w[0], type);
                }
                t.put(create.group(1), cols);
            }
        }
        return t;
    }

    @Test
    void theOriginsOwnInsertsStillWork() throws IOException {
        Map<String, Map<String, String>> t = adopted();
        // the column lists of the origin's INSERTs (detect_faces.update_database, recognize_persons.assign_clusters,
        // dbo.UpsertFace, dbo.UpsertPerson, sql/aditionals.sql): every other column must be nullable or have a default
        Map<String, List<Set<String>>> inserts = Map.of(
                "Faces",
                        List.of(
                                Set.of("MediaItemId", "BoundingBox", "Name", "CreatedAt", "IsUserVerified"),
                                Set.of(
                                        "MediaItemId",
                                        "PersonId",
                                        "BoundingBox",
                                        "Name",
                                        "Embedding",
                                        "CreatedAt",
                                        "ModifiedAt")),
                "Persons",
                        List.of(
                                Set.of("Name", "Rank", "Appointment", "CreatedAt", "Type"),
                                Set.of("Name", "Rank", "Appointment", "CreatedAt")),
                "MediaItems", List.of(Set.of("MediaFileId", "Name", "IsFacesExtracted", "FacesExtractedOn")),
                "MediaFile", List.of(Set.of("FilePath", "FileName", "Extensions", "CreatedAt", "ModifiedAt")));
        inserts.forEach((table, lists) -> {
            for (Set<String> named : lists) {
                assertThat(t.get(table).keySet()).containsAll(named);
                t.get(table).forEach((col, def) -> {
                    if (!named.contains(col)) {
                        boolean fillable =
                                def.contains("IDENTITY") || def.contains("DEFAULT") || !def.contains("NOT NULL");
                        assertThat(fillable)
                                .as("INSERT INTO %s %s leaves out %s %s", table, named, col, def)
                                .isTrue();
                    }
                });
            }
        });
    }

    static String family(String type) {
        String t = type.toLowerCase(Locale.ROOT);
        if (t.startsWith("int") || t.startsWith("bigint") || t.startsWith("smallint") || t.startsWith("integer")) {
            return "integer";
        }
        if (t.startsWith("nvarchar") || t.startsWith("varchar") || t.startsWith("text") || t.startsWith("character")) {
            return "text";
        }
        if (t.startsWith("bit") || t.startsWith("boolean")) {
            return "boolean";
        }
        if (t.startsWith("datetime") || t.startsWith("timestamp")) {
            return "timestamp";
        }
        if (t.startsWith("real") || t.startsWith("float") || t.startsWith("double")) {
            return "real";
        }
        if (t.startsWith("varbinary") || t.startsWith("bytea")) {
            return "bytes";
        }
        throw new IllegalArgumentException("unknown type " + type);
    }

    @Test
    void bothDialectsAdoptTheOriginIntoTheSameColumns() throws IOException {
        new JdbcTemplate(pg.getPostgresDatabase()).execute("CREATE DATABASE origin");
        DataSource ds = pg.getDatabase("postgres", "origin");
        OriginFixture.load(ds);
        OriginFixture.flyway(ds).migrate();
        Map<String, String> postgres = new TreeMap<>();
        new JdbcTemplate(ds)
                .query(
                        "SELECT table_name, column_name, data_type FROM information_schema.columns "
                                + "WHERE table_schema = 'public' AND table_name <> 'flyway_schema_history'",
                        rs -> {
                            postgres.put(rs.getString(1) + "." + rs.getString(2), family(rs.getString(3)));
                        });
        Map<String, String> sqlserver = new TreeMap<>();
        adopted().forEach((table, cols) -> cols.forEach((c, def) -> sqlserver.put(table + "." + c, family(def))));
        assertThat(sqlserver).isEqualTo(postgres);
        // the origin's columns all kept, with their types
        Map<String, Map<String, String>> t = adopted();
        origin.forEach((table, cols) ->
                cols.forEach((c, def) -> assertThat(t.get(table).get(c)).isEqualTo(def)));
    }

    @Test
    void v1AndV2FindEveryGuardFalseOnAnAdoptedDatabase() throws IOException {
        Map<String, Map<String, String>> t = adopted();
        Set<String> indexes = new TreeSet<>(List.of("UQ_Faces_Item_Frame_Index"));
        for (String v : List.of("V1__schema.sql", "V2__face_sharpness.sql")) {
            String s = statements(read(DIR + v));
            List<String> batches = new ArrayList<>(List.of(s.split("(?m)^GO\\s*$")));
            for (String batch : batches) {
                for (String stmt : batch.strip().split("\\n(?=IF )")) {
                    String st = stmt.strip();
                    if (st.isEmpty()) {
                        continue;
                    }
                    assertThat(st).as("%s: every statement is guarded", v).startsWith("IF ");
                    Matcher table = Pattern.compile("^IF OBJECT_ID\\(N'dbo\\.(\\w+)', N'U'\\) IS NULL")
                            .matcher(st);
                    Matcher column = Pattern.compile("^IF COL_LENGTH\\(N'dbo\\.(\\w+)', N'(\\w+)'\\) IS NULL")
                            .matcher(st);
                    Matcher index = Pattern.compile(
                                    "^IF NOT EXISTS \\(SELECT 1 FROM sys\\.indexes WHERE name = N'(\\w+)'\\)")
                            .matcher(st);
                    if (table.find()) {
                        assertThat(t)
                                .as("%s: %s", v, st.lines().findFirst().orElse(""))
                                .containsKey(table.group(1));
                    } else if (column.find()) {
                        assertThat(t.get(column.group(1)))
                                .as("%s: %s", v, st.lines().findFirst().orElse(""))
                                .containsKey(column.group(2));
                    } else if (index.find()) {
                        assertThat(indexes).contains(index.group(1));
                    } else {
                        throw new AssertionError(v + ": a guard this check does not know: " + st);
                    }
                }
            }
        }
    }
}
