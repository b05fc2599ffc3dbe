package io.switchboard.jobs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Claims jobs of one queue for this instance. One thread per queue loops: wait until there is a free slot
 * and a reason to look (a NOTIFY, the last claim came back full, or the polling fallback is due), then claim
 * as many ready jobs as there are free slots in one statement and hand them to the worker.
 * NOTIFYs arriving while a claim is under way coalesce into one further claim (debouncing). While every kind of
 * the queue runs in batches and all their runs are busy, nothing is claimed: the jobs that become ready meanwhile
 * are claimed together when a run is free.
 */
final class QueueRunner implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(QueueRunner.class);
    private static final int MAX_CLAIM = 500;

    private final QueueOptions options;
    private final List<String> kinds;
    private final JobWorker worker;
    private final BooleanSupplier canStartWork;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int freeSlots;
    private boolean wakeRequested = true;
    private boolean moreLikely;
    private volatile boolean stopping;
    private Thread thread;

    /** @param canStartWork whether claimed jobs could start now (false while the batched kinds' runs are all busy) */
    QueueRunner(QueueOptions options, List<String> kinds, JobWorker worker, BooleanSupplier canStartWork) {
        this.options = options;
        this.kinds = kinds;
        this.worker = worker;
        this.canStartWork = canStartWork;
        this.freeSlots = options.concurrency();
    }

    QueueOptions options() {
        return options;
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("switchboard-queue-" + options.name()).start(this);
    }

    /** A job may be ready (NOTIFY or reconnect): claim soon. */
    void wake() {
        lock.lock();
        try {
            wakeRequested = true;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Something that {@code canStartWork} depends on changed: look again (claim if a wake-up was missed meanwhile). */
    void recheck() {
        lock.lock();
        try {
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Handlers finished and their outcomes are written: their slots are free again. */
    void releaseSlots(int count) {
        lock.lock();
        try {
            freeSlots += count;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    int busySlots() {
        lock.lock();
        try {
            return options.concurrency() - freeSlots;
        } finally {
            lock.unlock();
        }
    }

    void stopClaiming() {
        stopping = true;
        wake();
    }

    void join(Duration timeout) throws InterruptedException {
        if (thread != null) {
            thread.join(timeout);
        }
    }

    @Override
    public void run() {
        long pollNanos = options.pollInterval().toNanos();
        long nextPoll = System.nanoTime() + pollNanos;
        int failures = 0;
        while (!stopping) {
            int take;
            lock.lock();
            try {
                while (!stopping) {
                    long now = System.nanoTime();
                    boolean pollDue = now - nextPoll >= 0;
                    boolean canClaim = freeSlots > 0 && canStartWork.getAsBoolean();
                    if (canClaim && (wakeRequested || moreLikely || pollDue)) {
                        break;
                    }
                    // Without a free slot or run, wait for one to be freed (it wakes this thread).
                    long wait = canClaim ? nextPoll - now : TimeUnit.SECONDS.toNanos(1);
                    try {
                        changed.awaitNanos(Math.max(wait, 1));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (stopping) {
                    return;
                }
                take = Math.min(freeSlots, MAX_CLAIM);
                freeSlots -= take;
                wakeRequested = false;
            } finally {
                lock.unlock();
            }
            List<RunningJob> claimed = List.of();
            try {
                claimed = claim(take);
                failures = 0;
            } catch (SQLException | RuntimeException e) {
                failures++;
                worker.logDatabaseTrouble("claiming jobs of queue '" + options.name() + "'", e);
            }
            lock.lock();
            try {
                freeSlots += take - claimed.size();
                moreLikely = claimed.size() == take;
            } finally {
                lock.unlock();
            }
            nextPoll = System.nanoTime() + pollNanos;
            worker.dispatch(this, claimed);
            if (failures > 0) {
                sleepQuietly(Math.min(5_000, 100L << Math.min(failures, 6)));
            }
        }
    }

    private List<RunningJob> claim(int limit) throws SQLException {
        try (Connection connection = worker.dataSource().getConnection();
             PreparedStatement ps = connection.prepareStatement(JobSql.CLAIM)) {
            ps.setString(1, worker.workerId());
            ps.setLong(2, options.leaseDuration().toMillis());
            ps.setString(3, options.name());
            ps.setArray(4, connection.createArrayOf("text", kinds.toArray()));
            ps.setInt(5, limit);
            List<RunningJob> jobs = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    jobs.add(new RunningJob(rs.getLong(1), rs.getString(2), options.name(), rs.getInt(4), rs.getInt(5),
                            rs.getString(3), rs.getBoolean(6), rs.getLong(7), worker.workerId(), worker.dataSource()));
                }
            }
            // Registered before the connection returns to the pool, so a heartbeat never misses a claimed job.
            jobs.forEach(worker::track);
            return jobs;
        }
    }

    private void sleepQuietly(long millis) {
        lock.lock();
        try {
            changed.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }
}
