package io.facerec.launcher;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The plan of a dry run: the difference between the database before a mode's work and after it, read inside the
 * transaction that is then rolled back. Printed one line per change (what would be detected, completed, embedded,
 * assigned, created, left unassigned, what would fail), then a summary.
 */
final class DryRunPlan {
    /** Lines printed per kind of change before "... and N more". */
    static final int MAX_LINES = 2000;

    private DryRunPlan() {}

    record FaceState(
            long item,
            Long person,
            boolean embedded,
            String model,
            boolean landmarks,
            boolean clustered,
            String name,
            String box,
            String thumbnail,
            boolean originEmbedding) {}

    record ItemState(String path, boolean extracted, String status, int attempts, String errorKind, String lastError) {}

    record PersonState(String name, Long portraitFace) {}

    /** The rows a plan compares (no embeddings). */
    record Snapshot(Map<Long, FaceState> faces, Map<Long, ItemState> items, Map<Long, PersonState> persons) {
        static Snapshot take(JdbcTemplate jdbc) {
            Map<Long, FaceState> faces = new TreeMap<>();
            jdbc.query(
                    "SELECT \"Id\", \"MediaItemId\", \"PersonId\", CASE WHEN \"Embedding\" IS NULL THEN 0 ELSE 1 END, "
                            + "\"EmbeddingModel\", \"Landmarks\", CASE WHEN \"ClusteredAt\" IS NULL THEN 0 ELSE 1 END, \"Name\", "
                            + "\"BoundingBox\", \"ThumbnailPath\", CASE WHEN \"OriginEmbedding\" IS NULL THEN 0 ELSE 1 END "
                            + "FROM \"Faces\"",
                    rs -> {
                        long p = rs.getLong(3);
                        Long person = rs.wasNull() ? null : p;
                        String lm = rs.getString(6);
                        boolean landmarks = lm != null
                                && !lm.replace("[", "").replace("]", "").isBlank();
                        faces.put(
                                rs.getLong(1),
                                new FaceState(
                                        rs.getLong(2),
                                        person,
                                        rs.getInt(4) == 1,
                                        rs.getString(5),
                                        landmarks,
                                        rs.getInt(7) == 1,
                                        rs.getString(8),
                                        rs.getString(9),
                                        rs.getString(10),
                                        rs.getInt(11) == 1));
                    });
            Map<Long, ItemState> items = new TreeMap<>();
            jdbc.query(
                    "SELECT m.\"Id\", mf.\"FilePath\", m.\"IsFacesExtracted\", m.\"Status\", m.\"Attempts\", "
                            + "m.\"ErrorKind\", m.\"LastError\" FROM \"MediaItems\" m JOIN \"MediaFile\" mf ON mf.\"Id\" = m.\"MediaFileId\"",
                    rs -> {
                        items.put(
                                rs.getLong(1),
                                new ItemState(
                                        rs.getString(2),
                                        rs.getBoolean(3),
                                        rs.getString(4),
                                        rs.getInt(5),
                                        rs.getString(6),
                                        rs.getString(7)));
                    });
            Map<Long, PersonState> persons = new TreeMap<>();
            jdbc.query("SELECT \"Id\", \"Name\", \"PortraitFaceId\" FROM \"Persons\"", rs -> {
                long f = rs.getLong(3);
                persons.put(rs.getLong(1), new PersonState(rs.getString(2), rs.wasNull() ? null : f));
            });
            return new Snapshot(faces, items, persons);
        }
    }

    /** Prints what changed from {@code before} to {@code after}. */
    static void print(String mode, Snapshot before, Snapshot after, int maxAttempts, PrintStream out) {
        List<String> repair = new ArrayList<>();
        List<String> detect = new ArrayList<>();
        List<String> fail = new ArrayList<>();
        List<String> complete = new ArrayList<>();
        List<String> embed = new ArrayList<>();
        List<String> adopt = new ArrayList<>();
        List<String> assign = new ArrayList<>();
        List<String> unassigned = new ArrayList<>();
        List<String> create = new ArrayList<>();
        List<String> remove = new ArrayList<>();
        List<String> portraits = new ArrayList<>();
        Map<Long, List<Long>> newFacesByItem = new LinkedHashMap<>();
        int newFaces = 0;
        for (var e : after.faces().entrySet()) {
            if (!before.faces().containsKey(e.getKey())) {
                newFacesByItem
                        .computeIfAbsent(e.getValue().item(), k -> new ArrayList<>())
                        .add(e.getKey());
                newFaces++;
            }
        }
        Set<Long> itemsWithFaces = new HashSet<>();
        before.faces().values().forEach(f -> itemsWithFaces.add(f.item()));
        int itemsDetected = 0;
        for (var e : after.items().entrySet()) {
            ItemState was = before.items().get(e.getKey());
            ItemState now = e.getValue();
            if (was == null) {
                continue;
            }
            boolean hadFaces = itemsWithFaces.contains(e.getKey());
            boolean repaired =
                    was.extracted() && !hadFaces && (!now.extracted() || newFacesByItem.containsKey(e.getKey()));
            if (repaired) {
                repair.add("repair: media item " + e.getKey() + " (" + now.path() + ") is marked extracted without "
                        + "faces: detected again");
            }
            if ((!was.extracted() || repaired) && now.extracted()) {
                itemsDetected++;
                List<Long> ids = newFacesByItem.getOrDefault(e.getKey(), List.of());
                List<String> names = new ArrayList<>();
                for (Long id : ids) {
                    FaceState f = after.faces().get(id);
                    names.add("face " + id + " " + (f.name() == null ? "(no thumbnail)" : f.name()) + " " + f.box());
                }
                detect.add("detect: media item " + e.getKey() + " (" + now.path() + "): " + ids.size() + " face(s)"
                        + (names.isEmpty() ? "" : ": " + String.join(", ", names)));
            }
            if (now.attempts() > was.attempts() && "FAILED".equals(now.status())) {
                fail.add("fail: media item " + e.getKey() + " (" + now.path() + "): " + now.errorKind() + ": "
                        + now.lastError() + " (attempt " + now.attempts() + " of " + maxAttempts + ")");
            }
        }
        int embedded = 0;
        int assigned = 0;
        int left = 0;
        for (var e : after.faces().entrySet()) {
            FaceState now = e.getValue();
            FaceState was = before.faces().get(e.getKey());
            boolean isNew = was == null;
            if (!isNew && now.thumbnail() != null && !now.thumbnail().equals(was.thumbnail())) {
                repair.add("thumbnail: face " + e.getKey() + " -> " + now.thumbnail());
            }
            if (!isNew && !was.landmarks() && now.landmarks()) {
                complete.add("complete: face " + e.getKey() + " (media item " + now.item()
                        + ", the origin's): landmarks found");
            }
            boolean embeddedNow = now.embedded() && now.model() != null;
            boolean embeddedBefore = !isNew && was.embedded() && was.model() != null;
            if (embeddedNow && !embeddedBefore) {
                if (!isNew && was.embedded() && !now.originEmbedding()) {
                    adopt.add("adopt: face " + e.getKey() + ": the origin's embedding is taken as " + now.model());
                } else {
                    embedded++;
                    embed.add("embed: face " + e.getKey() + " (media item " + now.item() + ")"
                            + (!isNew && was.embedded()
                                    ? " again: its origin embedding is kept in OriginEmbedding"
                                    : ""));
                }
            }
            Long old = isNew ? null : was.person();
            if (!Objects.equals(old, now.person())) {
                if (now.person() != null) {
                    assigned++;
                    PersonState p = after.persons().get(now.person());
                    assign.add("assign: face " + e.getKey() + " -> person " + now.person()
                            + (p == null || p.name() == null ? "" : " (" + p.name() + ")")
                            + (before.persons().containsKey(now.person()) ? "" : " [new]")
                            + (old == null ? "" : ", from person " + old));
                } else {
                    left++;
                    unassigned.add("unassign: face " + e.getKey() + " leaves person " + old);
                }
            } else if (now.person() == null && now.clustered() && (isNew || !was.clustered())) {
                left++;
                unassigned.add("leave unassigned: face " + e.getKey() + " (media item " + now.item() + ")");
            }
        }
        for (var e : after.persons().entrySet()) {
            if (!before.persons().containsKey(e.getKey())) {
                long n = after.faces().values().stream()
                        .filter(f -> e.getKey().equals(f.person()))
                        .count();
                create.add("create: person " + e.getKey() + " (" + e.getValue().name() + ") with " + n + " face(s)");
            }
            PersonState was = before.persons().get(e.getKey());
            if (!Objects.equals(
                            was == null ? null : was.portraitFace(),
                            e.getValue().portraitFace())
                    && e.getValue().portraitFace() != null) {
                portraits.add("portrait: person " + e.getKey() + " -> face "
                        + e.getValue().portraitFace());
            }
        }
        for (var e : before.persons().entrySet()) {
            if (!after.persons().containsKey(e.getKey())) {
                remove.add("remove: person " + e.getKey() + " (" + e.getValue().name() + "), no face left");
            }
        }
        int replaced = 0;
        for (Long id : before.faces().keySet()) {
            if (!after.faces().containsKey(id)) {
                replaced++;
            }
        }
        out.println("dry run (" + mode + "): nothing was written; the plan:");
        for (List<String> lines :
                List.of(repair, detect, fail, complete, adopt, embed, assign, create, unassigned, remove, portraits)) {
            for (int i = 0; i < Math.min(lines.size(), MAX_LINES); i++) {
                out.println("  " + lines.get(i));
            }
            if (lines.size() > MAX_LINES) {
                out.println("  ... and " + (lines.size() - MAX_LINES) + " more");
            }
        }
        out.printf(
                "dry run (%s): %d media item(s) detected with %d new face(s)%s, %d failed; %d origin face(s) "
                        + "completed, %d origin embedding(s) adopted; %d face(s) embedded; %d assigned (%d new person(s)), %d left "
                        + "unassigned, %d person(s) removed; %d portrait(s) set%n",
                mode,
                itemsDetected,
                newFaces,
                replaced > 0 ? " (replacing " + replaced + ")" : "",
                fail.size(),
                complete.size(),
                adopt.size(),
                embedded,
                assigned,
                create.size(),
                left,
                remove.size(),
                portraits.size());
    }
}
