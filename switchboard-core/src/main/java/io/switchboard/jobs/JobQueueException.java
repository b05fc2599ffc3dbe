package io.switchboard.jobs;

/** The database could not carry out a queue operation (unreachable, failed over, ...). Safe to retry. */
public class JobQueueException extends RuntimeException {
    /** An exception with this message and cause. */
    public JobQueueException(String message, Throwable cause) {
        super(message + (cause == null ? "" : ": " + cause.getMessage()), cause);
    }
}
