package io.switchboard.idempotency;

import java.time.Duration;
import java.util.Objects;

/**
 * How long idempotency keys live and how the store is maintained.
 *
 * @param keyTtl        how long a key is remembered after its first request began; afterwards it is treated as
 *                      absent (the same key runs again) and the reaper deletes it
 * @param inFlightLease how long the first request may run before a retry may take its key over; it covers a
 *                      request whose process died. Choose it above the longest request time
 * @param reapEvery     how often the maintenance schedule {@code switchboard.reap-idempotency-keys} runs
 * @param reapBatchSize how many expired keys one delete statement removes
 */
public record IdempotencyOptions(Duration keyTtl, Duration inFlightLease, Duration reapEvery, int reapBatchSize) {
    /** Keys kept 24 h, in-flight lease 60 s, reaped every 10 minutes in batches of 1,000. */
    public static final IdempotencyOptions DEFAULT = new IdempotencyOptions(Duration.ofHours(24), Duration.ofSeconds(60),
            Duration.ofMinutes(10), 1000);

    /** Validates every field. */
    public IdempotencyOptions {
        atLeast("keyTtl", keyTtl, Duration.ofSeconds(1));
        atLeast("inFlightLease", inFlightLease, Duration.ofMillis(100));
        atLeast("reapEvery", reapEvery, Duration.ofSeconds(1));
        if (inFlightLease.compareTo(keyTtl) > 0) {
            throw new IllegalArgumentException("inFlightLease (" + inFlightLease + ") must not exceed keyTtl (" + keyTtl + ")");
        }
        if (reapBatchSize < 1 || reapBatchSize > 100_000) {
            throw new IllegalArgumentException("reapBatchSize must be between 1 and 100000, was " + reapBatchSize);
        }
    }

    /** These options with another key lifetime. */
    public IdempotencyOptions withKeyTtl(Duration keyTtl) {
        return new IdempotencyOptions(keyTtl, inFlightLease, reapEvery, reapBatchSize);
    }

    /** These options with another in-flight lease. */
    public IdempotencyOptions withInFlightLease(Duration inFlightLease) {
        return new IdempotencyOptions(keyTtl, inFlightLease, reapEvery, reapBatchSize);
    }

    private static void atLeast(String name, Duration value, Duration min) {
        Objects.requireNonNull(value, name);
        if (value.compareTo(min) < 0) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
        }
    }
}
