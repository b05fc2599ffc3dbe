package io.switchboard.jobs;

/** What a {@link BatchJobHandler} knows about its run, and the way to commit its effects with the jobs' completion. */
public interface BatchContext {
    /** The jobs' kind name. */
    String kind();

    /** The jobs' queue. */
    String queue();

    /**
     * Whether this instance is giving the run's jobs up (shutdown) or lost the lease of one of them: the handler
     * should return early; jobs whose completion was not committed run again.
     */
    boolean isCancellationRequested();

    /**
     * Runs {@code work} in a new database transaction that also marks every job of the run completed, so the
     * handler's writes and the completions commit together or not at all. If this instance no longer owns one of
     * the jobs, the transaction rolls back and {@link LeaseLostException} is thrown. Call it at most once, as the
     * handler's last step.
     */
    <R> R completeInTransaction(JobContext.TransactionalWork<R> work) throws Exception;
}
