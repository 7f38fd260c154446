package io.facerec.common.persistence;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;

/**
 * The wall-clock time written to the {@code TIMESTAMP} / {@code DATETIME2} columns. The origin wrote
 * {@code datetime.now()} (the local time of the machine it ran on) and its tables default to {@code SYSDATETIME()};
 * facerec writes the local time of {@link #zone()} (by default the system's, {@code facerec.database-time-zone}
 * changes it, e.g. to {@code UTC}), as {@link LocalDateTime} values, so no driver applies a zone of its own.
 */
public final class DatabaseTime {
    private final ZoneId zone;

    public DatabaseTime(ZoneId zone) {
        this.zone = zone;
    }

    /** The system's zone at the time of the call: what the origin's {@code datetime.now()} used. */
    public static DatabaseTime system() {
        return new DatabaseTime(ZoneId.systemDefault());
    }

    /** @param zoneId a zone id such as {@code Europe/Berlin} or {@code UTC}; blank means the system's */
    public static DatabaseTime of(String zoneId) {
        return zoneId == null || zoneId.isBlank() ? system() : new DatabaseTime(ZoneId.of(zoneId.strip()));
    }

    public ZoneId zone() {
        return zone;
    }

    /** The column value for an instant. */
    public LocalDateTime of(Instant instant) {
        return LocalDateTime.ofInstant(instant, zone);
    }

    /** The instant a column value stands for. */
    public Instant toInstant(LocalDateTime value) {
        return value.atZone(zone).toInstant();
    }
}
