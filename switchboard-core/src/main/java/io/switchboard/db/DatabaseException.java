package io.switchboard.db;

/**
 * The database could not carry out an operation (unreachable, restarting, failed over, ...). Every Switchboard
 * capability reports database trouble with this type or a subtype, so callers can map it in one place (the
 * server answers 503). The operation changed nothing it did not commit; retrying is safe.
 */
public class DatabaseException extends RuntimeException {
    /** An exception with this message and cause; the cause's message is appended. */
    public DatabaseException(String message, Throwable cause) {
        super(message + (cause == null ? "" : ": " + cause.getMessage()), cause);
    }
}
