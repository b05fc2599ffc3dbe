package io.switchboard.jobs;

import io.switchboard.db.Transactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;

/** One claimed attempt held by this instance: the handler's {@link JobContext} and the worker's bookkeeping. */
final class RunningJob implements JobContext {
    final long id;
    final String kind;
    final String queue;
    final int attempt;
    final int maxAttempts;
    final String argsJson;
    final long lagMillis;
    private final String workerId;
    private final DataSource dataSource;

    /** Set from the database (heartbeat or NOTIFY): an operator asked to cancel this job. */
    volatile boolean cancelRequested;
    /** The heartbeat found the attempt no longer ours: completion will be refused. */
    volatile boolean leaseLost;
    /** This instance is shutting down and gives the job back. */
    volatile boolean releasing;
    /** The handler has returned; the job only waits for its completion to be written. */
    volatile boolean handlerDone;
    /** The handler committed the completion in its own transaction. */
    volatile boolean completedInTransaction;
    volatile long startedNanos;
    /** The runner whose slot this job occupies until its outcome is written (or given up). */
    private volatile QueueRunner runner;
    private final java.util.concurrent.atomic.AtomicBoolean slotReleased = new java.util.concurrent.atomic.AtomicBoolean();

    RunningJob(long id, String kind, String queue, int attempt, int maxAttempts, String argsJson, boolean cancelRequested,
               long lagMillis, String workerId, DataSource dataSource) {
        this.id = id;
        this.kind = kind;
        this.queue = queue;
        this.attempt = attempt;
        this.maxAttempts = maxAttempts;
        this.argsJson = argsJson;
        this.cancelRequested = cancelRequested;
        this.lagMillis = lagMillis;
        this.workerId = workerId;
        this.dataSource = dataSource;
    }

    void occupy(QueueRunner runner) {
        this.runner = runner;
    }

    /** Frees the job's slot exactly once: the runner may claim another job. */
    void releaseSlot() {
        QueueRunner r = takeSlot();
        if (r != null) {
            r.releaseSlots(1);
        }
    }

    /**
     * Gives up the job's slot exactly once without telling its runner yet (for releasing many slots at once).
     * @return the runner to tell, or null when the slot was already given up
     */
    QueueRunner takeSlot() {
        QueueRunner r = runner;
        return r != null && slotReleased.compareAndSet(false, true) ? r : null;
    }

    @Override
    public long jobId() {
        return id;
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public String queue() {
        return queue;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public int maxAttempts() {
        return maxAttempts;
    }

    @Override
    public boolean isCancellationRequested() {
        return cancelRequested || leaseLost || releasing;
    }

    @Override
    public <R> R completeInTransaction(TransactionalWork<R> work) throws Exception {
        if (completedInTransaction) {
            throw new IllegalStateException("job " + id + " was already completed in a transaction");
        }
        try (Connection connection = dataSource.getConnection()) {
            R result = Transactions.inTransaction(connection, c -> {
                R value = work.run(c);
                try (PreparedStatement ps = c.prepareStatement(JobSql.COMPLETE_ONE)) {
                    ps.setLong(1, id);
                    ps.setInt(2, attempt);
                    ps.setString(3, workerId);
                    if (ps.executeUpdate() != 1) {
                        throw new LeaseLostException(id, attempt);
                    }
                }
                return value;
            });
            completedInTransaction = true;
            return result;
        }
    }

    @Override
    public String toString() {
        return "job " + id + " (" + kind + ", queue " + queue + ", attempt " + attempt + "/" + maxAttempts + ")";
    }
}
