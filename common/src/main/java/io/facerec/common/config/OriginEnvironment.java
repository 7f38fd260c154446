package io.facerec.common.config;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The origin's environment variables, honoured as defaults (explicit Spring properties win):
 * {@code SQL_CONNECTION_STRING} (an ODBC string such as {@code DRIVER={ODBC Driver 17 for SQL Server};SERVER=host,1433;
 * DATABASE=Media;UID=user;PWD=secret}, or a JDBC URL) becomes the datasource; {@code THUMBNAIL_SAVE_PATH} is read by
 * {@code facerec.thumbnails-dir}'s default.
 */
public final class OriginEnvironment {
    private OriginEnvironment() {
    }

    /** Default properties derived from the process environment. */
    public static Map<String, Object> defaults() {
        return defaults(System.getenv());
    }

    static Map<String, Object> defaults(Map<String, String> env) {
        Map<String, Object> d = new HashMap<>();
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
    public record Datasource(String url, String user, String password) {
    }

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
        StringBuilder url = new StringBuilder("jdbc:sqlserver://").append(hostPort).append(";databaseName=").append(db);
        String encrypt = first(kv, "ENCRYPT");
        url.append(";encrypt=").append(encrypt == null ? "false" : encrypt.toLowerCase(Locale.ROOT).startsWith("y")
                || encrypt.equalsIgnoreCase("true") || encrypt.equalsIgnoreCase("mandatory") ? "true" : "false");
        String trust = first(kv, "TRUSTSERVERCERTIFICATE");
        if (trust != null) {
            url.append(";trustServerCertificate=").append(trust.toLowerCase(Locale.ROOT).startsWith("y")
                    || trust.equalsIgnoreCase("true"));
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
