package io.switchboard.jobs;

/** Outcome of {@link JobQueue#cancel(long)}. */
public enum CancelResult {
    /** The job had not started; it is now cancelled. */
    CANCELLED,
    /** The job is running; its handler sees {@link JobContext#isCancellationRequested()} and it ends cancelled. */
    CANCEL_REQUESTED,
    /** The job had already finished; nothing changed. */
    ALREADY_FINISHED
}
