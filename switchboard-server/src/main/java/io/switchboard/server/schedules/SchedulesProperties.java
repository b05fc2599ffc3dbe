package io.switchboard.server.schedules;

import io.switchboard.Maintenance;
import io.switchboard.schedule.CoordinationFailure;
import io.switchboard.schedule.MissedSlotPolicy;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Schedules defined in configuration ({@code switchboard.schedules.<name>.*}) and the intervals of the built-in
 * maintenance schedules ({@code switchboard.maintenance.*}). Settings left out take the core's defaults.
 *
 * @param schedules   schedules by name
 * @param maintenance intervals of {@code switchboard.prune-jobs}, {@code switchboard.cleanup-leases},
 *                    {@code switchboard.prune-history} and {@code switchboard.purge-rate-limits}
 */
@ConfigurationProperties("switchboard")
public record SchedulesProperties(Map<String, ScheduleSettings> schedules, @DefaultValue MaintenanceSettings maintenance) {
    public SchedulesProperties {
        schedules = schedules == null ? Map.of() : new LinkedHashMap<>(schedules);
    }

    /**
     * One schedule: each slot enqueues a job of {@code kind} with {@code args}, in the same transaction that
     * records the run as succeeded.
     *
     * @param cron               cron expression, 5 fields (Unix) or 6 with seconds first; or use {@code every}
     * @param zone               time zone of {@code cron} (default UTC)
     * @param every              fixed interval, aligned to the Unix epoch (30s fires at :00 and :30); or use {@code cron}
     * @param kind               a job kind this server runs
     * @param args               the job's arguments (default {})
     * @param missedSlots        skip, run-once or catch-up (default skip)
     * @param catchUpMax         with catch-up: at most this many of the latest missed slots run (default 10)
     * @param grace              how late a slot may still run normally (default 30s)
     * @param allowOverlap       whether a slot may start while the previous run is unfinished (default false)
     * @param maxAttempts        attempts per run (default 3)
     * @param coordinationFailure what to do when the database is unreachable at a slot: only skip (the default) works,
     *                           since enqueueing the job needs the database; run-locally is refused
     */
    public record ScheduleSettings(String cron, String zone, Duration every, String kind, Map<String, Object> args,
                                   MissedSlotPolicy.Mode missedSlots, Integer catchUpMax, Duration grace,
                                   Boolean allowOverlap, Integer maxAttempts, CoordinationFailure coordinationFailure) {
        public ScheduleSettings {
            args = args == null ? Map.of() : new LinkedHashMap<>(args);
        }
    }

    /**
     * Intervals of the built-in maintenance schedules; each left out keeps {@link Maintenance#DEFAULT}'s value.
     *
     * @param pruneJobsEvery      how often finished jobs past their retention are deleted (default 1m)
     * @param cleanupLeasesEvery  how often long-expired lease rows are deleted (default 10m)
     * @param pruneHistoryEvery   how often run history and dead instances are pruned (default 1h)
     * @param runHistoryRetention how long schedule runs are kept (default 30d)
     * @param purgeRateLimitsEvery how often the state of idle rate-limit keys is deleted (default 5m)
     */
    public record MaintenanceSettings(Duration pruneJobsEvery, Duration cleanupLeasesEvery, Duration pruneHistoryEvery,
                                      Duration runHistoryRetention, Duration purgeRateLimitsEvery) {
        Maintenance toMaintenance() {
            Maintenance d = Maintenance.DEFAULT;
            return new Maintenance(or(pruneJobsEvery, d.pruneJobsEvery()), or(cleanupLeasesEvery, d.cleanupLeasesEvery()),
                    or(pruneHistoryEvery, d.pruneHistoryEvery()), or(runHistoryRetention, d.runHistoryRetention()),
                    or(purgeRateLimitsEvery, d.purgeRateLimitsEvery()));
        }

        private static Duration or(Duration value, Duration fallback) {
            return value == null ? fallback : value;
        }
    }
}
