package io.switchboard.lock;

import io.switchboard.db.DatabaseException;

/** The database could not carry out a lease operation (unreachable, failed over, ...). */
public class LeaseException extends DatabaseException {
    /** An exception with this message and cause. */
    public LeaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
