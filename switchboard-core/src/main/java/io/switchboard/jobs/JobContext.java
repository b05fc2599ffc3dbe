package io.switchboard.jobs;

import java.sql.Connection;

/** What a handler knows about the attempt it runs, and the way to commit its effects with its completion. */
public interface JobContext {
    /** The job's id. */
    long jobId();

    /** The job's kind name. */
    String kind();

    /** The job's queue. */
    String queue();

    /** This attempt's number, from 1. */
    int attempt();

    /** Attempts allowed in all. */
    int maxAttempts();

    /**
     * Whether the job was cancelled while running, or this instance lost or is giving up its claim (lease lost,
     * shutdown). Long handlers should check it and return early; the job then ends cancelled (or is retried by
     * the instance that holds it now).
     */
    boolean isCancellationRequested();

    /**
     * Runs {@code work} in a new database transaction that also marks this job completed, so the handler's
     * writes and the completion commit together or not at all: a crash before the commit re-runs the job with
     * none of its effects applied. If this attempt no longer owns the job the transaction rolls back and
     * {@link LeaseLostException} is thrown. Call it at most once, as the handler's last step.
     */
    <R> R completeInTransaction(TransactionalWork<R> work) throws Exception;

    /** Work done on a connection inside a transaction that the engine commits or rolls back. */
    @FunctionalInterface
    interface TransactionalWork<R> {
        /** Does the work; do not commit, roll back or close the connection. */
        R run(Connection connection) throws Exception;
    }
}
