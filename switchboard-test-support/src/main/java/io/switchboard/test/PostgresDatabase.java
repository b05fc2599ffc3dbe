package io.switchboard.test;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.switchboard.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * JUnit 5 extension: a fresh database on a real PostgreSQL for each test class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PostgresDatabase db = PostgresDatabase.shared();
 * }</pre>
 *
 * <p>{@link #shared()} databases live on one server per JVM. {@link #dedicated()} starts a server of its own,
 * for tests that stop and restart the database. The server's time zone is deliberately not UTC
 * ({@value #SERVER_TIME_ZONE}) so that time-zone mistakes show up in tests.
 */
public final class PostgresDatabase implements BeforeAllCallback, AfterAllCallback {
    /** Deliberately odd server time zone: +05:45, no DST. */
    public static final String SERVER_TIME_ZONE = "Asia/Kathmandu";

    private static EmbeddedPostgres sharedServer;

    private final boolean dedicated;
    private EmbeddedPostgres server;
    private String databaseName;
    private final List<HikariDataSource> pools = new ArrayList<>();

    private PostgresDatabase(boolean dedicated) {
        this.dedicated = dedicated;
    }

    /** A database of its own on the JVM-wide shared server. */
    public static PostgresDatabase shared() {
        return new PostgresDatabase(false);
    }

    /** A database on a server of its own, which the test may {@link #stopServer()} and {@link #startServer()}. */
    public static PostgresDatabase dedicated() {
        return new PostgresDatabase(true);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = dedicated ? newServer("dedicated") : sharedServer();
        databaseName = "t_" + context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT)
                + "_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + databaseName);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        pools.forEach(HikariDataSource::close);
        pools.clear();
        if (dedicated) {
            server.close();
        } else {
            try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + databaseName + " WITH (FORCE)");
            } catch (SQLException ignored) {
                // the server goes away with the JVM anyway
            }
        }
    }

    /** JDBC URL of this test class's database (superuser, no password). */
    public String jdbcUrl() {
        return server.jdbcUrl(databaseName);
    }

    /** Name of this test class's database. */
    public String databaseName() {
        return databaseName;
    }

    /** The server holding the database. */
    public EmbeddedPostgres server() {
        return server;
    }

    /** A new connection pool on the database, closed after the test class. */
    public DataSource dataSource() {
        return dataSource(10);
    }

    /** A new connection pool of {@code maxSize} connections, closed after the test class. */
    public DataSource dataSource(int maxSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl());
        config.setMaximumPoolSize(maxSize);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(5_000);
        config.setInitializationFailTimeout(-1);
        HikariDataSource pool = new HikariDataSource(config);
        pools.add(pool);
        return pool;
    }

    /** Opens a plain connection to the database. */
    public Connection connect() throws SQLException {
        return server.connect(databaseName);
    }

    /** Stops the server (only for {@link #dedicated()} databases). */
    public void stopServer() {
        requireDedicated();
        server.stop();
    }

    /** Starts the server again on the same port and data (only for {@link #dedicated()} databases). */
    public void startServer() {
        requireDedicated();
        server.start();
    }

    private void requireDedicated() {
        if (!dedicated) {
            throw new IllegalStateException("only a PostgresDatabase.dedicated() server may be stopped and started");
        }
    }

    private static void deleteRecursively(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort at JVM exit
        }
    }

    private static synchronized EmbeddedPostgres sharedServer() {
        if (sharedServer == null) {
            sharedServer = newServer("shared");
        }
        return sharedServer;
    }

    private static EmbeddedPostgres newServer(String purpose) {
        try {
            Path dir = Files.createTempDirectory("switchboard-test-pg-" + purpose + "-");
            // The server may run as an unprivileged user (when tests run as root): it must be able to enter.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            EmbeddedPostgres server = EmbeddedPostgres.builder()
                    .dataDirectory(dir.resolve("data"))
                    .serverConfig("timezone", SERVER_TIME_ZONE)
                    .serverConfig("fsync", "off")
                    .serverConfig("full_page_writes", "off")
                    .serverConfig("max_connections", "300")
                    .registerShutdownHook(false)
                    .start();
            // One hook stops the server, then removes its files: nothing is left behind in the temp folder.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.stop();
                } finally {
                    deleteRecursively(dir);
                }
            }, "test-postgres-" + purpose + "-cleanup"));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
