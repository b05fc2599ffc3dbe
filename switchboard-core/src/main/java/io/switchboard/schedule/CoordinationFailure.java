package io.switchboard.schedule;

/** What a schedule does when its slot comes and the database cannot be reached. Logged loudly either way. */
public enum CoordinationFailure {
    /** The slot is skipped on this instance (the default): no run without the database's guarantee. */
    SKIP,
    /**
     * The task runs here anyway ("fail open"), without run history and possibly on several instances at once:
     * only for work that is harmless to repeat.
     */
    RUN_LOCALLY
}
