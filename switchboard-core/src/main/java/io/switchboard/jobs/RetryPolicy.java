package io.switchboard.jobs;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often a job kind is attempted and how long it waits between attempts: exponential backoff
 * ({@code initialBackoff * multiplier^(attempt-1)}, capped at {@code maxBackoff}) with random jitter of
 * {@code ±jitter} of the delay, so that failures of many jobs at once do not retry in lockstep.
 *
 * @param maxAttempts    attempts before the job is dead-lettered, 1 to 1000
 * @param initialBackoff delay after the first failure
 * @param multiplier     growth factor per attempt, at least 1
 * @param maxBackoff     cap on the delay
 * @param jitter         fraction of random spread, 0 to 1
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff, double jitter) {
    /** The default: 10 attempts, 1 s doubling up to 1 h, ±20 % jitter (about 8.5 minutes until dead in all). */
    public static final RetryPolicy DEFAULT = new RetryPolicy(10, Duration.ofSeconds(1), 2.0, Duration.ofHours(1), 0.2);

    /** Validates every field. */
    public RetryPolicy {
        if (maxAttempts < 1 || maxAttempts > 1000) {
            throw new IllegalArgumentException("maxAttempts must be between 1 and 1000, was " + maxAttempts);
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("backoff durations must not be negative");
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff must not be shorter than initialBackoff");
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be a finite number >= 1, was " + multiplier);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("jitter must be between 0 and 1, was " + jitter);
        }
    }

    /** Exponential backoff with the default timings and {@code maxAttempts} attempts. */
    public static RetryPolicy maxAttempts(int maxAttempts) {
        return new RetryPolicy(maxAttempts, DEFAULT.initialBackoff, DEFAULT.multiplier, DEFAULT.maxBackoff, DEFAULT.jitter);
    }

    /** The same policy with another backoff: {@code initial}, multiplied by {@code multiplier} each attempt. */
    public RetryPolicy withBackoff(Duration initial, double multiplier) {
        Duration max = maxBackoff.compareTo(initial) < 0 ? initial : maxBackoff;
        return new RetryPolicy(maxAttempts, initial, multiplier, max, jitter);
    }

    /** The same policy with another jitter fraction. */
    public RetryPolicy withJitter(double jitter) {
        return new RetryPolicy(maxAttempts, initialBackoff, multiplier, maxBackoff, jitter);
    }

    /** The delay before the attempt after failed attempt number {@code attempt} (from 1), jitter included. */
    public Duration backoffAfter(int attempt) {
        double base = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        double capped = Math.min(base, maxBackoff.toMillis());
        double spread = capped * jitter;
        double withJitter = capped + (spread == 0 ? 0 : ThreadLocalRandom.current().nextDouble(-spread, spread));
        return Duration.ofMillis(Math.max(0, Math.round(withJitter)));
    }
}
