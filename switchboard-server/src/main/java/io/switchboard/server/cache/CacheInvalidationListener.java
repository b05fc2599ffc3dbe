package io.switchboard.server.cache;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.SmartLifecycle;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Receives cache invalidations on a connection of its own (outside the pool: it is held for the life of the
 * instance). When the connection breaks it reconnects with backoff and, once listening again, empties every cache:
 * invalidations sent meanwhile were lost.
 */
class CacheInvalidationListener implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(CacheInvalidationListener.class);
    /** A quiet connection is checked this often, so a silently dropped one is noticed. */
    private static final long CHECK_IDLE_MILLIS = 10_000;

    private final JdbcConnectionDetails database;
    private final Caches caches;
    private final AtomicLong connects = new AtomicLong();
    private volatile boolean running;
    private volatile Connection connection;
    private Thread thread;

    CacheInvalidationListener(JdbcConnectionDetails database, Caches caches) {
        this.database = database;
        this.caches = caches;
    }

    @Override
    public synchronized void start() {
        running = true;
        thread = Thread.ofPlatform().daemon().name("switchboard-cache-listener").start(this::listen);
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeQuietly();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** How often the listener has (re)connected: 1 after start, one more per reconnect. */
    long connects() {
        return connects.get();
    }

    private void listen() {
        int failures = 0;
        long lastCheck = System.nanoTime();
        while (running) {
            try {
                if (connection == null) {
                    connect();
                    // Invalidations sent while we were not listening are lost: forget everything.
                    caches.clearAll();
                    connects.incrementAndGet();
                    if (failures > 0) {
                        log.info("Cache invalidation listener reconnected; caches cleared");
                    }
                    failures = 0;
                }
                PGNotification[] notifications = connection.unwrap(PGConnection.class).getNotifications(500);
                if (notifications != null) {
                    for (PGNotification n : notifications) {
                        caches.received(n.getParameter());
                    }
                }
                if (System.nanoTime() - lastCheck > CHECK_IDLE_MILLIS * 1_000_000) {
                    lastCheck = System.nanoTime();
                    try (Statement s = connection.createStatement()) {
                        s.execute("SELECT 1");
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                failures++;
                if (failures == 1 || failures % 20 == 0) {
                    log.warn("Cache invalidation listener lost its connection (attempt {}); retrying: {}", failures, e.toString());
                }
                closeQuietly();
                try {
                    Thread.sleep(Math.min(5_000, 100L << Math.min(failures, 6)));
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void connect() throws SQLException {
        Properties properties = new Properties();
        // Blank when the URL carries the user (as the pool treats it).
        if (database.getUsername() != null && !database.getUsername().isBlank()) {
            properties.setProperty("user", database.getUsername());
        }
        if (database.getPassword() != null && !database.getPassword().isEmpty()) {
            properties.setProperty("password", database.getPassword());
        }
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("ApplicationName", "switchboard-cache-listener");
        Connection c = DriverManager.getConnection(database.getJdbcUrl(), properties);
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN " + Invalidation.CHANNEL);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        connection = c;
    }

    private void closeQuietly() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // broken anyway
            }
        }
    }
}
