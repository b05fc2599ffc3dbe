package io.switchboard.lock;

/**
 * A write guarded by a fencing token was refused: the lease expired or passed to a newer holder (with a larger
 * token) since this holder took it — for example after a long GC pause. The caller's transaction must roll back.
 */
public class StaleLeaseException extends RuntimeException {
    /** An exception naming the lease and the stale token. */
    public StaleLeaseException(String name, long fencingToken) {
        super("lease '" + name + "' is no longer held with fencing token " + fencingToken
                + " (expired or taken over); the guarded write is refused");
    }
}
