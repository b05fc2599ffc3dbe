package io.switchboard;

import java.time.Duration;
import java.util.Objects;

/**
 * Intervals of Switchboard's built-in maintenance schedules. They are ordinary schedules (named
 * {@code switchboard.*}): visible in the schedule list with their run history, pausable, and run on one
 * instance per slot.
 *
 * @param pruneJobsEvery      how often finished jobs past their retention are deleted ({@code switchboard.prune-jobs})
 * @param cleanupLeasesEvery  how often long-expired lease rows are deleted ({@code switchboard.cleanup-leases})
 * @param pruneHistoryEvery   how often run history and dead instances are pruned ({@code switchboard.prune-history})
 * @param runHistoryRetention how long schedule runs are kept
 * @param purgeRateLimitsEvery how often the state of idle rate-limit keys is deleted ({@code switchboard.purge-rate-limits})
 */
public record Maintenance(Duration pruneJobsEvery, Duration cleanupLeasesEvery, Duration pruneHistoryEvery,
                          Duration runHistoryRetention, Duration purgeRateLimitsEvery) {
    /** Every minute, every 10 minutes, every hour; history kept 30 days; idle rate-limit keys every 5 minutes. */
    public static final Maintenance DEFAULT = new Maintenance(Duration.ofMinutes(1), Duration.ofMinutes(10),
            Duration.ofHours(1), Duration.ofDays(30), Duration.ofMinutes(5));

    /** Validates every field. */
    public Maintenance {
        for (Duration d : new Duration[]{pruneJobsEvery, cleanupLeasesEvery, pruneHistoryEvery, runHistoryRetention,
                purgeRateLimitsEvery}) {
            Objects.requireNonNull(d, "maintenance interval");
            if (d.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("maintenance intervals and retention must be at least 1 s, was " + d);
            }
        }
    }
}
