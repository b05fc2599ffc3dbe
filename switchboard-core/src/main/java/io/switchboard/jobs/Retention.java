package io.switchboard.jobs;

import java.time.Duration;
import java.util.Objects;

/**
 * How long finished jobs are kept before the pruner deletes them (in batches).
 *
 * @param completed age after which completed jobs are deleted
 * @param cancelled age after which cancelled jobs are deleted
 * @param dead      age after which dead-lettered jobs are deleted
 */
public record Retention(Duration completed, Duration cancelled, Duration dead) {
    /** Defaults: completed and cancelled kept 1 day, dead letters 14 days. */
    public static final Retention DEFAULT = new Retention(Duration.ofDays(1), Duration.ofDays(1), Duration.ofDays(14));

    /** Validates every field. */
    public Retention {
        for (Duration d : new Duration[]{completed, cancelled, dead}) {
            Objects.requireNonNull(d, "retention");
            if (d.isNegative()) {
                throw new IllegalArgumentException("retention must not be negative, was " + d);
            }
        }
    }
}
