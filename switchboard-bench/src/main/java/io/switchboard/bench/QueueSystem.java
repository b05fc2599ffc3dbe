package io.switchboard.bench;

import java.sql.SQLException;

/**
 * One job queue under test, on a fresh database of its own. Every job carries one number: its sequence
 * within the workload, which the workload maps to whatever it measures (enqueue time, completion).
 * Closing stops the workers, if started.
 */
interface QueueSystem extends AutoCloseable {

    /** Called on the handler's thread when a job starts running. */
    @FunctionalInterface
    interface JobSink {
        void started(long sequence);
    }

    /** Name shown in the report. */
    String name();

    /** The configuration the figures were measured with, for the report. */
    String configuration();

    /** Enqueues one job in a transaction of its own; durable on return. */
    void enqueueOne(long sequence) throws Exception;

    /** Enqueues {@code count} jobs numbered from {@code firstSequence} with the system's bulk API. */
    void enqueueBatch(long firstSequence, int count) throws Exception;

    /** Starts running jobs; each calls {@code sink} when it starts. */
    void startWorkers(JobSink sink) throws Exception;

    /** Jobs not yet durably finished, read from the database. */
    long unfinished() throws SQLException;

    /** Jobs the database shows were started more than once (e.g. re-run after a lost lease); -1 if it cannot tell. */
    default long startedMoreThanOnce() throws SQLException {
        return -1;
    }

    @Override
    void close() throws Exception;
}
