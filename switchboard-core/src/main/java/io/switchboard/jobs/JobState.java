package io.switchboard.jobs;

import java.util.Locale;

/** The states of a job; see {@code docs/job-states.md} for every transition and who makes it. */
public enum JobState {
    /** Waiting for its {@code runAt} (delayed job, or a retry backing off). */
    SCHEDULED,
    /** Ready to be claimed by a worker. */
    AVAILABLE,
    /** Claimed by a worker that holds a lease on it. */
    RUNNING,
    /** Finished successfully. Terminal. */
    COMPLETED,
    /** Cancelled before or while running. Terminal (can be replayed). */
    CANCELLED,
    /** Failed its last attempt, or failed permanently: the dead letter. Terminal (can be replayed). */
    DEAD;

    /** The value stored in the {@code state} column. */
    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether no worker will touch the job again unless it is replayed. */
    public boolean isFinished() {
        return this == COMPLETED || this == CANCELLED || this == DEAD;
    }

    static JobState fromDb(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
