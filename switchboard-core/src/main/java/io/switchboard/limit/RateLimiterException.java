package io.switchboard.limit;

import io.switchboard.db.DatabaseException;

/**
 * The database could not decide (unreachable, restarting, failed over, ...). Nothing was taken from any quota
 * unless the statement committed, which an exception here means it did not; retrying is safe.
 */
public class RateLimiterException extends DatabaseException {
    /** An exception with this message and cause. */
    public RateLimiterException(String message, Throwable cause) {
        super(message, cause);
    }
}
