package io.switchboard.lock;

import java.time.Duration;

/** The lease stayed held by someone else for the whole wait. */
public class LeaseUnavailableException extends RuntimeException {
    /** An exception naming the lease and how long was waited. */
    public LeaseUnavailableException(String name, Duration waited) {
        super("lease '" + name + "' is held by another holder; waited " + waited.toMillis() + " ms");
    }
}
