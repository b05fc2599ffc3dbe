package io.switchboard.schedule;

import java.time.Duration;
import java.time.Instant;

/**
 * One run of a schedule, as kept in the run history.
 *
 * @param id         run id
 * @param schedule   schedule name
 * @param slotAt     the slot it is for
 * @param manual     triggered by hand
 * @param status     {@code pending, running, succeeded, failed} (an attempt failed, a retry follows),
 *                   {@code dead, skipped} (missed slot or overlap) or {@code local} (run without the database)
 * @param jobId      the job that carries it, if any
 * @param firedBy    instance that fired the slot
 * @param instanceId instance that ran (or runs) it
 * @param attempt    attempts so far
 * @param firedAt    when the slot was fired
 * @param startedAt  when the latest attempt started
 * @param finishedAt when it ended
 * @param duration   finished minus started, when both are known
 * @param error      the latest error, if any
 */
public record ScheduleRun(long id, String schedule, Instant slotAt, boolean manual, String status, Long jobId,
                          String firedBy, String instanceId, int attempt, Instant firedAt, Instant startedAt,
                          Instant finishedAt, Duration duration, String error) {
}
