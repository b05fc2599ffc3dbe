package io.switchboard.schedule;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A schedule defined in code: its trigger, its task and how it behaves when slots are missed, when runs would
 * overlap and when the database is unreachable. Each slot runs exactly once across all instances, as a job of
 * the durable queue (so it is retried, dead-lettered, rescued after a crash like any job).
 *
 * <pre>{@code
 * Schedule.cron("nightly-reconcile", "0 3 * * *", ZoneId.of("Europe/Paris"), ctx -> billing.reconcile())
 *     .withMissedSlots(MissedSlotPolicy.RUN_ONCE);
 * Schedule.every("stale-sessions", Duration.ofMinutes(5), ctx -> sessions.cleanup());
 * }</pre>
 *
 * @param name                 unique name; letters, digits and {@code . _ : -}, at most 100 characters
 * @param trigger              when slots fall
 * @param task                 the work of one slot
 * @param missedSlots          policy for slots later than {@code grace} (default {@link MissedSlotPolicy#SKIP})
 * @param grace                how late a slot may still run normally (default 30 s)
 * @param allowOverlap         whether a slot may start while the previous run is unfinished (default false:
 *                             the later slot is recorded as skipped)
 * @param maxAttempts          attempts per run (default 3)
 * @param coordinationFailure  what to do when the database is unreachable at a slot (default {@link CoordinationFailure#SKIP})
 */
public record Schedule(String name, Trigger trigger, ScheduledTask task, MissedSlotPolicy missedSlots, Duration grace,
                       boolean allowOverlap, int maxAttempts, CoordinationFailure coordinationFailure) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:\\-]+");

    /** Validates every field. */
    public Schedule {
        if (name == null || name.isBlank() || name.length() > 100 || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("schedule name '" + name
                    + "' must be 1 to 100 letters, digits or . _ : -");
        }
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(missedSlots, "missedSlots");
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(coordinationFailure, "coordinationFailure");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, was " + grace);
        }
        if (maxAttempts < 1 || maxAttempts > 1000) {
            throw new IllegalArgumentException("maxAttempts must be between 1 and 1000, was " + maxAttempts);
        }
    }

    /** A cron schedule (5 or 6 fields) in {@code zone}, with the defaults. */
    public static Schedule cron(String name, String expression, ZoneId zone, ScheduledTask task) {
        return new Schedule(name, Trigger.cron(expression, zone), task, MissedSlotPolicy.SKIP, Duration.ofSeconds(30),
                false, 3, CoordinationFailure.SKIP);
    }

    /** A fixed-interval schedule, with the defaults. */
    public static Schedule every(String name, Duration interval, ScheduledTask task) {
        return new Schedule(name, Trigger.every(interval), task, MissedSlotPolicy.SKIP, Duration.ofSeconds(30),
                false, 3, CoordinationFailure.SKIP);
    }

    /** The same schedule with another missed-slot policy. */
    public Schedule withMissedSlots(MissedSlotPolicy policy) {
        return new Schedule(name, trigger, task, policy, grace, allowOverlap, maxAttempts, coordinationFailure);
    }

    /** The same schedule with another grace period. */
    public Schedule withGrace(Duration grace) {
        return new Schedule(name, trigger, task, missedSlots, grace, allowOverlap, maxAttempts, coordinationFailure);
    }

    /** The same schedule allowing (or not) overlapping runs. */
    public Schedule withOverlap(boolean allowOverlap) {
        return new Schedule(name, trigger, task, missedSlots, grace, allowOverlap, maxAttempts, coordinationFailure);
    }

    /** The same schedule with another number of attempts per run. */
    public Schedule withMaxAttempts(int maxAttempts) {
        return new Schedule(name, trigger, task, missedSlots, grace, allowOverlap, maxAttempts, coordinationFailure);
    }

    /** The same schedule with another coordination-failure policy. */
    public Schedule withCoordinationFailure(CoordinationFailure policy) {
        return new Schedule(name, trigger, task, missedSlots, grace, allowOverlap, maxAttempts, policy);
    }
}
