package io.switchboard.server.schedules;

import io.switchboard.Maintenance;
import io.switchboard.jobs.JobKind;
import io.switchboard.jobs.JobQueue;
import io.switchboard.jobs.JobRequest;
import io.switchboard.schedule.CoordinationFailure;
import io.switchboard.schedule.MissedSlotPolicy;
import io.switchboard.schedule.Schedule;
import io.switchboard.schedule.ScheduledTask;
import io.switchboard.schedule.Trigger;
import io.switchboard.server.schedules.SchedulesProperties.MaintenanceSettings;
import io.switchboard.server.schedules.SchedulesProperties.ScheduleSettings;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Turns the schedules of {@code switchboard.schedules.*} into core {@link Schedule}s, and refuses any that is
 * invalid with a message naming it and the setting at fault: a schedule that silently never fires (or fires a
 * job that can never run) is found only when its work is missed.
 *
 * <p>Each slot enqueues a job of the schedule's kind inside the transaction that records the run as succeeded,
 * so a slot enqueues its job exactly once even when its run is retried or its instance dies.
 */
final class ConfiguredSchedules {
    /** Missed slots run with {@code missed-slots: catch-up} when {@code catch-up-max} is left out. */
    static final int DEFAULT_CATCH_UP_MAX = 10;

    private final Map<String, JobKind<?>> kinds = new TreeMap<>();
    private final JsonMapper json;
    private final Supplier<JobQueue> jobQueue;
    private volatile JobQueue jobs;

    /**
     * @param kinds    the job kinds this server runs (schedules may enqueue only these)
     * @param json     the mapper that checks arguments, as strict as the one that reads them when enqueued
     * @param jobQueue the queue, which exists only once the Switchboard holding these schedules is built
     */
    ConfiguredSchedules(Collection<JobKind<?>> kinds, JsonMapper json, Supplier<JobQueue> jobQueue) {
        kinds.forEach(kind -> this.kinds.put(kind.name(), kind));
        this.json = json;
        this.jobQueue = jobQueue;
    }

    /** Every configured schedule, in configuration order. */
    List<Schedule> schedules(Map<String, ScheduleSettings> settings) {
        List<Schedule> schedules = new ArrayList<>();
        settings.forEach((name, s) -> schedules.add(schedule(name, s)));
        return schedules;
    }

    /** The maintenance intervals, the core's defaults for those left out. */
    static Maintenance maintenance(MaintenanceSettings settings) {
        try {
            return settings.toMaintenance();
        } catch (IllegalArgumentException e) {
            throw new InvalidScheduleConfigurationException("Invalid switchboard.maintenance: " + e.getMessage(), e);
        }
    }

    Schedule schedule(String name, ScheduleSettings s) {
        Trigger trigger = trigger(name, s);
        if (s.kind() == null || s.kind().isBlank()) {
            throw invalid(name, "kind", "'kind' is required: the job kind each slot enqueues; known kinds: " + kinds.keySet());
        }
        JobKind<?> kind = kinds.get(s.kind());
        if (kind == null) {
            throw invalid(name, "kind", "unknown job kind '" + s.kind() + "'; known kinds: " + kinds.keySet());
        }
        String args = arguments(name, kind, s.args());
        ScheduledTask task = ctx -> ctx.completeInTransaction(conn -> jobs().enqueue(conn, JobRequest.ofJson(kind.name(), args)));

        Schedule schedule = check(name, null, () -> switch (trigger) {
            case Trigger.Cron cron -> Schedule.cron(name, cron.expression(), cron.zone(), task);
            case Trigger.Every every -> Schedule.every(name, every.interval(), task);
        });
        schedule = withMissedSlots(name, schedule, s);
        if (s.grace() != null) {
            Schedule current = schedule;
            schedule = check(name, "grace", () -> current.withGrace(s.grace()));
        }
        if (s.allowOverlap() != null) {
            schedule = schedule.withOverlap(s.allowOverlap());
        }
        if (s.maxAttempts() != null) {
            Schedule current = schedule;
            schedule = check(name, "max-attempts", () -> current.withMaxAttempts(s.maxAttempts()));
        }
        if (s.coordinationFailure() == CoordinationFailure.RUN_LOCALLY) {
            // A local run has no database transaction (the core refuses completeInTransaction), and enqueueing needs one.
            throw invalid(name, "coordination-failure", "'run-locally' cannot work for a configured schedule: its slot "
                    + "enqueues a job, which needs the database; use 'skip', or a Schedule bean whose code works without it");
        }
        if (s.coordinationFailure() != null) {
            schedule = schedule.withCoordinationFailure(s.coordinationFailure());
        }
        return schedule;
    }

    private static Trigger trigger(String name, ScheduleSettings s) {
        if (s.cron() != null && s.every() != null) {
            throw invalid(name, null, "set either 'cron' or 'every', not both");
        }
        if (s.cron() == null && s.every() == null) {
            throw invalid(name, null, "set 'cron' (with an optional 'zone') or 'every'");
        }
        if (s.every() != null) {
            if (s.zone() != null) {
                throw invalid(name, "zone", "'zone' applies to 'cron' only; 'every' slots are aligned to the Unix epoch");
            }
            return check(name, "every", () -> Trigger.every(s.every()));
        }
        ZoneId zone = s.zone() == null ? ZoneOffset.UTC
                : check(name, "zone", () -> ZoneId.of(s.zone().trim()));
        return check(name, "cron", () -> Trigger.cron(s.cron(), zone));
    }

    private static Schedule withMissedSlots(String name, Schedule schedule, ScheduleSettings s) {
        MissedSlotPolicy.Mode mode = s.missedSlots();
        if (s.catchUpMax() != null && mode != MissedSlotPolicy.Mode.CATCH_UP) {
            throw invalid(name, "catch-up-max", "'catch-up-max' applies only with 'missed-slots: catch-up'");
        }
        if (mode == null) {
            return schedule;
        }
        MissedSlotPolicy policy = switch (mode) {
            case SKIP -> MissedSlotPolicy.SKIP;
            case RUN_ONCE -> MissedSlotPolicy.RUN_ONCE;
            case CATCH_UP -> check(name, "catch-up-max", () -> MissedSlotPolicy.catchUp(
                    s.catchUpMax() == null ? DEFAULT_CATCH_UP_MAX : s.catchUpMax()));
        };
        return schedule.withMissedSlots(policy);
    }

    /** The arguments as JSON, checked now against the kind's argument type rather than at every slot. */
    private String arguments(String name, JobKind<?> kind, Map<String, Object> args) {
        String text = json.writeValueAsString(ConfigurationJson.toJsonValue(args));
        try {
            json.readValue(text, kind.argsType());
        } catch (JacksonException | IllegalArgumentException e) {
            throw invalid(name, "args", "arguments " + text + " do not fit job kind '" + kind.name() + "': "
                    + (e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage()));
        }
        return text;
    }

    private JobQueue jobs() {
        JobQueue queue = jobs;
        if (queue == null) {
            queue = jobQueue.get();
            jobs = queue;
        }
        return queue;
    }

    private static <T> T check(String name, String setting, Supplier<T> step) {
        try {
            return step.get();
        } catch (IllegalArgumentException | DateTimeException e) {
            throw invalid(name, setting, e.getMessage());
        }
    }

    private static InvalidScheduleConfigurationException invalid(String name, String setting, String problem) {
        String where = "switchboard.schedules." + name + (setting == null ? "" : "." + setting);
        return new InvalidScheduleConfigurationException("Invalid schedule '" + name + "' (" + where + "): " + problem);
    }
}
