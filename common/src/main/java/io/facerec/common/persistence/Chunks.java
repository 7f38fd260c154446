package io.facerec.common.persistence;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

/**
 * Statements over a list of ids as {@code sql + "(?, ?, ...)"}, one per chunk of {@value #SIZE} ids: IN lists stay far
 * below the drivers' parameter limits (SQL Server: 2,100).
 */
final class Chunks {
    static final int SIZE = 500;

    private Chunks() {}

    static void query(JdbcTemplate jdbc, String sql, List<?> leading, Collection<Long> ids, RowCallbackHandler rows) {
        List<Long> all = new ArrayList<>(ids);
        for (int from = 0; from < all.size(); from += SIZE) {
            List<Long> chunk = all.subList(from, Math.min(all.size(), from + SIZE));
            jdbc.query(sql + in(chunk.size()), rows, args(leading, chunk));
        }
    }

    static int update(JdbcTemplate jdbc, String sql, List<?> leading, Collection<Long> ids) {
        List<Long> all = new ArrayList<>(ids);
        int n = 0;
        for (int from = 0; from < all.size(); from += SIZE) {
            List<Long> chunk = all.subList(from, Math.min(all.size(), from + SIZE));
            n += jdbc.update(sql + in(chunk.size()), args(leading, chunk));
        }
        return n;
    }

    private static String in(int n) {
        return "(" + String.join(",", Collections.nCopies(n, "?")) + ")";
    }

    private static Object[] args(List<?> leading, List<Long> chunk) {
        List<Object> args = new ArrayList<>(leading);
        args.addAll(chunk);
        return args.toArray();
    }
}
