package io.switchboard.jobs;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Listens for NOTIFYs on one dedicated connection: new work on a queue wakes that queue's runner, a cancel
 * request reaches the running handler. When the connection breaks it reconnects with backoff and wakes every
 * runner (notifications may have been missed); meanwhile the runners' polling fallback keeps work moving.
 */
final class Notifier implements Runnable {
    private final JobWorker worker;
    private volatile boolean stopping;
    private volatile Connection connection;
    private Thread thread;

    Notifier(JobWorker worker) {
        this.worker = worker;
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("switchboard-listener").start(this);
    }

    void stop() throws InterruptedException {
        stopping = true;
        if (thread != null) {
            thread.join(2_000);
        }
        closeQuietly();
    }

    @Override
    public void run() {
        int failures = 0;
        while (!stopping) {
            try {
                if (connection == null) {
                    connect();
                    failures = 0;
                    worker.wakeAll();
                }
                PGNotification[] notifications = connection.unwrap(PGConnection.class).getNotifications(500);
                if (notifications != null) {
                    for (PGNotification n : notifications) {
                        if (JobSql.CANCEL_CHANNEL.equals(n.getName())) {
                            worker.cancelRequested(Long.parseLong(n.getParameter()));
                        } else {
                            worker.wake(n.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (stopping) {
                    return;
                }
                failures++;
                worker.logDatabaseTrouble("listening for job notifications", e);
                closeQuietly();
                try {
                    Thread.sleep(Math.min(5_000, 100L << Math.min(failures, 6)));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void connect() throws SQLException {
        Connection c = worker.dataSource().getConnection();
        try (Statement s = c.createStatement()) {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            s.execute("LISTEN " + JobSql.NOTIFY_CHANNEL);
            s.execute("LISTEN " + JobSql.CANCEL_CHANNEL);
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
