package io.switchboard.limit;

import java.time.Duration;
import java.util.Objects;

/**
 * The limiter's answer for one policy and client key, computed on database time.
 *
 * @param policy     the policy applied
 * @param key        the client key it was applied to
 * @param allowed    whether the request was admitted (and its cost taken from the quota)
 * @param remaining  requests of cost 1 the key could still make right now, after this one if it was admitted
 * @param resetAfter how long until the key's quota is whole again if it makes no further requests
 * @param retryAfter zero if admitted; otherwise how long until this policy would admit the same request
 */
public record RateLimitDecision(RateLimit policy, String key, boolean allowed, int remaining, Duration resetAfter,
                                Duration retryAfter) {
    /** Validates every component. */
    public RateLimitDecision {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(resetAfter, "resetAfter");
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (remaining < 0) {
            throw new IllegalArgumentException("remaining must not be negative, was " + remaining);
        }
    }

    /** The policy's limit per window. */
    public int limit() {
        return policy.limit();
    }

    /** Whether the request was denied. */
    public boolean denied() {
        return !allowed;
    }
}
