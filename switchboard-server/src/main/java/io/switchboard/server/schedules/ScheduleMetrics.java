package io.switchboard.server.schedules;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.schedule.ScheduleRun;
import io.switchboard.schedule.ScheduleStatus;
import io.switchboard.schedule.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Gauges per schedule, tagged {@code schedule}, read from the database every 10 s (so they show the cluster's
 * view, and a scrape never waits for the database): next slot (epoch seconds), paused (1/0), duration of the
 * latest finished run (seconds) and whether it succeeded (1/0). NaN until known.
 */
@Component
class ScheduleMetrics {
    private static final Logger log = LoggerFactory.getLogger(ScheduleMetrics.class);

    private final Scheduler scheduler;
    private final Map<String, Values> values = new LinkedHashMap<>();

    ScheduleMetrics(Scheduler scheduler, MeterRegistry registry) {
        this.scheduler = scheduler;
        for (String name : scheduler.names()) {
            Values v = new Values();
            values.put(name, v);
            gauge(registry, "switchboard.schedule.next.slot", name, v, x -> x.nextSlot, "seconds",
                    "Next slot not yet fired, in seconds since the epoch");
            gauge(registry, "switchboard.schedule.paused", name, v, x -> x.paused, null,
                    "1 while the schedule is paused");
            gauge(registry, "switchboard.schedule.last.run.duration", name, v, x -> x.lastDuration, "seconds",
                    "Duration of the latest finished run");
            gauge(registry, "switchboard.schedule.last.run.success", name, v, x -> x.lastSuccess, null,
                    "1 if the latest finished run succeeded, 0 if it failed or died");
        }
    }

    @Scheduled(initialDelay = 0, fixedDelay = 10, timeUnit = TimeUnit.SECONDS)
    void refresh() {
        try {
            for (ScheduleStatus status : scheduler.list()) {
                Values v = values.get(status.name());
                if (v != null) {
                    v.update(status);
                }
            }
        } catch (RuntimeException e) {
            // The scheduler logs an unreachable database loudly; the gauges keep their last values meanwhile.
            log.debug("Schedule gauges not refreshed: {}", e.toString());
        }
    }

    private static void gauge(MeterRegistry registry, String meter, String schedule, Values values,
                              ToDoubleFunction<Values> read, String unit, String description) {
        Gauge.builder(meter, values, read).tag("schedule", schedule).baseUnit(unit).description(description)
                .register(registry);
    }

    /** The latest values of one schedule; gauges read them, the refresh writes them. */
    private static final class Values {
        volatile double nextSlot = Double.NaN;
        volatile double paused = Double.NaN;
        volatile double lastDuration = Double.NaN;
        volatile double lastSuccess = Double.NaN;

        void update(ScheduleStatus status) {
            nextSlot = status.nextSlotAt() == null ? Double.NaN : status.nextSlotAt().toEpochMilli() / 1000.0;
            paused = status.paused() ? 1 : 0;
            ScheduleRun run = status.lastRun();
            // An unfinished or skipped latest run says nothing new: the values of the run before it stand.
            if (run == null) {
                return;
            }
            switch (run.status()) {
                case "succeeded", "local" -> lastSuccess = 1;
                case "failed", "dead" -> lastSuccess = 0;
                default -> {
                    return;
                }
            }
            if (run.duration() != null) {
                lastDuration = run.duration().toNanos() / 1e9;
            }
        }
    }
}
