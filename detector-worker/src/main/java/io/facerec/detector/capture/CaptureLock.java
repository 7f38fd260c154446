package io.facerec.detector.capture;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure at most one capture instance runs per database: a session-scoped exclusive lock held on a dedicated
 * connection for as long as the Debezium engine runs (PostgreSQL {@code pg_try_advisory_lock}, SQL Server
 * {@code sp_getapplock} with {@code @LockOwner = 'Session'}). When the holder dies its connection closes and the lock
 * is free again, so a standby instance takes over.
 */
public final class CaptureLock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CaptureLock.class);
    /** Advisory lock key (PostgreSQL) and resource name (SQL Server). */
    static final long PG_KEY = 0x6661636572656331L; // "facerec1"

    static final String SQLSERVER_RESOURCE = "facerec-media-item-capture";

    private final DataSource dataSource;
    private Connection held;

    public CaptureLock(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** @return true when this instance now holds the lock (or already did) */
    public synchronized boolean tryAcquire() {
        if (held != null) {
            return true;
        }
        Connection c = null;
        try {
            c = dataSource.getConnection();
            c.setAutoCommit(true);
            boolean ok = isSqlServer(c) ? sqlServer(c) : postgres(c);
            if (ok) {
                held = c;
                return true;
            }
            c.close();
            return false;
        } catch (SQLException e) {
            log.warn("cannot take the capture lock: {}", e.getMessage());
            closeQuietly(c);
            return false;
        }
    }

    public synchronized boolean isHeld() {
        try {
            return held != null && !held.isClosed() && held.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private static boolean isSqlServer(Connection c) throws SQLException {
        return c.getMetaData().getDatabaseProductName().toLowerCase().contains("sql server");
    }

    private static boolean postgres(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, PG_KEY);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static boolean sqlServer(Connection c) throws SQLException {
        try (CallableStatement cs = c.prepareCall("{? = call sp_getapplock(?, ?, ?, ?)}")) {
            cs.registerOutParameter(1, Types.INTEGER);
            cs.setString(2, SQLSERVER_RESOURCE);
            cs.setString(3, "Exclusive");
            cs.setString(4, "Session");
            cs.setInt(5, 0);
            cs.execute();
            return cs.getInt(1) >= 0;
        }
    }

    /** Releases the lock by closing its session. */
    @Override
    public synchronized void close() {
        closeQuietly(held);
        held = null;
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing
            }
        }
    }
}
