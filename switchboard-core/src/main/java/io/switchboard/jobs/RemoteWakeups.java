package io.switchboard.jobs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Tells other instances about new work after an enqueue this instance committed: one NOTIFY per queue at most
 * every {@value #DEBOUNCE_MILLIS} ms, sent after the commit on a connection of its own. A NOTIFY inside every
 * enqueue transaction would make concurrent enqueues queue up on PostgreSQL's notification lock at commit.
 * A lost wake-up (database trouble) costs at most the receivers' polling interval.
 */
final class RemoteWakeups {
    private static final Logger log = LoggerFactory.getLogger(RemoteWakeups.class);
    static final long DEBOUNCE_MILLIS = 2;

    private final DataSource dataSource;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final Semaphore signal = new Semaphore(0);
    private volatile Thread sender;

    RemoteWakeups(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    void wake(String queue) {
        if (pending.add(queue)) {
            ensureStarted();
            signal.release();
        }
    }

    private void ensureStarted() {
        if (sender == null) {
            synchronized (this) {
                if (sender == null) {
                    sender = Thread.ofPlatform().daemon().name("switchboard-notify").start(this::run);
                }
            }
        }
    }

    /** Stops the sender thread (wake-ups still pending are dropped: receivers poll); a later wake-up starts a new one. */
    void stop() {
        Thread running;
        synchronized (this) {
            running = sender;
            sender = null;
        }
        if (running != null) {
            running.interrupt();
        }
    }

    private void run() {
        long lastTroubleLog = 0;
        while (true) {
            try {
                signal.acquire();
                Thread.sleep(DEBOUNCE_MILLIS);
                signal.drainPermits();
                String[] queues = pending.toArray(String[]::new);
                for (String queue : queues) {
                    pending.remove(queue);
                }
                if (queues.length == 0) {
                    continue;
                }
                try (Connection connection = dataSource.getConnection();
                     PreparedStatement ps = connection.prepareStatement(JobSql.NOTIFY_QUEUES)) {
                    ps.setArray(1, connection.createArrayOf("text", queues));
                    ps.execute();
                } catch (Exception e) {
                    long now = System.nanoTime();
                    if (now - lastTroubleLog > TimeUnit.SECONDS.toNanos(10)) {
                        lastTroubleLog = now;
                        log.warn("Could not notify other instances of new jobs (they poll instead): {}", e.toString());
                    }
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
