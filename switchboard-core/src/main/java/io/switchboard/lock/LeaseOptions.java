package io.switchboard.lock;

import java.time.Duration;
import java.util.Objects;

/**
 * How a lease is held.
 *
 * @param ttl         how long the lease lasts without renewal (lock-at-most when not kept alive), at least 100 ms
 * @param keepAlive   whether this instance renews it automatically every third of the TTL until released
 * @param lockAtLeast minimum time the lease stays taken after acquisition, even if released earlier (for
 *                    scheduled work: a very fast run on one instance does not let another run right after it)
 */
public record LeaseOptions(Duration ttl, boolean keepAlive, Duration lockAtLeast) {
    /** Validates every field. */
    public LeaseOptions {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(lockAtLeast, "lockAtLeast");
        if (ttl.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("lease ttl must be at least 100 ms, was " + ttl);
        }
        if (lockAtLeast.isNegative()) {
            throw new IllegalArgumentException("lockAtLeast must not be negative, was " + lockAtLeast);
        }
        if (lockAtLeast.compareTo(ttl) > 0 && !keepAlive) {
            throw new IllegalArgumentException("lockAtLeast (" + lockAtLeast + ") must not exceed the ttl (" + ttl + ")");
        }
    }

    /** A lease of {@code ttl} kept alive automatically while held. */
    public static LeaseOptions keptAlive(Duration ttl) {
        return new LeaseOptions(ttl, true, Duration.ZERO);
    }

    /** A lease of exactly {@code ttl} unless renewed by hand (lock-at-most {@code ttl}). */
    public static LeaseOptions fixed(Duration ttl) {
        return new LeaseOptions(ttl, false, Duration.ZERO);
    }

    /** The same options with a lock-at-least duration. */
    public LeaseOptions withLockAtLeast(Duration lockAtLeast) {
        return new LeaseOptions(ttl, keepAlive, lockAtLeast);
    }
}
