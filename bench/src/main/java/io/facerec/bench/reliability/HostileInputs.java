package io.facerec.bench.reliability;

import static org.bytedeco.opencv.global.opencv_core.CV_16UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2BGRA;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import org.bytedeco.opencv.opencv_core.Mat;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Hostile and unusual media items for the fault suite, all generated here from one dev photo: broken files, a
 * 30000x30000 PNG header, paths that try to leave the media root (relative, absolute, a symbolic link, a very long path,
 * a NUL byte), and valid files with hostile names (quotes, SQL-looking text). A photo placed <em>outside</em> the media
 * root is the bait: if any escape worked, that item would get faces.
 */
final class HostileInputs {

    /** @param expectKind the {@code ErrorKind} the item must end with, or null when it must be detected normally */
    record Case(String label, String filePath, String fileName, String expectKind) {}

    record Verdict(long wrong, String summary, List<String> details) {}

    private final List<Case> cases;
    private final List<String> refusedByDatabase = new ArrayList<>();

    private HostileInputs(List<Case> cases) {
        this.cases = cases;
    }

    List<Case> cases() {
        return cases;
    }

    List<String> refusedByDatabase() {
        return refusedByDatabase;
    }

    static HostileInputs create(Path work, Path media, Path photo) throws Exception {
        Path outside = work.resolve("outside");
        Files.createDirectories(outside);
        Path bait = Files.copy(photo, outside.resolve("secret.jpg"));
        Path bad = media.resolve("bad");
        Files.createDirectories(bad);
        byte[] jpeg = Files.readAllBytes(photo);
        List<Case> c = new ArrayList<>();
        Files.write(bad.resolve("empty.jpg"), new byte[0]);
        c.add(new Case("zero-byte file", "bad/empty.jpg", "empty.jpg", "EMPTY_FILE"));
        Files.write(bad.resolve("truncated.jpg"), Arrays.copyOf(jpeg, 200));
        c.add(new Case("truncated JPEG (header only)", "bad/truncated.jpg", "truncated.jpg", "NOT_AN_IMAGE"));
        Files.writeString(bad.resolve("notes.jpg"), "a text file, not a photo\n");
        c.add(new Case("text file named .jpg", "bad/notes.jpg", "notes.jpg", "NOT_AN_IMAGE"));
        Files.writeString(bad.resolve("doc.png"), "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");
        c.add(new Case("PDF named .png (unsupported)", "bad/doc.png", "doc.png", "NOT_AN_IMAGE"));
        Files.write(bad.resolve("huge.png"), pngHeader(30000, 30000));
        c.add(new Case("30000x30000 PNG header", "bad/huge.png", "huge.png", "TOO_MANY_PIXELS"));
        c.add(new Case("missing file", "bad/not-there.jpg", "not-there.jpg", "FILE_MISSING"));
        c.add(new Case("../ out of the root", "../outside/secret.jpg", "secret.jpg", "PATH_OUTSIDE_ROOT"));
        c.add(new Case("../../etc/passwd", "../../etc/passwd", "passwd", "PATH_OUTSIDE_ROOT"));
        c.add(new Case("absolute path elsewhere", bait.toAbsolutePath().toString(), "secret.jpg", "PATH_OUTSIDE_ROOT"));
        c.add(new Case("absolute /etc/passwd", "/etc/passwd", "passwd", "PATH_OUTSIDE_ROOT"));
        Files.createSymbolicLink(bad.resolve("link.jpg"), bait);
        c.add(new Case("symbolic link out of the root", "bad/link.jpg", "link.jpg", "PATH_OUTSIDE_ROOT"));
        String longPath = "bad/" + "d".repeat(250) + "/" + "x".repeat(5000) + ".jpg";
        c.add(new Case("5,000-character path", longPath, "x.jpg", "*"));
        c.add(new Case("NUL byte in the path", "bad/a\0b.jpg", "a\0b.jpg", "INVALID_PATH"));
        // valid images with hostile names or unusual formats: detected like any photo
        String quoted = "O'Brien \"Bob\"; DROP TABLE \"Faces\";--.jpg";
        Files.write(media.resolve(quoted), jpeg);
        c.add(new Case("name with quotes and SQL", quoted, quoted, null));
        String unicode = "Ünïcødé 照片 😀.jpg";
        Files.write(media.resolve(unicode), jpeg);
        c.add(new Case("unicode name", unicode, unicode, null));
        try (Mat src = imread(photo.toString(), IMREAD_COLOR);
                Mat gray = new Mat();
                Mat bgra = new Mat();
                Mat deep = new Mat()) {
            cvtColor(src, gray, COLOR_BGR2GRAY);
            imwrite(media.resolve("gray.jpg").toString(), gray);
            c.add(new Case("grayscale JPEG", "gray.jpg", "gray.jpg", null));
            cvtColor(src, bgra, COLOR_BGR2BGRA);
            imwrite(media.resolve("alpha.png").toString(), bgra);
            c.add(new Case("PNG with alpha", "alpha.png", "alpha.png", null));
            src.convertTo(deep, CV_16UC3, 257, 0);
            imwrite(media.resolve("deep.png").toString(), deep);
            c.add(new Case("16-bit PNG", "deep.png", "deep.png", null));
        }
        return new HostileInputs(c);
    }

    /** Inserts one MediaFile + MediaItems row per case (statements with parameters only); item id to case. */
    Map<Long, Case> insert(JdbcTemplate jdbc) {
        Map<Long, Case> out = new LinkedHashMap<>();
        for (Case c : cases) {
            try {
                long file = jdbc.queryForObject(
                        "INSERT INTO \"MediaFile\" (\"FilePath\", \"FileName\", \"Extensions\") "
                                + "VALUES (?, ?, ?) RETURNING \"Id\"",
                        Long.class,
                        c.filePath(),
                        c.fileName(),
                        ".jpg");
                long item = jdbc.queryForObject(
                        "INSERT INTO \"MediaItems\" (\"MediaFileId\", \"Name\") VALUES (?, ?) " + "RETURNING \"Id\"",
                        Long.class,
                        file,
                        c.fileName());
                out.put(item, c);
            } catch (RuntimeException e) {
                refusedByDatabase.add(c.label()); // e.g. PostgreSQL text cannot hold a NUL byte
            }
        }
        return out;
    }

    Verdict verify(JdbcTemplate jdbc, Map<Long, Case> byItem, Path thumbs) throws Exception {
        long wrong = 0;
        int refused = 0;
        int detected = 0;
        List<String> details = new ArrayList<>();
        for (var e : byItem.entrySet()) {
            Case c = e.getValue();
            Map<String, Object> row = jdbc.queryForMap(
                    "SELECT m.\"Status\" AS status, m.\"ErrorKind\" AS kind, "
                            + "m.\"LastError\" AS msg, m.\"Name\" AS name, f.\"FilePath\" AS path, f.\"FileName\" AS file, "
                            + "(SELECT COUNT(*) FROM \"Faces\" x WHERE x.\"MediaItemId\" = m.\"Id\") AS faces "
                            + "FROM \"MediaItems\" m JOIN \"MediaFile\" f ON f.\"Id\" = m.\"MediaFileId\" WHERE m.\"Id\" = ?",
                    e.getKey());
            String status = (String) row.get("status");
            String kind = (String) row.get("kind");
            long faces = ((Number) row.get("faces")).longValue();
            boolean ok;
            if (c.expectKind() == null) {
                ok = "DETECTED".equals(status)
                        && faces > 0
                        && c.filePath().equals(row.get("path"))
                        && c.fileName().equals(row.get("file"))
                        && c.fileName().equals(row.get("name"));
                detected += ok ? 1 : 0;
            } else {
                ok = "FAILED".equals(status)
                        && faces == 0
                        && row.get("msg") != null
                        && (c.expectKind().equals("*") || c.expectKind().equals(kind));
                refused += ok ? 1 : 0;
            }
            if (!ok) {
                wrong++;
            }
            String msg = row.get("msg") == null ? "" : (String) row.get("msg");
            details.add(String.format(
                    Locale.ROOT,
                    "%-32s %-9s %-18s faces %d %s%s",
                    c.label(),
                    status,
                    kind == null ? "" : kind,
                    faces,
                    ok ? "ok" : "WRONG (expected " + c.expectKind() + ")",
                    msg.isEmpty() ? "" : " - " + (msg.length() > 90 ? msg.substring(0, 90) + "…" : msg)));
        }
        try (var s = Files.list(thumbs)) {
            long baitThumbs = s.filter(p -> p.getFileName().toString().contains("secret")
                            || p.getFileName().toString().contains("passwd"))
                    .count();
            if (baitThumbs > 0) {
                wrong += baitThumbs;
                details.add("a thumbnail was written for a file outside the media root");
            }
        } catch (NoSuchFileException ignored) {
            // no thumbnails at all
        }
        return new Verdict(
                wrong,
                String.format(
                        Locale.ROOT,
                        "%d refused with the expected error, %d detected with names "
                                + "read back unchanged, %d wrong; nothing outside the root opened",
                        refused,
                        detected,
                        wrong),
                details);
    }

    /** A valid PNG signature + IHDR declaring the size, then IEND: no pixel data at all. */
    static byte[] pngHeader(int w, int h) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.writeBytes("IHDR");
        d.writeInt(w);
        d.writeInt(h);
        d.write(new byte[] {8, 2, 0, 0, 0});
        byte[] chunk = ihdr.toByteArray();
        out.writeInt(13);
        out.write(chunk);
        CRC32 crc = new CRC32();
        crc.update(chunk);
        out.writeInt((int) crc.getValue());
        out.writeInt(0);
        out.writeBytes("IEND");
        out.writeInt(0xAE426082);
        return bytes.toByteArray();
    }
}
