package io.switchboard.limit;

import java.util.Objects;

/**
 * One policy to apply to one client key with a cost, for {@link RateLimiter#tryAcquireAll(java.util.List)}.
 *
 * @param policy the policy
 * @param key    the client key: 1 to {@value RateLimiter#MAX_KEY_LENGTH} characters, not blank
 * @param cost   quota units the request takes: from 1 to the policy's limit
 */
public record RateLimitRequest(RateLimit policy, String key, int cost) {
    /** Validates every component; throws {@link IllegalArgumentException} naming the bad one. */
    public RateLimitRequest {
        Objects.requireNonNull(policy, "policy");
        RateLimiter.requireKey(key);
        if (cost < 1) {
            throw new IllegalArgumentException(policy + ": cost must be at least 1, was " + cost);
        }
        if (cost > policy.limit()) {
            throw new IllegalArgumentException(policy + ": cost " + cost + " exceeds the limit, so it could never be admitted");
        }
    }

    /** {@code policy} applied to {@code key} with cost 1. */
    public static RateLimitRequest of(RateLimit policy, String key) {
        return new RateLimitRequest(policy, key, 1);
    }
}
