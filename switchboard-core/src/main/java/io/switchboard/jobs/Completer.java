package io.switchboard.jobs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Writes completions in batches: one UPDATE for everything that finished since the last write. At low load a
 * batch is one job written at once; under load batches grow by themselves while the previous write is under
 * way. A failed write (database down) is retried with the same batch; the jobs keep their leases meanwhile
 * because they stay tracked by the worker until written.
 */
final class Completer implements Runnable {
    private static final int MAX_BATCH = 2_000;

    private final JobWorker worker;
    private final LinkedBlockingQueue<RunningJob> pending = new LinkedBlockingQueue<>();
    private volatile boolean stopping;
    private Thread thread;

    Completer(JobWorker worker) {
        this.worker = worker;
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("switchboard-completer").start(this);
    }

    void add(RunningJob job) {
        pending.add(job);
    }

    /** Writes what is pending, then stops. */
    void stop(long timeoutMillis) throws InterruptedException {
        stopping = true;
        if (thread != null) {
            thread.join(timeoutMillis);
            thread.interrupt();
        }
    }

    @Override
    public void run() {
        List<RunningJob> batch = new ArrayList<>();
        int failures = 0;
        while (true) {
            try {
                if (batch.isEmpty()) {
                    RunningJob first = pending.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        if (stopping) {
                            return;
                        }
                        continue;
                    }
                    batch.add(first);
                    pending.drainTo(batch, MAX_BATCH - 1);
                }
                write(batch);
                worker.completed(batch);
                batch.clear();
                failures = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (SQLException | RuntimeException e) {
                failures++;
                worker.logDatabaseTrouble("writing " + batch.size() + " job completions", e);
                try {
                    Thread.sleep(Math.min(5_000, 50L << Math.min(failures, 7)));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void write(List<RunningJob> batch) throws SQLException {
        Attempts attempts = Attempts.of(batch);
        try (Connection connection = worker.dataSource().getConnection();
             PreparedStatement ps = connection.prepareStatement(JobSql.COMPLETE_MANY)) {
            attempts.bind(connection, ps, 1, 2);
            ps.setString(3, worker.workerId());
            int updated = ps.executeUpdate();
            if (updated != batch.size()) {
                worker.completionsRefused(batch.size() - updated);
            }
        }
    }
}
