package io.switchboard.server.webhooks.processing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Processing meters: {@code switchboard.webhooks.processed{provider,type}}, {@code .unhandled{provider,type}}
 * (completed without a handler), {@code .failed{provider}}, {@code .dead{provider}} and the end-to-end timer
 * {@code switchboard.webhooks.latency{provider}} from receipt to completion. The per-event meters are kept once looked
 * up (a registry lookup per event costs more than the recording).
 */
public class WebhookMetrics {
    private record Type(String provider, String type) {
    }

    private final MeterRegistry registry;
    private final Map<Type, Counter> processed = new ConcurrentHashMap<>();
    private final Map<Type, Counter> unhandled = new ConcurrentHashMap<>();
    private final Map<String, Timer> latency = new ConcurrentHashMap<>();

    public WebhookMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void processed(String provider, String type, Duration receivedToProcessed) {
        processed.computeIfAbsent(new Type(provider, type), t -> Counter.builder("switchboard.webhooks.processed")
                .description("Webhook events processed").tags("provider", t.provider(), "type", t.type())
                .register(registry)).increment();
        latency.computeIfAbsent(provider, p -> Timer.builder("switchboard.webhooks.latency")
                .description("Webhook events from receipt to processed").tag("provider", p)
                .publishPercentileHistogram().register(registry)).record(receivedToProcessed);
    }

    void unhandled(String provider, String type) {
        unhandled.computeIfAbsent(new Type(provider, type), t -> Counter.builder("switchboard.webhooks.unhandled")
                .description("Webhook events completed without a handler").tags("provider", t.provider(), "type", t.type())
                .register(registry)).increment();
    }

    void failed(String provider) {
        Counter.builder("switchboard.webhooks.failed").description("Failed webhook processing attempts")
                .tag("provider", provider).register(registry).increment();
    }

    void dead(String provider) {
        Counter.builder("switchboard.webhooks.dead").description("Webhook events dead-lettered")
                .tag("provider", provider).register(registry).increment();
    }
}
