package io.facerec.common;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version facerec was built as: {@code META-INF/build-info.properties}, which the build writes into the common jar
 * (Spring Boot's {@code build-info} goal; {@code /actuator/info} shows the same file as its {@code build} section).
 */
public final class FacerecVersion {
    private static final String VERSION = load();

    private FacerecVersion() {}

    /** The project version, e.g. {@code 0.1.0-SNAPSHOT}; {@code unknown} when run from classes without the file. */
    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = FacerecVersion.class.getResourceAsStream("/META-INF/build-info.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("build.version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
