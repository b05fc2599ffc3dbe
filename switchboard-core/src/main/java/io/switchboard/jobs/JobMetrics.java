package io.switchboard.jobs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Micrometer meters of the queue. Counters are tagged by queue and kind; depth and lag gauges by queue are
 * refreshed from the database by the maintenance loop (they show the whole cluster, not one instance).
 */
final class JobMetrics {
    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();
    /** The meters every job touches, found once per (queue, kind) instead of by name on every job. */
    private final Map<QueueKind, RunMeters> runMeters = new ConcurrentHashMap<>();

    private record QueueKind(String queue, String kind) {
    }

    private record RunMeters(Counter started, Timer lag, Counter completed, Timer duration) {
    }

    JobMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void enqueued(String queue, String kind, int count) {
        counter("switchboard.jobs.enqueued", queue, kind).increment(count);
    }

    void started(String queue, String kind, long lagMillis) {
        RunMeters meters = runMeters(queue, kind);
        meters.started().increment();
        meters.lag().record(Math.max(0, lagMillis), TimeUnit.MILLISECONDS);
    }

    void completed(String queue, String kind, long runNanos) {
        RunMeters meters = runMeters(queue, kind);
        meters.completed().increment();
        meters.duration().record(runNanos, TimeUnit.NANOSECONDS);
    }

    private RunMeters runMeters(String queue, String kind) {
        return runMeters.computeIfAbsent(new QueueKind(queue, kind), k -> new RunMeters(
                counter("switchboard.jobs.started", queue, kind), timer("switchboard.jobs.lag", queue, kind),
                counter("switchboard.jobs.completed", queue, kind), timer("switchboard.jobs.duration", queue, kind)));
    }

    void failed(String queue, String kind) {
        counter("switchboard.jobs.failed", queue, kind).increment();
    }

    void dead(String queue, String kind) {
        counter("switchboard.jobs.dead", queue, kind).increment();
    }

    void cancelled(String queue, String kind) {
        counter("switchboard.jobs.cancelled", queue, kind).increment();
    }

    void rescued(String queue, int count) {
        counter("switchboard.jobs.rescued", queue, "*").increment(count);
    }

    void refresh(List<QueueStats> stats) {
        for (QueueStats s : stats) {
            gauge("switchboard.jobs.depth", s.queue(), "available").set(s.available());
            gauge("switchboard.jobs.depth", s.queue(), "scheduled").set(s.scheduled());
            gauge("switchboard.jobs.depth", s.queue(), "running").set(s.running());
            gauge("switchboard.jobs.depth", s.queue(), "dead").set(s.dead());
            gauge("switchboard.jobs.queue.lag.ms", s.queue(), null).set(s.lag().toMillis());
        }
        // Queues that emptied since the last refresh drop to zero instead of showing stale numbers.
        gauges.forEach((key, value) -> {
            String queue = key.split("\\|", -1)[1];
            if (stats.stream().noneMatch(s -> s.queue().equals(queue))) {
                value.set(0);
            }
        });
    }

    private Counter counter(String name, String queue, String kind) {
        return counters.computeIfAbsent(name + '|' + queue + '|' + kind,
                k -> Counter.builder(name).tag("queue", queue).tag("kind", kind).register(registry));
    }

    private Timer timer(String name, String queue, String kind) {
        return timers.computeIfAbsent(name + '|' + queue + '|' + kind,
                k -> Timer.builder(name).tag("queue", queue).tag("kind", kind)
                        .publishPercentiles(0.5, 0.99).register(registry));
    }

    private AtomicLong gauge(String name, String queue, String state) {
        Function<String, AtomicLong> create = k -> {
            AtomicLong value = new AtomicLong();
            Gauge.Builder<AtomicLong> builder = Gauge.builder(name, value, AtomicLong::doubleValue).tag("queue", queue);
            if (state != null) {
                builder.tag("state", state);
            }
            builder.register(registry);
            return value;
        };
        return gauges.computeIfAbsent(name + '|' + queue + '|' + state, create);
    }
}
