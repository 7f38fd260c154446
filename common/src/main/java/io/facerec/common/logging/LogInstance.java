package io.facerec.common.logging;

import ch.qos.logback.core.PropertyDefinerBase;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Logback property definer for the suffix of the log file names, so that several processes writing into one log folder
 * (the capture and every detector replica on one volume) each roll files of their own instead of one file without
 * coordination. {@code LOG_INSTANCE} unset or empty: no suffix, the origin's two names
 * ({@code face_detection.log}, {@code embeddings_clustering.log}); {@code auto}: {@code -<host name>-<process id>}
 * (in a container the host name is the container's); any other value: {@code -<value>}, with characters other than
 * letters, digits, dot, underscore and hyphen replaced by {@code _}.
 */
public class LogInstance extends PropertyDefinerBase {
    private String instance = "";

    public void setInstance(String instance) {
        this.instance = instance == null ? "" : instance.strip();
    }

    @Override
    public String getPropertyValue() {
        return suffix(instance);
    }

    static String suffix(String instance) {
        if (instance == null || instance.isBlank()) {
            return "";
        }
        String name = instance.equalsIgnoreCase("auto")
                ? host() + "-" + ProcessHandle.current().pid()
                : instance;
        return "-" + name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static String host() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "host";
        }
    }
}
