package io.facerec.launcher.infra;

import io.facerec.common.files.FilePermissions;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Zero-setup PostgreSQL: io.zonky embedded PostgreSQL with {@code wal_level=logical}, so Debezium's pgoutput capture
 * works exactly as on a real server, and closed to everyone but this account:
 * <ul>
 * <li>the superuser {@code postgres} has a random password (256 bits), kept in {@code <data dir>/postgres.password}
 * (0600) and set on every start; every connection authenticates with it ({@code scram-sha-256} in {@code pg_hba.conf},
 * no {@code trust} line); the server listens on the loopback addresses only and has no Unix socket;</li>
 * <li>a data folder from an earlier run (which trusted every local connection) is converted when it is opened: the
 * password is set in single-user mode, before the server accepts any connection, and {@code pg_hba.conf} rewritten;</li>
 * <li>the binaries are unpacked into a folder of this account only ({@code ~/.cache/facerec/embedded-pg}, 0700; the
 * data folder when that cannot be made private), never the shared {@code /tmp/embedded-pg} that another local account
 * could write into;</li>
 * <li>the data folder is 0700.</li>
 * </ul>
 * Why TCP with a password rather than a Unix socket alone: the capture (Debezium), the workers and the fault suite's
 * separate JVMs all connect through PostgreSQL's JDBC driver, which speaks TCP; a password they are handed keeps that
 * path while nobody else can connect.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
    /** The password's file in the data folder. */
    public static final String PASSWORD_FILE = "postgres.password";

    private static final String HBA_MARKER =
            "# facerec: every connection authenticates with the password (scram-sha-256)";
    /** Our own resolver instance, so zonky unpacks for us into our folder even when it has unpacked elsewhere before. */
    private static final PgBinaryResolver BINARIES =
            (system, arch) -> DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, arch);

    private final EmbeddedPostgres pg;
    private final String password;

    private EmbeddedDatabase(EmbeddedPostgres pg, String password) {
        this.pg = pg;
        this.password = password;
    }

    /** Starts on a fresh database in {@code dataDir/postgres}. */
    public static EmbeddedDatabase start(Path dataDir) throws IOException {
        return start(dataDir, true);
    }

    /** @param fresh wipe an existing database first; false reopens the one an earlier run left there */
    public static EmbeddedDatabase start(Path dataDir, boolean fresh) throws IOException {
        return start(dataDir, fresh, 0);
    }

    /** @param port fixed port (0 = any free one); a restart on the same port looks to clients like a server outage */
    public static EmbeddedDatabase start(Path dataDir, boolean fresh, int port) throws IOException {
        FilePermissions.OWNER.folder(dataDir);
        if (!fresh) {
            requireSupportedVersion(dataDir.resolve("postgres"));
        }
        String password = password(dataDir.resolve(PASSWORD_FILE));
        Path binaries = binariesFolder(dataDir);
        // zonky also creates and sweeps a folder of its own (default: /tmp/embedded-pg): point it at ours
        System.setProperty("ot.epg.working-dir", binaries.toString());
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder();
        if (port > 0) {
            b.setPort(port);
        }
        EmbeddedPostgres pg = b.setPgBinaryResolver(BINARIES)
                .setOverrideWorkingDirectory(binaries.toFile())
                .setDataDirectory(dataDir.resolve("postgres"))
                .setCleanDataDirectory(fresh)
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "8")
                .setServerConfig("max_wal_senders", "8")
                .setServerConfig("fsync", "off")
                .setServerConfig("listen_addresses", "localhost")
                .setServerConfig("unix_socket_directories", "")
                .setServerConfig("password_encryption", "scram-sha-256")
                .setConnectConfig("password", password) // zonky's own readiness check signs in too
                .setDataDirectoryCustomizer(data -> secure(data.toPath(), binaries, password))
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
        return new EmbeddedDatabase(pg, password);
    }

    /** The PostgreSQL major version of the binaries facerec runs (the zonky binaries in the parent pom). */
    public static final int POSTGRES_MAJOR = 17;

    /**
     * A data folder an earlier facerec created with another PostgreSQL major version (14 before 0.1) cannot be opened
     * by this one's server: say so, and how to move it, instead of PostgreSQL's own "incompatible" error.
     */
    static void requireSupportedVersion(Path data) throws IOException {
        Path version = data.resolve("PG_VERSION");
        if (!Files.isRegularFile(version)) {
            return;
        }
        String v = Files.readString(version, StandardCharsets.US_ASCII).strip();
        if (!v.equals(Integer.toString(POSTGRES_MAJOR))) {
            throw new IOException("the database in " + data + " was made by PostgreSQL " + v + "; this facerec runs "
                    + "PostgreSQL " + POSTGRES_MAJOR + ", which cannot open it. Upgrade it once with pg_upgrade (see "
                    + "docs/operations.md, \"Upgrading\"), or start with a new --data-dir");
        }
    }

    /** The password in the file, or a new random one written there (0600) when there is none. */
    static String password(Path file) throws IOException {
        if (Files.isRegularFile(file)) {
            FilePermissions.OWNER.file(file);
            String p = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (p.matches("[A-Za-z0-9_-]{32,}")) {
                return p;
            }
            log.warn("{} does not hold a usable password: a new one is set", file);
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String p = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Path partial =
                Files.createTempFile(file.getParent(), ".password-", ".tmp", FilePermissions.OWNER.fileAttributes());
        Files.writeString(partial, p + "\n", StandardCharsets.US_ASCII);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return p;
    }

    /**
     * Where the binaries are unpacked: {@code $XDG_CACHE_HOME/facerec/embedded-pg} (default {@code ~/.cache}) when its
     * parent can be made this account's alone (0700, owned by us), else {@code <data dir>/pg-binaries}. Either way no
     * other account can reach the folder to plant a binary that we would run.
     */
    static Path binariesFolder(Path dataDir) {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        Path base = cache.resolve("facerec");
        try {
            FilePermissions.OWNER.folder(base);
            if (FilePermissions.OWNER.satisfiedBy(base) && FilePermissions.ownedByMe(base)) {
                return FilePermissions.OWNER.folder(base.resolve("embedded-pg"));
            }
            log.warn("{} is not private to this account: the database binaries go into the data folder", base);
        } catch (IOException | UncheckedIOException | SecurityException e) {
            log.warn(
                    "cannot use {} for the database binaries ({}): they go into the data folder", base, e.getMessage());
        }
        return FilePermissions.OWNER.folder(dataDir.resolve("pg-binaries"));
    }

    /**
     * Before the server starts (after initdb for a new folder): password authentication for every connection in
     * {@code pg_hba.conf}, and the superuser's password set in single-user mode, which opens no connection at all.
     */
    private static void secure(Path data, Path binaries, String password) {
        try {
            FilePermissions.OWNER.folder(binaries); // zonky opens its working folder to everyone; ours stays private
            Path hba = data.resolve("pg_hba.conf");
            Files.writeString(
                    hba,
                    String.join(
                            "\n",
                            HBA_MARKER,
                            "# written by facerec at every start; see " + PASSWORD_FILE + " beside the postgres folder",
                            "local   all         all                   scram-sha-256",
                            "host    all         all   127.0.0.1/32    scram-sha-256",
                            "host    all         all   ::1/128         scram-sha-256",
                            "host    replication all   127.0.0.1/32    scram-sha-256",
                            "host    replication all   ::1/128         scram-sha-256",
                            ""),
                    StandardCharsets.US_ASCII);
            FilePermissions.OWNER.file(hba);
            setPassword(
                    postgresBinary(
                            binaries,
                            Files.readString(data.resolve("PG_VERSION"), StandardCharsets.US_ASCII)
                                    .strip()),
                    data,
                    password);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot secure the embedded database in " + data, e);
        }
    }

    /**
     * The {@code postgres} binary zonky unpacked into our folder for the data folder's major version (the folder is
     * shared by every facerec version of this account, so it may also hold the binaries of an earlier or later
     * PostgreSQL line): the newest complete unpacking whose {@code postgres --version} is of that major version.
     */
    static Path postgresBinary(Path binaries, String major) throws IOException {
        try (Stream<Path> dirs = Files.list(binaries)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("PG-")
                            && Files.exists(d.resolve(".exists"))
                            && Files.isExecutable(d.resolve("bin/postgres"))
                            && major(d.resolve("bin/postgres")).equals(major))
                    .max(Comparator.comparingLong(
                            d -> d.resolve(".exists").toFile().lastModified()))
                    .map(d -> d.resolve("bin/postgres"))
                    .orElseThrow(() -> new IOException("no unpacked PostgreSQL " + major + " binaries in " + binaries));
        }
    }

    /** The major version a {@code postgres} binary reports ({@code postgres (PostgreSQL) 17.7} gives 17), or "". */
    static String major(Path postgres) {
        try {
            Process p = new ProcessBuilder(postgres.toString(), "--version")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            Matcher m = Pattern.compile("\\) (\\d+)").matcher(out);
            return m.find() ? m.group(1) : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static void setPassword(Path postgres, Path data, String password) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            cmd.addAll(List.of("unshare", "-U")); // as zonky does: PostgreSQL refuses to run as root
        }
        cmd.addAll(List.of(
                postgres.toString(),
                "--single",
                "-D",
                data.toString(),
                "-c",
                "password_encryption=scram-sha-256",
                "-c",
                "log_statement=none",
                "postgres"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) { // on stdin, never on a command line other accounts can read
            in.write(("ALTER ROLE postgres WITH PASSWORD '" + password + "';\n").getBytes(StandardCharsets.US_ASCII));
        }
        String output;
        try (InputStream out = p.getInputStream()) {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("setting the database password timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while setting the database password", e);
        }
        if (p.exitValue() != 0 || output.contains("ERROR")) {
            throw new IOException("setting the database password failed (exit " + p.exitValue() + "): "
                    + output.replace(password, "********").strip());
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
    }

    public String user() {
        return "postgres";
    }

    /** The superuser's password (also in {@code <data dir>/postgres.password}). */
    public String password() {
        return password;
    }

    public int port() {
        return pg.getPort();
    }

    @Override
    public void close() throws IOException {
        pg.close();
    }
}
