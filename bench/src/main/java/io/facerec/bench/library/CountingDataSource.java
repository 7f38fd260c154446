package io.facerec.bench.library;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * A data source that counts the rows its callers read: every {@code ResultSet.next()} that returns true, through any
 * statement of any connection it hands out. The benchmark gives it to the clusterer to report the rows a batch reads.
 */
final class CountingDataSource extends DelegatingDataSource {
    private final AtomicLong rows = new AtomicLong();

    CountingDataSource(DataSource target) {
        super(target);
    }

    long rows() {
        return rows.get();
    }

    @Override
    public Connection getConnection() throws SQLException {
        return wrap(super.getConnection(), Connection.class);
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        return wrap(super.getConnection(user, password), Connection.class);
    }

    @SuppressWarnings("unchecked")
    private <T> T wrap(T target, Class<T> type) {
        InvocationHandler h = (proxy, method, args) -> {
            Object out;
            try {
                out = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (out instanceof ResultSet rs && !(out instanceof Proxy)) {
                return wrap(rs, ResultSet.class);
            }
            if (out instanceof Statement s && !(out instanceof Proxy)) {
                Class<?> iface = s instanceof CallableStatement
                        ? CallableStatement.class
                        : s instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
                return wrapAs(s, iface);
            }
            if (type == ResultSet.class && method.getName().equals("next") && Boolean.TRUE.equals(out)) {
                rows.incrementAndGet();
            }
            if (method.getName().equals("unwrap") || method.getName().equals("isWrapperFor")) {
                return out;
            }
            return out;
        };
        return (T) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, h);
    }

    @SuppressWarnings("unchecked")
    private Object wrapAs(Object target, Class<?> type) {
        return wrap(type.cast(target), (Class<Object>) type);
    }
}
