package io.switchboard.jobs;

import io.switchboard.db.DatabaseException;

/** The database could not carry out a queue operation (unreachable, failed over, ...). Safe to retry. */
public class JobQueueException extends DatabaseException {
    /** An exception with this message and cause. */
    public JobQueueException(String message, Throwable cause) {
        super(message, cause);
    }
}
