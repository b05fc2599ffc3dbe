package io.switchboard.server.webhooks.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Meters of ingestion: {@code switchboard.webhooks.received}, {@code .duplicates} (by provider),
 * {@code .rejected} (by provider and reason) and the timer {@code switchboard.webhooks.ingest} of every request
 * (by provider and outcome). The meters of every request are kept once looked up: tags are registered provider
 * names and HTTP statuses, a small set, and a registry lookup per request costs more than the recording.
 */
class IngestMetrics {
    private record Key(String provider, String detail) {
    }

    private final MeterRegistry registry;
    private final Map<String, Counter> received = new ConcurrentHashMap<>();
    private final Map<String, Counter> duplicates = new ConcurrentHashMap<>();
    private final Map<Key, Timer> timers = new ConcurrentHashMap<>();

    IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void received(String provider, boolean duplicate) {
        received.computeIfAbsent(provider, p -> counter("switchboard.webhooks.received", p)).increment();
        if (duplicate) {
            duplicates.computeIfAbsent(provider, p -> counter("switchboard.webhooks.duplicates", p)).increment();
        }
    }

    void rejected(String provider, String reason) {
        Counter.builder("switchboard.webhooks.rejected").tag("provider", provider).tag("reason", reason)
                .register(registry).increment();
    }

    void timed(String provider, String outcome, long startNanos) {
        timers.computeIfAbsent(new Key(provider, outcome), k -> Timer.builder("switchboard.webhooks.ingest")
                        .tag("provider", k.provider()).tag("outcome", k.detail()).publishPercentileHistogram().register(registry))
                .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    private Counter counter(String name, String provider) {
        return Counter.builder(name).tag("provider", provider).register(registry);
    }
}
