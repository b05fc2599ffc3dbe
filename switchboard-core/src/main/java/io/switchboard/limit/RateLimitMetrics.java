package io.switchboard.limit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decision counters by policy: {@code switchboard.ratelimit.allowed} counts admitted requests under each policy,
 * {@code switchboard.ratelimit.denied} counts refusals by each policy that stood in the way (a request refused by
 * a stricter policy applied alongside is not counted as denied by the others). Tagged by policy name only,
 * never by client key, so the number of series stays bounded.
 */
final class RateLimitMetrics {
    private final MeterRegistry registry;
    private final Map<String, Counters> byPolicy = new ConcurrentHashMap<>();

    private record Counters(Counter allowed, Counter denied) {
    }

    RateLimitMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void record(RateLimitDecision decision, boolean blocked) {
        Counters counters = byPolicy.computeIfAbsent(decision.policy().name(), policy -> new Counters(
                Counter.builder("switchboard.ratelimit.allowed").tag("policy", policy)
                        .description("Requests admitted under a rate-limit policy").register(registry),
                Counter.builder("switchboard.ratelimit.denied").tag("policy", policy)
                        .description("Requests refused because a rate-limit policy's quota was used up").register(registry)));
        if (decision.allowed()) {
            counters.allowed().increment();
        } else if (blocked) {
            counters.denied().increment();
        }
    }
}
