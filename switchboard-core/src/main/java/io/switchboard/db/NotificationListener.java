package io.switchboard.db;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * LISTENs on PostgreSQL channels on one connection held by a thread of its own. When the connection breaks it
 * reconnects with backoff (100 ms doubling to 5 s) and reports each new connection: notifications sent while it
 * was not listening are lost, so a receiver catches up then (wakes its workers, empties its caches).
 */
public final class NotificationListener {

    /** Opens the listening connection (in auto-commit mode; the listener holds it until it breaks or stops). */
    @FunctionalInterface
    public interface Connector {
        Connection open() throws SQLException;
    }

    /** What the listener tells its owner; called on the listener's thread. */
    public interface Receiver {
        /** Listening (again) on a new connection; {@code failures} is how many attempts failed before it. */
        void connected(int failures);

        /** One notification. */
        void received(String channel, String payload);

        /** The connection failed or could not be opened; the listener retries after a backoff. */
        void trouble(int failures, Exception cause);
    }

    private final String threadName;
    private final Connector connector;
    private final List<String> channels;
    private final Duration idleCheck;
    private final Receiver receiver;
    private volatile boolean running;
    private volatile Connection connection;
    private Thread thread;

    /**
     * @param idleCheck how long a quiet connection may stay unchecked ({@code SELECT 1}) so that one dropped
     *                  without an error is noticed; null for never
     */
    public NotificationListener(String threadName, Connector connector, List<String> channels, Duration idleCheck,
                                Receiver receiver) {
        this.threadName = Objects.requireNonNull(threadName, "threadName");
        this.connector = Objects.requireNonNull(connector, "connector");
        this.channels = List.copyOf(channels);
        this.idleCheck = idleCheck;
        this.receiver = Objects.requireNonNull(receiver, "receiver");
        for (String channel : this.channels) {
            if (!channel.matches("[a-z_][a-z0-9_]*")) {
                throw new IllegalArgumentException("channel names are lower-case identifiers, got '" + channel + "'");
            }
        }
    }

    public synchronized void start() {
        running = true;
        thread = Thread.ofPlatform().daemon().name(threadName).start(this::listen);
    }

    /** Stops listening and closes the connection, waiting up to 2 s for the thread. */
    public synchronized void stop() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.interrupt();
            thread.join(2_000);
        }
        closeQuietly();
    }

    public boolean isRunning() {
        return running;
    }

    private void listen() {
        int failures = 0;
        long lastCheck = System.nanoTime();
        while (running) {
            try {
                if (connection == null) {
                    connect();
                    receiver.connected(failures);
                    failures = 0;
                }
                PGNotification[] notifications = connection.unwrap(PGConnection.class).getNotifications(500);
                if (notifications != null) {
                    for (PGNotification n : notifications) {
                        receiver.received(n.getName(), n.getParameter());
                    }
                }
                if (idleCheck != null && System.nanoTime() - lastCheck > idleCheck.toNanos()) {
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
                receiver.trouble(failures, e);
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
        Connection c = connector.open();
        try (Statement s = c.createStatement()) {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            for (String channel : channels) {
                s.execute("LISTEN " + channel);
            }
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
