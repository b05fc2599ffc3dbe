package io.switchboard.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.switchboard.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The one PostgreSQL server of a benchmark run, in a temporary directory removed at the end, and the fresh
 * database each system gets for each workload and run. Durability settings stay at their defaults
 * ({@code fsync} and {@code synchronous_commit} on), so every commit waits for its WAL flush.
 */
final class BenchPostgres implements AutoCloseable {
    private final Path root;
    private final EmbeddedPostgres server;
    private int databases;

    private BenchPostgres(Path root, EmbeddedPostgres server) {
        this.root = root;
        this.server = server;
    }

    static BenchPostgres start(Map<String, String> extraSettings) throws IOException {
        Path root = Files.createTempDirectory("switchboard-bench-");
        // The server may run as 'nobody' (when this JVM is root), which must be able to enter this directory.
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .dataDirectory(root.resolve("data"))
                .serverConfig("shared_buffers", "512MB")
                // Room for a whole drain's WAL between timed checkpoints, as a tuned production server would have.
                .serverConfig("max_wal_size", "4GB");
        extraSettings.forEach(builder::serverConfig);
        return new BenchPostgres(root, builder.start());
    }

    /** Process id of the server's postmaster; its backends are its children. */
    long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(server.dataDirectory().resolve("postmaster.pid")).get(0).trim());
    }

    String version() throws SQLException {
        try (Connection c = server.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return "PostgreSQL " + rs.getString(1);
        }
    }

    String settings() throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Connection c = server.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT name, setting, unit FROM pg_settings
                     WHERE name IN ('shared_buffers', 'fsync', 'synchronous_commit', 'wal_level', 'max_wal_size', 'full_page_writes')
                     ORDER BY name""")) {
            while (rs.next()) {
                out.append(out.isEmpty() ? "" : ", ").append(rs.getString(1)).append('=').append(rs.getString(2));
                if (rs.getString(3) != null) {
                    out.append(' ').append(rs.getString(3));
                }
            }
        }
        return out.toString();
    }

    /** A new, empty database with a connection pool of {@code poolSize}. */
    synchronized Database createDatabase(String label, int poolSize) throws SQLException {
        String name = "bench_" + (++databases) + "_" + label.replaceAll("[^a-z0-9]", "_");
        try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(server.jdbcUrl(name));
        config.setPoolName(name);
        config.setMaximumPoolSize(poolSize);
        return new Database(name, new HikariDataSource(config));
    }

    /**
     * Flushes a freshly loaded database so the load's dirty pages are not written during the timed part.
     * With {@code analyze}, also gives the planner statistics first, as a table in production has them (left
     * to autovacuum, whether a freshly loaded table has any when the timed part starts is down to timing).
     */
    void settle(Database database, boolean analyze) throws SQLException {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            if (analyze) {
                s.execute("VACUUM (ANALYZE)");
            }
            s.execute("CHECKPOINT");
        }
    }

    /** A database of this server and its pool; closing drops it. */
    final class Database implements AutoCloseable {
        private final String name;
        private final HikariDataSource dataSource;

        private Database(String name, HikariDataSource dataSource) {
            this.name = name;
            this.dataSource = dataSource;
        }

        HikariDataSource dataSource() {
            return dataSource;
        }

        @Override
        public void close() throws SQLException {
            dataSource.close();
            try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        server.close();
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
