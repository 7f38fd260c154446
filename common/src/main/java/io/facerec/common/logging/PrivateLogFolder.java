package io.facerec.common.logging;

import ch.qos.logback.core.PropertyDefinerBase;
import io.facerec.common.files.FilePermissions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Logback property definer for the log folder: creates it readable by this account only (0700) and the log files in it
 * 0600 before the appenders open them (logback appends to an existing file and keeps its permissions), so another
 * local account cannot read file names, media paths or errors from the logs. Returns the folder.
 */
public class PrivateLogFolder extends PropertyDefinerBase {
    private String dir = "logs";
    private String files = "";

    public void setDir(String dir) {
        this.dir = dir;
    }

    /** Comma-separated log file names to create 0600 in the folder. */
    public void setFiles(String files) {
        this.files = files;
    }

    @Override
    public String getPropertyValue() {
        Path folder = Path.of(dir);
        try {
            FilePermissions.OWNER.folder(folder);
            for (String name : files.split(",")) {
                if (!name.isBlank()) {
                    Path f = folder.resolve(name.strip());
                    if (!Files.exists(f)) {
                        Files.createFile(f, FilePermissions.OWNER.fileAttributes());
                    }
                    FilePermissions.OWNER.file(f);
                }
            }
        } catch (IOException | UncheckedIOException | SecurityException e) {
            addWarn("cannot make the log folder " + dir + " private: " + e.getMessage());
        }
        return dir;
    }
}
