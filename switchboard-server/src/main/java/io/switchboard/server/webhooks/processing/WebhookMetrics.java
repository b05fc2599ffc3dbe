package io.switchboard.server.webhooks.processing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/**
 * Processing meters: {@code switchboard.webhooks.processed{provider,type}}, {@code .unhandled{provider,type}}
 * (completed without a handler), {@code .failed{provider}}, {@code .dead{provider}} and the end-to-end timer
 * {@code switchboard.webhooks.latency{provider}} from receipt to completion.
 */
public class WebhookMetrics {
    private final MeterRegistry registry;

    public WebhookMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void processed(String provider, String type, Duration receivedToProcessed) {
        Counter.builder("switchboard.webhooks.processed").description("Webhook events processed")
                .tags("provider", provider, "type", type).register(registry).increment();
        Timer.builder("switchboard.webhooks.latency").description("Webhook events from receipt to processed")
                .tag("provider", provider).publishPercentileHistogram().register(registry).record(receivedToProcessed);
    }

    void unhandled(String provider, String type) {
        Counter.builder("switchboard.webhooks.unhandled").description("Webhook events completed without a handler")
                .tags("provider", provider, "type", type).register(registry).increment();
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
