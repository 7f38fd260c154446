package io.facerec.common.config;

import io.github.cdimascio.dotenv.Dotenv;
import io.github.cdimascio.dotenv.DotenvEntry;
import io.github.cdimascio.dotenv.DotenvException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The origin's configuration, honoured as defaults (explicit Spring properties win): its variables come from the
 * process environment and from a {@code .env} file in the working folder, as the origin's {@code load_dotenv()} read
 * them (the environment wins over the file; {@code FACEREC_DOTENV} or {@code -Dfacerec.dotenv} name another file).
 * <ul>
 *   <li>{@code SQL_CONNECTION_STRING} (an ODBC string such as {@code DRIVER={ODBC Driver 17 for SQL Server};
 *       SERVER=host,1433;DATABASE=Media;UID=user;PWD=secret}, or a JDBC URL) becomes the datasource, unless
 *       {@code SPRING_DATASOURCE_URL} is set;</li>
 *   <li>{@code THUMBNAIL_SAVE_PATH}, {@code CONTAINER_IMAGES_ROOT}, {@code DB_PREFIX} and {@code ROOT_PATH} are the
 *       defaults of {@code facerec.thumbnails-dir}, {@code facerec.media-root}, {@code facerec.origin.db-prefix} and
 *       {@code facerec.origin.root-path} (see {@code facerec-common.properties} and {@link OriginProperties}).</li>
 * </ul>
 */
public final class OriginEnvironment {
    /** The origin's variables facerec reads. */
    public static final List<String> VARIABLES =
            List.of("SQL_CONNECTION_STRING", "THUMBNAIL_SAVE_PATH", "CONTAINER_IMAGES_ROOT", "DB_PREFIX", "ROOT_PATH");

    private OriginEnvironment() {}

    /** The {@code .env} file read: {@code -Dfacerec.dotenv}, else {@code FACEREC_DOTENV}, else {@code ./.env}. */
    public static Path dotenvFile() {
        String p = System.getProperty("facerec.dotenv");
        if (p == null || p.isBlank()) {
            p = System.getenv("FACEREC_DOTENV");
        }
        return Path.of(p == null || p.isBlank() ? ".env" : p).toAbsolutePath().normalize();
    }

    /** The variables of a {@code .env} file (empty when there is none). @throws IllegalStateException when malformed */
    public static Map<String, String> readDotenv(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try {
            Dotenv d = Dotenv.configure()
                    .directory(file.getParent().toString())
                    .filename(file.getFileName().toString())
                    .load();
            for (DotenvEntry e : d.entries(Dotenv.Filter.DECLARED_IN_ENV_FILE)) {
                String v = e.getValue();
                if (v.length() >= 2 && v.startsWith("'") && v.endsWith("'")) {
                    v = v.substring(1, v.length() - 1); // single quotes, as python-dotenv reads them
                }
                out.put(e.getKey(), v);
            }
        } catch (DotenvException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The origin's variables as the process sees them: the {@code .env} file's, overridden by the environment. */
    public static Map<String, String> variables() {
        return variables(System.getenv(), readDotenv(dotenvFile()));
    }

    static Map<String, String> variables(Map<String, String> env, Map<String, String> dotenv) {
        Map<String, String> v = new HashMap<>(dotenv);
        v.putAll(env);
        return v;
    }

    /** Default properties derived from the origin's variables (environment and {@code .env}). */
    public static Map<String, Object> defaults() {
        return defaults(variables());
    }

    static Map<String, Object> defaults(Map<String, String> env) {
        Map<String, Object> d = new HashMap<>();
        for (String name : VARIABLES) {
            String value = env.get(name);
            if (value != null && !name.equals("SQL_CONNECTION_STRING")) {
                d.put(name, value); // read by the placeholders in facerec-common.properties
            }
        }
        String cs = env.get("SQL_CONNECTION_STRING");
        if (cs != null && !cs.isBlank() && env.get("SPRING_DATASOURCE_URL") == null) {
            Datasource ds = parse(cs);
            d.put("spring.datasource.url", ds.url());
            if (ds.user() != null) {
                d.put("spring.datasource.username", ds.user());
            }
            if (ds.password() != null) {
                d.put("spring.datasource.password", ds.password());
            }
        }
        return d;
    }

    /** A JDBC URL with its credentials. */
    public record Datasource(String url, String user, String password) {}

    /** Converts the origin's ODBC connection string (or passes a JDBC URL through). */
    public static Datasource parse(String connectionString) {
        String cs = connectionString.trim();
        if (cs.startsWith("jdbc:")) {
            return new Datasource(cs, null, null);
        }
        Map<String, String> kv = new LinkedHashMap<>();
        int i = 0;
        while (i < cs.length()) {
            int eq = cs.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String key = cs.substring(i, eq).trim().toUpperCase(Locale.ROOT);
            int j = eq + 1;
            while (j < cs.length() && cs.charAt(j) == ' ') {
                j++;
            }
            String value;
            if (j < cs.length() && cs.charAt(j) == '{') {
                int close = cs.indexOf('}', j);
                value = cs.substring(j + 1, close < 0 ? cs.length() : close);
                int semi = cs.indexOf(';', close < 0 ? cs.length() : close);
                i = semi < 0 ? cs.length() : semi + 1;
            } else {
                int semi = cs.indexOf(';', j);
                value = cs.substring(j, semi < 0 ? cs.length() : semi).trim();
                i = semi < 0 ? cs.length() : semi + 1;
            }
            kv.put(key, value);
        }
        String server = first(kv, "SERVER", "ADDRESS", "ADDR", "DATA SOURCE");
        String db = first(kv, "DATABASE", "INITIAL CATALOG");
        if (server == null || db == null) {
            throw new IllegalArgumentException("SQL_CONNECTION_STRING needs SERVER=... and DATABASE=...");
        }
        if (server.toLowerCase(Locale.ROOT).startsWith("tcp:")) {
            server = server.substring(4);
        }
        String hostPort = server.replace(',', ':');
        StringBuilder url = new StringBuilder("jdbc:sqlserver://")
                .append(hostPort)
                .append(";databaseName=")
                .append(db);
        String encrypt = first(kv, "ENCRYPT");
        url.append(";encrypt=")
                .append(
                        encrypt == null
                                ? "false"
                                : encrypt.toLowerCase(Locale.ROOT).startsWith("y")
                                                || encrypt.equalsIgnoreCase("true")
                                                || encrypt.equalsIgnoreCase("mandatory")
                                        ? "true"
                                        : "false");
        String trust = first(kv, "TRUSTSERVERCERTIFICATE");
        if (trust != null) {
            url.append(";trustServerCertificate=")
                    .append(trust.toLowerCase(Locale.ROOT).startsWith("y") || trust.equalsIgnoreCase("true"));
        }
        if ("YES".equalsIgnoreCase(first(kv, "TRUSTED_CONNECTION"))) {
            url.append(";integratedSecurity=true");
        }
        return new Datasource(url.toString(), first(kv, "UID", "USER ID", "USER"), first(kv, "PWD", "PASSWORD"));
    }

    private static String first(Map<String, String> kv, String... keys) {
        for (String k : keys) {
            if (kv.containsKey(k)) {
                return kv.get(k);
            }
        }
        return null;
    }
}
