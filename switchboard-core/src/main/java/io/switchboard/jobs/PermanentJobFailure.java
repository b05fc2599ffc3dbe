package io.switchboard.jobs;

/** Thrown by a handler when retrying cannot help: the job is dead-lettered at once. */
public class PermanentJobFailure extends RuntimeException {
    /** A permanent failure with this message. */
    public PermanentJobFailure(String message) {
        super(message);
    }

    /** A permanent failure with this message and cause. */
    public PermanentJobFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
