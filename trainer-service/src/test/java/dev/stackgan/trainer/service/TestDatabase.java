package dev.stackgan.trainer.service;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * A throwaway database on the real PostgreSQL server (127.0.0.1:5432, trust auth): created with a random name for
 * one test class and dropped at the end, so tests never touch another database's state.
 */
final class TestDatabase implements AutoCloseable {

    static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    static final String USER = "postgres";

    final String name = "stackgan_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
            .toLowerCase(Locale.ROOT);

    TestDatabase() throws SQLException {
        try (Connection admin = admin(); Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
    }

    String url() {
        return SERVER + name;
    }

    /** The same database reached through another host:port (a proxy). */
    String url(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), USER, "");
    }

    /** The values of the first column of {@code sql}. */
    List<Object> column(String sql, Object... params) throws SQLException {
        try (Connection c = connect(); var st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i]);
            }
            List<Object> values = new ArrayList<>();
            try (var rs = st.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getObject(1));
                }
            }
            return values;
        }
    }

    private static Connection admin() throws SQLException {
        try {
            return DriverManager.getConnection(SERVER + "postgres", USER, "");
        } catch (SQLException e) {
            return DriverManager.getConnection(SERVER + "test", USER, "");
        }
    }

    @Override
    public void close() throws SQLException {
        try (Connection admin = admin(); Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
