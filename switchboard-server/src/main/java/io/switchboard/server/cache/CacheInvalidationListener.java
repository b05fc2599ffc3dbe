package io.switchboard.server.cache;

import io.switchboard.db.NotificationListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.SmartLifecycle;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
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
    private static final Duration CHECK_IDLE = Duration.ofSeconds(10);

    private final AtomicLong connects = new AtomicLong();
    private final NotificationListener listener;

    CacheInvalidationListener(JdbcConnectionDetails database, Caches caches) {
        this.listener = new NotificationListener("switchboard-cache-listener", () -> open(database),
                List.of(Invalidation.CHANNEL), CHECK_IDLE, new NotificationListener.Receiver() {
                    @Override
                    public void connected(int failures) {
                        // Invalidations sent while we were not listening are lost: forget everything.
                        caches.clearAll();
                        connects.incrementAndGet();
                        if (failures > 0) {
                            log.info("Cache invalidation listener reconnected; caches cleared");
                        }
                    }

                    @Override
                    public void received(String channel, String payload) {
                        caches.received(payload);
                    }

                    @Override
                    public void trouble(int failures, Exception cause) {
                        if (failures == 1 || failures % 20 == 0) {
                            log.warn("Cache invalidation listener lost its connection (attempt {}); retrying: {}",
                                    failures, cause.toString());
                        }
                    }
                });
    }

    @Override
    public void start() {
        listener.start();
    }

    @Override
    public void stop() {
        try {
            listener.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return listener.isRunning();
    }

    /** How often the listener has (re)connected: 1 after start, one more per reconnect. */
    long connects() {
        return connects.get();
    }

    /** A connection of its own, outside the pool: it is held for the life of the instance. */
    private static Connection open(JdbcConnectionDetails database) throws SQLException {
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
        return DriverManager.getConnection(database.getJdbcUrl(), properties);
    }
}
