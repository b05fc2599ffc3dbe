package io.switchboard.server.schedules;

import io.switchboard.schedule.ScheduleRun;
import io.switchboard.schedule.ScheduleStatus;

import java.time.Instant;

/**
 * A schedule as the API shows it, across the cluster.
 *
 * @param name       schedule name
 * @param trigger    its trigger, e.g. {@code every:PT30S} or {@code cron:0 3 * * *@Europe/Paris}
 * @param nextSlotAt the next slot not yet fired, or null before its first tick
 * @param paused     whether it is paused (on every instance)
 * @param lastRun    its latest run, or null
 */
record ScheduleResponse(String name, String trigger, Instant nextSlotAt, boolean paused, Run lastRun) {
    static ScheduleResponse of(ScheduleStatus status) {
        return new ScheduleResponse(status.name(), status.trigger(), status.nextSlotAt(), status.paused(),
                status.lastRun() == null ? null : Run.of(status.lastRun()));
    }

    /**
     * One run of a schedule.
     *
     * @param id         run id
     * @param schedule   schedule name
     * @param slotAt     the slot it is for (for a manual run: when it was triggered)
     * @param manual     triggered by hand
     * @param status     pending, running, succeeded, failed (a retry follows), dead, skipped or local
     * @param jobId      the job of queue {@code schedules} that carries the run, or null
     * @param firedBy    instance that fired the slot
     * @param instanceId instance that ran (or runs) it
     * @param attempt    attempts so far
     * @param firedAt    when the slot was fired
     * @param startedAt  when its latest attempt started
     * @param finishedAt when it ended
     * @param durationMs finishedAt minus startedAt, when both are known
     * @param error      the latest error, if any
     */
    record Run(long id, String schedule, Instant slotAt, boolean manual, String status, Long jobId, String firedBy,
               String instanceId, int attempt, Instant firedAt, Instant startedAt, Instant finishedAt, Long durationMs,
               String error) {
        static Run of(ScheduleRun run) {
            return new Run(run.id(), run.schedule(), run.slotAt(), run.manual(), run.status(), run.jobId(), run.firedBy(),
                    run.instanceId(), run.attempt(), run.firedAt(), run.startedAt(), run.finishedAt(),
                    run.duration() == null ? null : run.duration().toMillis(), run.error());
        }
    }
}
