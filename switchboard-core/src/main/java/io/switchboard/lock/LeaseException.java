package io.switchboard.lock;

/** The database could not carry out a lease operation (unreachable, failed over, ...). */
public class LeaseException extends RuntimeException {
    /** An exception with this message and cause. */
    public LeaseException(String message, Throwable cause) {
        super(message + ": " + cause.getMessage(), cause);
    }
}
