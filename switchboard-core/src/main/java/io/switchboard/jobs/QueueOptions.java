package io.switchboard.jobs;

import java.time.Duration;
import java.util.Objects;

/**
 * How this instance works one queue.
 *
 * @param name          queue name
 * @param concurrency   handlers of this queue running at once on this instance
 * @param leaseDuration how long a claim lasts without a heartbeat; a dead worker's jobs are rescued after it
 * @param pollInterval  how often the queue is polled when no notification arrives (fallback for LISTEN/NOTIFY)
 */
public record QueueOptions(String name, int concurrency, Duration leaseDuration, Duration pollInterval) {
    /** Name of the queue jobs go to when none is given. */
    public static final String DEFAULT_QUEUE = "default";
    /** Default lease: with heartbeats every third of it and a rescue sweep every 5 s, a dead worker's jobs run again within 20 s. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(15);

    /** Validates every field. */
    public QueueOptions {
        Names.requireValid("queue", name, 100);
        if (concurrency < 1 || concurrency > 10_000) {
            throw new IllegalArgumentException("concurrency of queue '" + name + "' must be between 1 and 10000, was " + concurrency);
        }
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (leaseDuration.compareTo(Duration.ofMillis(300)) < 0) {
            throw new IllegalArgumentException("leaseDuration of queue '" + name + "' must be at least 300 ms, was " + leaseDuration);
        }
        if (pollInterval.compareTo(Duration.ofMillis(10)) < 0) {
            throw new IllegalArgumentException("pollInterval of queue '" + name + "' must be at least 10 ms, was " + pollInterval);
        }
    }

    /** Defaults for {@code name}: 16 concurrent handlers, 15 s lease, 2 s polling fallback. */
    public static QueueOptions defaults(String name) {
        return new QueueOptions(name, 16, DEFAULT_LEASE, Duration.ofSeconds(2));
    }

    /** The same options with another concurrency. */
    public QueueOptions withConcurrency(int concurrency) {
        return new QueueOptions(name, concurrency, leaseDuration, pollInterval);
    }

    /** The same options with another lease duration. */
    public QueueOptions withLeaseDuration(Duration leaseDuration) {
        return new QueueOptions(name, concurrency, leaseDuration, pollInterval);
    }

    /** The same options with another polling interval. */
    public QueueOptions withPollInterval(Duration pollInterval) {
        return new QueueOptions(name, concurrency, leaseDuration, pollInterval);
    }
}
