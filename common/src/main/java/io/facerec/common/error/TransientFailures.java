package io.facerec.common.error;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.RetriableException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;

/** Which failures are transient: the database or the broker away, a timeout. Retrying later will do. */
public final class TransientFailures {
    private TransientFailures() {}

    /** Whether {@code t} or one of its causes is a transient failure. */
    public static boolean isTransient(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof RetriableProcessingException
                    || c instanceof TransientDataAccessException
                    || c instanceof RecoverableDataAccessException
                    || c instanceof DataAccessResourceFailureException
                    || c instanceof CannotCreateTransactionException
                    || c instanceof SQLTransientException
                    || c instanceof SQLRecoverableException
                    || c instanceof SQLNonTransientConnectionException
                    || c instanceof RetriableException
                    || c instanceof TimeoutException
                    || c instanceof ConnectException
                    || c instanceof InterruptedException) {
                return true;
            }
            if (c instanceof SQLException s
                    && s.getSQLState() != null
                    && s.getSQLState().startsWith("08")) {
                return true; // connection exception (PostgreSQL, SQL Server)
            }
        }
        return false;
    }
}
