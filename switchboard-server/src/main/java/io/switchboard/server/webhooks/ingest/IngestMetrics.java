package io.switchboard.server.webhooks.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Meters of ingestion: {@code switchboard.webhooks.received}, {@code .duplicates} (by provider),
 * {@code .rejected} (by provider and reason) and the timer {@code switchboard.webhooks.ingest} of every request
 * (by provider and outcome).
 */
class IngestMetrics {
    private final MeterRegistry registry;

    IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void received(String provider, boolean duplicate) {
        Counter.builder("switchboard.webhooks.received").tag("provider", provider).register(registry).increment();
        if (duplicate) {
            Counter.builder("switchboard.webhooks.duplicates").tag("provider", provider).register(registry).increment();
        }
    }

    void rejected(String provider, String reason) {
        Counter.builder("switchboard.webhooks.rejected").tag("provider", provider).tag("reason", reason)
                .register(registry).increment();
    }

    void timed(String provider, String outcome, long startNanos) {
        Timer.builder("switchboard.webhooks.ingest").tag("provider", provider).tag("outcome", outcome)
                .publishPercentileHistogram().register(registry).record(System.nanoTime() - startNanos,
                        java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
