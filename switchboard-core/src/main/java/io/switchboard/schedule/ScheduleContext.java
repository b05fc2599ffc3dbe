package io.switchboard.schedule;

import io.switchboard.jobs.JobContext;

import java.time.Instant;

/** What a scheduled task knows about the run it does. */
public interface ScheduleContext {
    /** The schedule's name. */
    String schedule();

    /** The run's id in the run history ({@code schedule_runs.id}); -1 for a local run without the database. */
    long runId();

    /** Whether this run happens locally because the database is unreachable (no history, no transaction). */
    boolean local();

    /** The slot this run is for (a manual trigger's slot is the time it was triggered). */
    Instant slot();

    /** Whether an operator triggered this run by hand. */
    boolean manual();

    /** This attempt's number, from 1. */
    int attempt();

    /** Whether the run should stop early (cancelled, lease lost, shutdown). */
    boolean isCancellationRequested();

    /**
     * Commits the task's writes together with the run's success (and its job's completion): exactly-once
     * effects for the slot. Not available for runs made locally while the database is unreachable.
     */
    <R> R completeInTransaction(JobContext.TransactionalWork<R> work) throws Exception;
}
